/**
 * Issue 14: health and readiness report the store and the bus, and answer 503 with the reason
 * when either is down; a request that fails because the database or Redis cannot be reached
 * answers 503 with a clear Chinese error, never a generic 500 or silence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isUnavailableError } from '../../src/core/errors.js';
import type { AppDeps } from '../../src/server/create-app.js';
import { createChatService } from '../../src/service/chat-service.js';
import { createLocalBus } from '../../src/storage/local-bus.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { Bus, Store } from '../../src/storage/ports.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';
import { startTestApp } from '../helpers/test-app.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});
const app = async (options: Partial<AppDeps> = {}) => {
  const started = await startTestApp(options);
  close = started.close;
  const get = async (path: string) => {
    const res = await fetch(started.url + path);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { url: started.url, get };
};
const redisBus = (healthy: Bus['healthy']): Bus => ({ ...createLocalBus(), kind: 'redis', healthy });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('GET /api/health, /api/ready and /api/health/live', () => {
  it('answer ok with the store’s and the bus’s kind when both are up', async () => {
    const { get } = await app({ bus: redisBus(async () => true) });
    const health = await get('/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', knowledge: { entries: 8 }, store: { kind: 'memory', writable: true }, bus: { kind: 'redis', healthy: true } });
    expect(health.body.reasons).toBeUndefined();
    expect(await get('/api/ready')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get('/api/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('answer 503 unavailable, saying why, when the bus is down — and stay live', async () => {
    const { get } = await app({ bus: redisBus(async () => false) });
    const health = await get('/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable', store: { kind: 'memory', writable: true }, bus: { kind: 'redis', healthy: false } });
    expect(health.body.reasons).toEqual([expect.stringContaining('消息总线（redis）连接不上')]);
    const ready = await get('/api/ready');
    expect(ready).toEqual({ status: 503, body: { status: 'unavailable', reasons: health.body.reasons } });
    expect((await get('/api/health/live')).status).toBe(200);
  });

  it('answer 503 when the store cannot be written', async () => {
    const store: Store = { ...createMemoryStore(), writable: async () => false };
    const { get } = await app({ store });
    const health = await get('/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable', store: { kind: 'memory', writable: false }, bus: { kind: 'local', healthy: true } });
    expect(health.body.reasons).toEqual(['数据存储（memory）现在不能写入']);
    expect((await get('/api/ready')).status).toBe(503);
  });

  it('count a check that throws or never answers as down, and still answer', async () => {
    const store: Store = { ...createMemoryStore(), writable: () => Promise.reject(refused()) };
    const { get } = await app({ store, bus: redisBus(() => new Promise<boolean>(() => {})) });
    const health = await get('/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ store: { writable: false }, bus: { healthy: false } });
    expect(health.body.reasons).toHaveLength(2);
  });
});

describe('a request the store cannot serve', () => {
  /** A chat service whose store refuses every read with `error`. */
  const failingChat = (error: () => Error) => {
    const memory = createMemoryStore();
    const store: Store = {
      ...memory,
      documents: <T>(name: string) => ({ ...memory.documents<T>(name), read: () => Promise.reject(error()), readVersioned: () => Promise.reject(error()) }),
    };
    return createChatService({ engine: fixtureEngine, store });
  };
  const post = (url: string) => fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: 'store-is-down-session', text: '你好' }) });

  it('answers 503 service_unavailable in Chinese, with Retry-After, when the database cannot be reached', async () => {
    const { url } = await app({ chat: failingChat(refused) });
    const res = await post(url);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('service_unavailable');
    expect(body.error.message).toMatch(/服务暂时不可用.*没有完成.*稍后再试/);
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|5432/);
  });

  it('answers 503 for the store’s own unavailability error, and still 500 for a bug', async () => {
    const unavailable = () => Object.assign(new Error('pool exhausted'), { name: 'StoreUnavailableError' });
    expect((await post((await app({ chat: failingChat(unavailable) })).url)).status).toBe(503);
    await close?.();
    const bug = () => new TypeError('cannot read properties of undefined');
    const res = await post((await app({ chat: failingChat(bug) })).url);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal_error');
  });
});

describe('isUnavailableError', () => {
  it('knows connection failures of Node, PostgreSQL and the Redis adapter, also when wrapped', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', '57P01', '08006', 'REDIS_UNAVAILABLE']) expect(isUnavailableError(coded(code)), code).toBe(true);
    expect(isUnavailableError(new Error('wrapped', { cause: coded('ECONNRESET') }))).toBe(true);
    expect(isUnavailableError(new AggregateError([coded('ECONNREFUSED')], 'all addresses failed'))).toBe(true);
    for (const e of [new Error('x'), coded('23505'), coded('ENOENT'), null, 'ECONNREFUSED']) expect(isUnavailableError(e)).toBe(false);
  });
});
