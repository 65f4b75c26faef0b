/**
 * Per-client rate limits (express-rate-limit): chat, search, sign-in and new handoffs (转人工).
 * Limits are counted per client address (and per conversation for chat); a client over a limit
 * gets 429 {"error":{"code":"rate_limited"}} with Retry-After. The defaults are far above what a
 * person does, so only floods meet them.
 *
 * Counted in memory for one instance; with Redis (REDIS_URL) in Redis (one key prefix per limit,
 * the counts of concurrent requests sent together), so instances behind one load balancer count
 * together. When Redis cannot be reached the request fails with 503 (the error handler) rather
 * than going uncounted.
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type IncrementResponse, type Options, type Store as LimitStore } from 'express-rate-limit';
import type { HandoffService } from '../handoff/handoff-service.js';
import { batches } from '../storage/batches.js';
import { sendError } from './http-error.js';

export interface RateLimitSettings {
  /** Chat messages (POST /api/chat) per client address per minute. */
  chatPerMinute: number;
  /** Chat messages per conversation per minute. */
  chatPerConversationPerMinute: number;
  /** Searches (GET /api/search) per client address per minute. */
  searchPerMinute: number;
  /** Sign-in attempts (password or Teams) per client address per minute. */
  loginPerMinute: number;
  /** New handoffs to a person (queue entries, call-backs) per client address per 10 minutes. */
  handoffsPer10Minutes: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  chatPerMinute: 60,
  chatPerConversationPerMinute: 20,
  searchPerMinute: 120,
  loginPerMinute: 20,
  handoffsPer10Minutes: 5,
};

const MINUTE = 60_000;

/** Where limits are counted across instances: raw Redis commands and the deployment's key prefix (the Redis bus). */
export interface SharedCounts {
  command(...args: string[]): Promise<unknown>;
  readonly prefix: string;
}

/**
 * Counting in Redis with one round trip for many counts. Every count asked for while one call is
 * out goes in the next call, as one script over all their keys (storage/batches.ts): under load
 * one round trip serves the limits of several requests — a chat message is counted twice, by
 * client address and by conversation — and alone a count goes at once. Each count is still exact:
 * the script increments every key atomically in Redis and answers each its own total, so
 * instances count together exactly as with a call per count (docs/benchmarks.md › Rate limits
 * counted in batches). Several keys in one script need one Redis, not Redis Cluster.
 */
const INCREMENT_SCRIPT = [
  'local out = {}',
  'for i, key in ipairs(KEYS) do',
  '  local ttl = redis.call("PTTL", key)',
  '  if ttl <= 0 then',
  '    local window = tonumber(ARGV[i])',
  '    redis.call("SET", key, 1, "PX", window)',
  '    out[#out + 1] = 1',
  '    out[#out + 1] = window',
  '  else',
  '    out[#out + 1] = redis.call("INCR", key)',
  '    out[#out + 1] = ttl',
  '  end',
  'end',
  'return out',
].join('\n');
const INCREMENT_SHA = createHash('sha1').update(INCREMENT_SCRIPT).digest('hex');
/** At most this many counts to one call. */
const MAX_COUNTS_PER_CALL = 128;

/** Increments `key` (its window `windowMs` starting at its first count) and answers its total and what is left of its window. */
type Count = (key: string, windowMs: number) => Promise<{ totalHits: number; msLeft: number }>;

export function batchedCounts(shared: SharedCounts): Count {
  const send = async (items: { key: string; windowMs: number }[]) => {
    const args = [String(items.length), ...items.map((i) => i.key), ...items.map((i) => String(i.windowMs))];
    let reply: unknown;
    try {
      reply = await shared.command('EVALSHA', INCREMENT_SHA, ...args);
    } catch (err) {
      // Not yet in this Redis's script cache (a first call, or Redis restarted): EVAL sends and caches it.
      if (!/^NOSCRIPT/.test(String((err as Error)?.message))) throw err;
      reply = await shared.command('EVAL', INCREMENT_SCRIPT, ...args);
    }
    if (!Array.isArray(reply) || reply.length !== 2 * items.length) throw new Error(`Redis: unexpected reply to the rate-limit script (${String(reply)})`);
    return items.map((_, i) => ({ totalHits: Number(reply[2 * i]), msLeft: Number(reply[2 * i + 1]) }));
  };
  const count = batches(1, MAX_COUNTS_PER_CALL, send);
  return (key, windowMs) => count({ key, windowMs });
}

