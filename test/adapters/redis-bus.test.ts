/**
 * The Redis bus against the machine's Redis (REDIS_TEST_URL, default redis://127.0.0.1:6379):
 * buses deliver to each other's subscribers as JSON, health says false quickly when Redis is not
 * there, and rate limits counted through it are shared. Skipped, with a notice, when no Redis
 * answers — start one with:
 *   redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRedisBus, type RedisBus } from '../../src/adapters/redis-bus.js';
import { isUnavailableError } from '../../src/core/errors.js';
import type { HandoffService } from '../../src/handoff/handoff-service.js';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { OFFICER_SOCKET_PATH } from '../../src/server/officer-socket.js';
import { batchedCounts, createRateLimits, DEFAULT_RATE_LIMITS } from '../../src/server/rate-limits.js';
import { startServer } from '../../src/server/start-server.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { startTestApp } from '../helpers/test-app.js';

const URL_ = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/** Whether something accepts a connection at the URL's address within a second. */
const reachable = await new Promise<boolean>((resolve) => {
  const { hostname, port } = new URL(URL_);
  const socket = connect({ host: hostname, port: Number(port || 6379) });
  const done = (ok: boolean) => {
    socket.destroy();
    resolve(ok);
  };
  socket.setTimeout(1000, () => done(false));
  socket.once('connect', () => done(true));
  socket.once('error', () => done(false));
});
if (!reachable) {
  process.stderr.write(
    `\n注意：连接不上 Redis（${URL_}），Redis 消息总线测试（test/adapters/redis-bus.test.ts）将被跳过。\n` +
      `Notice: no Redis at ${URL_}, so the Redis bus tests are SKIPPED. Start one with:\n` +
      '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n\n',
  );
}

/** This run's prefix (REDIS_PREFIX): runs, benchmarks and test:cluster sharing the machine's Redis neither hear each other nor share rate-limit counts. */
const PREFIX = `yici-test-${randomBytes(4).toString('hex')}:`;
const buses: RedisBus[] = [];
const bus = (prefix = PREFIX) => {
  const b = createRedisBus(URL_, { prefix });
  buses.push(b);
  return b;
};
afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
});
/** A topic of this run only, so runs sharing a Redis do not hear each other. */
const topic = () => `test:${randomBytes(6).toString('hex')}`;

