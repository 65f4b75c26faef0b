/**
 * Issue 11, finding 8: POST /api/messages answers JSON errors (never the adapter's exception text
 * or HTML), and a serviceUrl that cannot be reached does not hold the request for seconds of
 * retries: one call with a short timeout, failure logged.
 */
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsChannel, TEAMS_PATH } from '../../src/channels/teams/teams-channel.js';
import type { Logger } from '../../src/core/logger.js';
import { errorHandler } from '../../src/server/http-error.js';
import { createChatService } from '../../src/service/chat-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';

const logged: { level: string; event: string; fields?: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (event, fields) => void logged.push({ level: 'warn', event, ...(fields ? { fields } : {}) }),
  error: (event, fields) => void logged.push({ level: 'error', event, ...(fields ? { fields } : {}) }),
};

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** The Teams endpoint alone, as main wires it: JSON body parser, the channel's router, the error middleware. */
async function endpoint(options: { appId?: string; appPassword?: string; connectorTimeoutMs?: number }) {
  const store = createMemoryStore();
  const chat = createChatService({ engine: fixtureEngine, store });
  const channel = await createTeamsChannel({ chat, logger, store, maxMessageLength: 500, emulator: true, ...options });
  const app = express();
  app.use(express.json());
  app.use(channel.router!);
  app.use(errorHandler(logger));
  const server = createServer(app);
  return { url: await listen(server), close: () => new Promise<void>((r) => server.close(() => r())) };
}

const activity = (serviceUrl: string, text = '身份证丢了怎么补') => ({
  type: 'message',
  id: `act-${Math.random().toString(36).slice(2)}`,
  timestamp: new Date().toISOString(),
  serviceUrl,
  channelId: 'msteams',
  from: { id: '29:1citizen', name: '张阿姨' },
  conversation: { id: `a:${Math.random().toString(36).slice(2)}`, conversationType: 'personal' },
  recipient: { id: '28:yici-bot', name: 'Yici' },
  text,
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url + TEAMS_PATH, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** A connector that accepts connections and never answers. */
let blackhole: Server;
let blackholeUrl: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  fixtureEngine(); // built once (jieba), so that the timings below measure the endpoint only
  blackhole = createServer(() => {});
  blackhole.on('connection', (s) => sockets.add(s));
  blackholeUrl = `${await listen(blackhole)}/`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => blackhole.close(r));
});

describe('Teams endpoint errors', () => {
  it('a connector that refuses connections: answered at once (no retries), failure logged, server fine', async () => {
    const e = await endpoint({});
    try {
      logged.length = 0;
      const started = Date.now();
      const res = await post(e.url, activity('http://127.0.0.1:1/'));
      const took = Date.now() - started;
      expect(res.status).toBe(200);
      expect(took).toBeLessThan(2000);
      expect(logged.filter((l) => l.event === 'teams_turn_failed')).toHaveLength(1);
    } finally {
      await e.close();
    }
  });

  it('a connector that never answers: one call, cut off after the timeout', async () => {
    const e = await endpoint({ connectorTimeoutMs: 300 });
    try {
      logged.length = 0;
      const before = sockets.size;
      const started = Date.now();
      const res = await post(e.url, activity(blackholeUrl));
      const took = Date.now() - started;
      expect(res.status).toBe(200);
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(2000);
      // One connection to the connector: no retry, and no second call to apologise.
      expect(sockets.size - before).toBe(1);
      expect(logged.filter((l) => l.event === 'teams_turn_failed')).toHaveLength(1);
    } finally {
      await e.close();
    }
  });

  it('a body that is not an activity: 400 with a JSON error, no exception text', async () => {
    const e = await endpoint({});
    try {
      for (const body of [{ hello: 'world' }, [], { type: 'message' }, 'null']) {
        const res = await post(e.url, body);
        expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
        expect(res.status, JSON.stringify(body)).toBeLessThan(500);
        expect(res.headers.get('content-type'), JSON.stringify(body)).toMatch(/^application\/json/);
        const text = await res.text();
        expect(text).not.toMatch(/Error|at \w|processActivity|\n/);
        expect(JSON.parse(text).error.code).toMatch(/^[a-z_]+$/);
      }
      const broken = await post(e.url, '{"type":');
      expect(broken.status).toBe(400);
      expect((await broken.json()).error.code).toBe('invalid_json');
    } finally {
      await e.close();
    }
  });

  it('with credentials, a request without a valid token: 401 with a JSON error, no exception text', async () => {
    const e = await endpoint({ appId: '11111111-2222-3333-4444-555555555555', appPassword: 'not-a-real-secret' });
    try {
      for (const headers of [{}, { authorization: 'Bearer garbage' }] as Record<string, string>[]) {
        const res = await post(e.url, activity('https://smba.trafficmanager.net/apac/'), headers);
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const body = await res.json();
        expect(body.error.code).toBe('unauthorized');
        expect(JSON.stringify(body)).not.toMatch(/Error|Unauthorized Access|stack/);
      }
    } finally {
      await e.close();
    }
  });
});