/** One limit's counts in Redis under `<prefix>rl:<name>:`, through the instance's batched counting. */
class SharedLimitStore implements LimitStore {
  private windowMs = MINUTE;
  readonly localKeys = false;
  readonly prefix: string;
  constructor(
    private readonly shared: SharedCounts,
    private readonly count: Count,
    name: string,
  ) {
    this.prefix = `${shared.prefix}rl:${name}:`;
  }
  init(options: Options): void {
    this.windowMs = options.windowMs;
  }
  async increment(key: string): Promise<IncrementResponse> {
    const { totalHits, msLeft } = await this.count(this.prefix + key, this.windowMs);
    return { totalHits, resetTime: new Date(Date.now() + msLeft) };
  }
  async decrement(key: string): Promise<void> {
    await this.shared.command('DECR', this.prefix + key);
  }
  async resetKey(key: string): Promise<void> {
    await this.shared.command('DEL', this.prefix + key);
  }
}

/** The client address limits count by (the proxy's client with TRUST_PROXY); also the `client` of an HTTP request's chat turn. */
export const addressKey = (req: Request): string => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

const tooMany =
  (message: string): Options['handler'] =>
  (_req, res) =>
    sendError(res, 429, 'rate_limited', message);

const limiter = (store: LimitStore, windowMs: number, limit: number, message: string, key: (req: Request) => string | undefined): RequestHandler =>
  rateLimit({
    store,
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => key(req) ?? '',
    skip: (req) => key(req) === undefined,
    handler: tooMany(message),
    // Behind a reverse proxy the address comes from TRUST_PROXY; the library's start-up checks would only print to the console.
    validate: false,
    // All the library would print is a store that failed to start (Redis away): that store tries
    // again when counting, and a count that fails is a 503, logged by the error handler.
    logger: { warn: () => {}, error: () => {} },
  });

const only =
  (method: string, path: string, handler: RequestHandler): RequestHandler =>
  (req, res, next) =>
    req.method === method && req.path === path ? handler(req, res, next) : next();

export interface RateLimits {
  /** Express middleware: the HTTP limits. Mount after the JSON body parser. */
  middleware: RequestHandler[];
  /** The handoff service with new queue entries and call-backs limited per client (the `client` of apply; unlimited without one). */
  guardHandoffs(handoff: HandoffService): HandoffService;
}

/** `shared`: count in Redis, together with the other instances (start-server.ts, when REDIS_URL is set). */
export function createRateLimits(settings: RateLimitSettings = DEFAULT_RATE_LIMITS, shared?: SharedCounts): RateLimits {
  const s = settings;
  // The counts of one limit: in this process; when shared, in Redis (prefix `yici:` by default), every limit through one batched counter.
  let counts = (_name: string): LimitStore => new MemoryStore();
  if (shared) {
    const count = batchedCounts(shared);
    counts = (name) => new SharedLimitStore(shared, count, name);
  }
  const chatByAddress = limiter(counts('chat'), MINUTE, s.chatPerMinute, '消息发得太快了，请稍等一会儿再发。', addressKey);
  const chatByConversation = limiter(counts('chat-conversation'), MINUTE, s.chatPerConversationPerMinute, '这个对话的消息发得太快了，请稍等一会儿再发。', (req) => {
    const id = (req.body as { sessionId?: unknown } | undefined)?.sessionId;
    return typeof id === 'string' && id.length > 0 ? `session:${id}` : undefined;
  });
  const search = limiter(counts('search'), MINUTE, s.searchPerMinute, '查询太频繁了，请稍等一会儿再查。', addressKey);
  const login = limiter(counts('login'), MINUTE, s.loginPerMinute, '登录尝试太频繁了，请一分钟后再试。', addressKey);

  // New handoffs are counted deep inside a turn (HTTP or the web socket), by this store directly.
  const handoffWindow = 10 * MINUTE;
  const handoffs = counts('handoffs');
  void handoffs.init?.({ windowMs: handoffWindow } as Options);

  return {
    middleware: [
      only('POST', '/api/chat', chatByAddress),
      only('POST', '/api/chat', chatByConversation),
      only('GET', '/api/search', search),
      only('POST', '/api/auth/login', login),
      only('POST', '/api/auth/teams-sso', login),
    ],
    guardHandoffs(handoff) {
      return {
        ...handoff,
        async apply(sessionId, command, isAdmin, client) {
          const address = client;
          const opens = command.type === 'request' || command.type === 'request_callback';
          if (opens && address !== undefined && (await handoff.get(sessionId)).status !== 'queued') {
            const { totalHits, resetTime } = await handoffs.increment(address);
            if (totalHits > s.handoffsPer10Minutes) {
              const minutes = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + handoffWindow) - Date.now()) / MINUTE));
              return { ok: false, code: 'rate_limited', reason: `转人工的请求太多了，请 ${minutes} 分钟后再试，或拨打 12345 热线。` };
            }
          }
          return handoff.apply(sessionId, command, isAdmin, client);
        },
      };
    },
  };
}