describe.skipIf(!reachable)('the Redis bus', () => {
  it('delivers what one bus publishes to the subscribers of every bus, itself included, as JSON', async () => {
    const [a, b] = [bus(), bus()];
    expect(a.kind).toBe('redis');
    expect(await a.healthy()).toBe(true);
    const t = topic();
    const heardByA: unknown[] = [];
    const heardByB: unknown[] = [];
    a.subscribe(t, (m) => heardByA.push(m));
    const stopB = b.subscribe(t, (m) => heardByB.push(m));
    // A subscription is live once Redis confirmed it; publish until both hear, then leave the probes out.
    await vi.waitFor(async () => {
      await a.publish(t, { probe: true });
      expect(heardByA.length * heardByB.length).toBeGreaterThan(0);
    });
    const probe = (m: unknown) => (m as { probe?: boolean }).probe === true;
    const [fromA, fromB] = [() => heardByA.filter((m) => !probe(m)), () => heardByB.filter((m) => !probe(m))];
    const message = { origin: 'a', event: { sessionId: 's1', at: '2026-11-30T02:00:00.000Z', n: 3, replies: [{ type: 'text', text: '您好' }], none: null } };
    await a.publish(t, message);
    await b.publish(t, { origin: 'b', event: 2 });
    await vi.waitFor(() => expect(fromB()).toEqual([message, { origin: 'b', event: 2 }]));
    await vi.waitFor(() => expect(fromA()).toEqual([message, { origin: 'b', event: 2 }]));

    stopB();
    await a.publish(t, { after: 'unsubscribe' });
    await vi.waitFor(() => expect(fromA()).toHaveLength(3));
    expect(fromB()).toHaveLength(2);
  });

  it('keeps two deployments with different REDIS_PREFIX apart: neither hears the other on one topic, nor counts towards its limits', async () => {
    const other = `yici-test-${randomBytes(4).toString('hex')}:`;
    const [a, b] = [bus(), bus(other)];
    expect([a.prefix, b.prefix]).toEqual([PREFIX, other]);
    const t = topic();
    const heardByA: unknown[] = [];
    const heardByB: unknown[] = [];
    a.subscribe(t, (m) => heardByA.push(m));
    b.subscribe(t, (m) => heardByB.push(m));
    // Each hears itself (so both subscriptions are live) and never the other.
    await vi.waitFor(async () => {
      await a.publish(t, { from: 'a' });
      await b.publish(t, { from: 'b' });
      expect(heardByA.length * heardByB.length).toBeGreaterThan(0);
    });
    expect(heardByA.every((m) => (m as { from: string }).from === 'a')).toBe(true);
    expect(heardByB.every((m) => (m as { from: string }).from === 'b')).toBe(true);

    const settings = { ...DEFAULT_RATE_LIMITS, handoffsPer10Minutes: 1 };
    const desk = { get: async () => ({ status: 'bot' }), apply: async () => ({ ok: true }) } as unknown as HandoffService;
    const address = `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 250)).join('.')}`;
    const request = { type: 'request', by: 'citizen', department: 'x', entryId: null, reason: '', at: '2026-01-01T00:00:00Z' } as const;
    const [inA, inB] = [createRateLimits(settings, a).guardHandoffs(desk), createRateLimits(settings, b).guardHandoffs(desk)];
    const codes: string[] = [];
    for (const guarded of [inA, inB, inA]) {
      const r = await guarded.apply('s', request, false, address);
      codes.push(r.ok ? 'ok' : r.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'rate_limited']);
    expect(await a.command('EXISTS', `${PREFIX}rl:handoffs:${address}`)).toBe(1);
  });

  it('says unhealthy, soon and without throwing, when Redis is not there; a publish then fails as unavailable', async () => {
    const nowhere = createRedisBus('redis://127.0.0.1:1');
    buses.push(nowhere);
    const started = Date.now();
    expect(await nowhere.healthy()).toBe(false);
    expect(Date.now() - started).toBeLessThan(3000);
    const failure = await nowhere.publish(topic(), { x: 1 }).then(() => null, (err: unknown) => err);
    expect(isUnavailableError(failure)).toBe(true);
  });

  it('closes both connections', async () => {
    const b = createRedisBus(URL_);
    expect(await b.healthy()).toBe(true);
    await b.close();
    expect(await b.healthy()).toBe(false);
  });
});

