/**
 * The bus of a deployment with several instances: Redis pub/sub through ioredis. One connection
 * publishes (and runs the commands of the shared rate limits), one subscribes — a connection that
 * subscribes can do nothing else. Messages are JSON on channels named `<prefix><topic>` (prefix
 * `yici:` unless REDIS_PREFIX says otherwise, so deployments or test runs can share one Redis).
 *
 * ioredis reconnects by itself and subscribes again to every channel after a reconnect; what was
 * published meanwhile is lost, which the Bus port allows (live delivery only; the store has it).
 * A command while Redis is down fails after one reconnect attempt, with the code REDIS_UNAVAILABLE
 * (so the HTTP error handler answers 503), instead of waiting in a queue.
 */
import { Redis, ReplyError } from 'ioredis';
import type { Bus } from '../storage/ports.js';

/** The default prefix of every channel and key this deployment uses in Redis. */
export const DEFAULT_REDIS_PREFIX = 'yici:';
/** How long healthy() waits for PONG. */
const PING_TIMEOUT_MS = 1000;

export interface RedisBus extends Bus {
  readonly kind: 'redis';
  /** A raw command on the publishing connection (the shared rate limits' counts). */
  command(...args: string[]): Promise<unknown>;
  /** What every channel and key of this deployment starts with. */
  readonly prefix: string;
}

export interface RedisBusOptions {
  /** Redis went away (said once until it is back) or a message could not be handled. */
  onError?: (event: 'redis_unreachable' | 'redis_message_invalid', error: string) => void;
  /** Redis is back after being away. */
  onReconnect?: () => void;
  /** What every channel and key starts with (REDIS_PREFIX); DEFAULT_REDIS_PREFIX when absent. */
  prefix?: string;
}

/** A connection error (not an error Redis answered with) as the error handler recognises it. */
const unavailable = (err: unknown): unknown =>
  err instanceof ReplyError ? err : Object.assign(new Error(`Redis 无法连接：${String((err as Error)?.message ?? err)}`), { code: 'REDIS_UNAVAILABLE', cause: err });

/** Whether the connection is up: at once when it is or is known to be down, else when its first attempt ends. */
function connected(connection: Redis): Promise<boolean> {
  if (connection.status === 'ready') return Promise.resolve(true);
  if (connection.status !== 'wait' && connection.status !== 'connecting' && connection.status !== 'connect') return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (up: boolean) => () => {
      connection.off('ready', ok);
      connection.off('error', failed);
      resolve(up);
    };
    const ok = done(true);
    const failed = done(false);
    connection.once('ready', ok);
    connection.once('error', failed);
  });
}

export function createRedisBus(url: string, options: RedisBusOptions = {}): RedisBus {
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  // Commands fail fast while Redis is down; subscriptions wait for it (a subscribe that failed
  // would not be renewed on reconnect).
  const pub = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  const sub = new Redis(url, { maxRetriesPerRequest: null, connectTimeout: 2000 });
  let away = false;
  for (const connection of [pub, sub]) {
    connection.on('error', (err: Error) => {
      if (away) return;
      away = true;
      options.onError?.('redis_unreachable', err.message);
    });
    connection.on('ready', () => {
      if (!away || pub.status !== 'ready' || sub.status !== 'ready') return;
      away = false;
      options.onReconnect?.();
    });
  }

  const handlers = new Map<string, Set<(message: unknown) => void>>();
  sub.on('message', (channel: string, text: string) => {
    const set = handlers.get(channel);
    if (!set) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      options.onError?.('redis_message_invalid', String((err as Error).message));
      return;
    }
    for (const handler of [...set]) handler(message);
  });

  return {
    kind: 'redis',
    prefix,
    async publish(topic, message) {
      await pub.publish(prefix + topic, JSON.stringify(message)).catch((err: unknown) => {
        throw unavailable(err);
      });
    },
    subscribe(topic, handler) {
      const channel = prefix + topic;
      let set = handlers.get(channel);
      if (!set) {
        handlers.set(channel, (set = new Set()));
        sub.subscribe(channel).catch((err: unknown) => options.onError?.('redis_unreachable', String((err as Error)?.message ?? err)));
      }
      set.add(handler);
      const mine = set;
      return () => {
        mine.delete(handler);
        if (mine.size === 0 && handlers.get(channel) === mine) {
          handlers.delete(channel);
          sub.unsubscribe(channel).catch(() => {});
        }
      };
    },
    async healthy() {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)));
      const check = async () => (await connected(pub)) && (await connected(sub)) && (await pub.ping()) === 'PONG';
      try {
        return await Promise.race([check(), late]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    command: (...args) =>
      pub.call(...(args as [string, ...string[]])).catch((err: unknown) => {
        throw unavailable(err);
      }),
    async close() {
      handlers.clear();
      // QUIT when Redis answers; a connection that cannot is simply dropped.
      await Promise.all(
        [pub, sub].map(async (connection) => {
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([connection.quit(), new Promise((resolve) => (timer = setTimeout(resolve, PING_TIMEOUT_MS)))]);
          } catch {
            // already closed
          } finally {
            clearTimeout(timer);
            connection.disconnect();
          }
        }),
      );
    },
  };
}