/** A redis-server binary to start a Redis on a Unix socket of its own (same host: REDIS_URL as a socket path). */
const redisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!redisServer)('the Redis bus over a Unix socket', () => {
  it('takes REDIS_URL as a socket path: delivers, says healthy and counts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yici-redis-socket-'));
    const path = join(dir, 'redis.sock');
    const server = spawn('redis-server', ['--port', '0', '--unixsocket', path, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      await vi.waitFor(() => expect(existsSync(path)).toBe(true), { timeout: 5000 });
      const b = createRedisBus(readConfig({ REDIS_URL: path }).redisUrl!, { prefix: PREFIX });
      buses.push(b);
      expect(await b.healthy()).toBe(true);
      const heard: unknown[] = [];
      const t = topic();
      b.subscribe(t, (m) => heard.push(m));
      await vi.waitFor(async () => {
        await b.publish(t, { n: 1 });
        expect(heard.length).toBeGreaterThan(0);
      });
      const count = batchedCounts(b);
      const key = `${PREFIX}rl:socket-test`;
      expect((await Promise.all([count(key, 60_000), count(key, 60_000)])).map((a) => a.totalHits).sort()).toEqual([1, 2]);
    } finally {
      server.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!reachable)('rate limits counted in Redis', () => {
  it('count new handoffs of one client address across two instances together', async () => {
    const [a, b] = [bus(), bus()];
    const settings = { ...DEFAULT_RATE_LIMITS, handoffsPer10Minutes: 3 };
    const desk = { get: async () => ({ status: 'bot' }), apply: async () => ({ ok: true }) } as unknown as HandoffService;
    const guarded = [createRateLimits(settings, a).guardHandoffs(desk), createRateLimits(settings, b).guardHandoffs(desk)];
    const address = `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 250)).join('.')}`;
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await guarded[i % 2]!.apply('s', { type: 'request', by: 'citizen', department: 'x', entryId: null, reason: '', at: '2026-01-01T00:00:00Z' }, false, address);
      codes.push(r.ok ? 'ok' : r.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
  });

  it('count chat requests of one client across two apps together (429 on the third of two per minute)', async () => {
    const [a, b] = [bus(), bus()];
    const settings = { ...DEFAULT_RATE_LIMITS, chatPerMinute: 2 };
    const apps = [await startTestApp({ rateLimits: createRateLimits(settings, a), trustProxy: 1 }), await startTestApp({ rateLimits: createRateLimits(settings, b), trustProxy: 1 })];
    try {
      const client = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${apps[i % 2]!.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          body: JSON.stringify({ sessionId: `shared-limit-session-${i}-${client.replace(/\./g, '-')}`, text: '你好' }),
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await Promise.all(apps.map((x) => x.close()));
    }
  });

  it('sends the counts asked for while a call is out together, each still answered its exact total and window', async () => {
    const b = bus();
    const calls: string[] = [];
    const counted = { prefix: b.prefix, command: (...args: string[]) => (calls.push(args[0]!), b.command(...args)) };
    const count = batchedCounts(counted);
    const key = `${PREFIX}rl:batch-test:${randomBytes(4).toString('hex')}`;
    const other = `${key}:other`;
    // Twenty counts of one key and five of another, all asked at once.
    const answers = await Promise.all([...Array.from({ length: 20 }, () => count(key, 60_000)), ...Array.from({ length: 5 }, () => count(other, 5_000))]);
    expect(answers.slice(0, 20).map((a) => a.totalHits).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(answers.slice(20).map((a) => a.totalHits).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
    expect(answers.slice(0, 20).every((a) => a.msLeft > 55_000 && a.msLeft <= 60_000)).toBe(true);
    expect(answers.slice(20).every((a) => a.msLeft > 0 && a.msLeft <= 5_000)).toBe(true);
    // One call for the first count, one for the 24 that waited for it (plus EVAL once if the script was not cached yet).
    expect(calls.filter((c) => c === 'EVALSHA').length).toBe(2);
    // Redis forgot its scripts (a restart): the next count loads it again and is still exact.
    await b.command('SCRIPT', 'FLUSH');
    expect((await count(key, 60_000)).totalHits).toBe(21);
  });

  it('answers 503 rather than letting requests through uncounted when Redis cannot be reached', async () => {
    const nowhere = createRedisBus('redis://127.0.0.1:1');
    buses.push(nowhere);
    const app = await startTestApp({ rateLimits: createRateLimits(DEFAULT_RATE_LIMITS, nowhere) });
    try {
      const res = await fetch(`${app.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: 'redis-down-session-0001', text: '你好' }) });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    } finally {
      await app.close();
    }
  });
});

describe.skipIf(!reachable)('two servers with REDIS_URL on one store', () => {
  it('report the Redis bus as healthy, and carry a case queued on B to an officer’s socket on A', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-redis-'));
    const config = readConfig({ PORT: '0', DATA_DIR: dataDir, REDIS_URL: URL_, REDIS_PREFIX: PREFIX, ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always' });
    const store = createMemoryStore();
    const a = await startServer(config, silentLogger, { store, print: () => {} });
    const b = await startServer(config, silentLogger, { store, print: () => {} });
    try {
      expect(a.bus.kind).toBe('redis');
      const health = (await (await fetch(`${b.url}/api/health`)).json()) as { status: string; bus: unknown };
      expect(health).toMatchObject({ status: 'ok', bus: { kind: 'redis', healthy: true } });

      const login = await fetch(`${a.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chief', password: 'Strong-pass-2026' }) });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const ws = new WebSocket(a.url.replace('http', 'ws') + OFFICER_SOCKET_PATH, { headers: { cookie } });
      const frames: { type: string; case?: { sessionId: string; status: string } }[] = [];
      ws.on('message', (data) => frames.push(JSON.parse(String(data)) as (typeof frames)[number]));
      await vi.waitFor(() => expect(frames.some((f) => f.type === 'hello')).toBe(true));

      const sid = `redis-relay-${randomBytes(6).toString('hex')}`;
      const say = (text: string, key?: string) =>
        fetch(`${b.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-session-key': key } : {}) }, body: JSON.stringify({ sessionId: sid, text }) }).then((r) => r.json() as Promise<{ sessionKey?: string; mode: string }>);
      const { sessionKey } = await say('社保卡丢了怎么补');
      expect((await say('转人工', sessionKey)).mode).toBe('queued');
      await vi.waitFor(() => expect(frames.some((f) => f.type === 'case' && f.case?.sessionId === sid && f.case.status === 'queued')).toBe(true), { timeout: 5000 });
      ws.close();
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
