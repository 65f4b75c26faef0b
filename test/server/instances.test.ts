/**
 * Issue 14: two Yici instances sharing one store and one bus act as one. Both run in this process
 * on the same memory store (behind a network-like latency, so that requests can interleave) and the
 * same local bus — what two processes on PostgreSQL and Redis share.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { SOCKET_PATH } from '../../src/channels/web/web-channel.js';
import { readConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { OFFICER_SOCKET_PATH, SESSION_ENDED } from '../../src/server/officer-socket.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { createLocalBus } from '../../src/storage/local-bus.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { withLatency } from '../helpers/latency-store.js';

const ADMIN = { username: 'chief', password: 'Strong-pass-2026' };
const PASSWORD = 'Window-Desk-2026';
const SWEEP_SECONDS = 0.1;

interface Instance {
  running: RunningServer;
  /** Claim-timeout sweeps this instance ran. */
  sweeps: () => number;
}
let a: Instance;
let b: Instance;

async function start(store: ReturnType<typeof withLatency>, bus: ReturnType<typeof createLocalBus>, dataDir: string): Promise<Instance> {
  let sweeps = 0;
  const logger = createLogger('debug', (line) => {
    if ((JSON.parse(line) as { event: string }).event === 'claim_timeout_sweep') sweeps++;
  });
  const config = readConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    OFFICE_HOURS: 'always',
    HANDOFF_SWEEP_SECONDS: String(SWEEP_SECONDS),
  });
  const running = await startServer(config, logger, { store, bus, print: () => {} });
  return { running, sweeps: () => sweeps };
}

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'yici-instances-'));
  const store = withLatency(createMemoryStore());
  const bus = createLocalBus();
  a = await start(store, bus, dataDir);
  b = await start(store, bus, dataDir);
  for (const username of ['lihua', 'wangfang']) await a.running.accounts.create({ username, password: PASSWORD, role: 'officer', displayName: username });
}, 120_000);
afterAll(async () => {
  await a?.running.close();
  await b?.running.close();
});

const json = (at: Instance, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(at.running.url + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
const login = async (at: Instance, username: string) => {
  const res = await json(at, 'POST', '/api/auth/login', { username, password: PASSWORD });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
};
type ChatOut = { seq: number; mode: string; sessionKey?: string };
const say = async (at: Instance, sessionId: string, text: string, key?: string) => {
  const res = await json(at, 'POST', '/api/chat', { sessionId, text }, key ? { 'x-session-key': key } : {});
  expect(res.status).toBe(200);
  return (await res.json()) as ChatOut;
};

type Frame = Record<string, unknown> & { type: string };
/** A socket and every frame it received so far. */
async function socket(at: Instance, path: string, cookie?: string) {
  const ws = new WebSocket(at.running.url.replace('http', 'ws') + path, cookie ? { headers: { cookie } } : {});
  const frames: Frame[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  const closed: { code?: number; reason?: string } = {};
  ws.once('close', (code, reason) => Object.assign(closed, { code, reason: String(reason) }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames, closed };
}
const until = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 20 });

describe('two instances on one store and one bus', () => {
  it('let exactly one of 30 claims of one case succeed, sent to both instances at once', async () => {
    const sid = 'instances-claim-race-0001';
    const first = await say(a, sid, '社保卡丢了怎么补');
    expect((await say(b, sid, '转人工', first.sessionKey)).mode).toBe('queued');
    const [li, wang] = [await login(a, 'lihua'), await login(b, 'wangfang')];
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => json(i % 2 ? b : a, 'POST', `/api/officer/conversations/${sid}/claim`, undefined, { cookie: i % 2 ? wang : li })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(29);
    const card = (await (await json(b, 'GET', `/api/officer/conversations/${sid}`, undefined, { cookie: wang })).json()) as { conversation: { history: { type: string }[] } };
    expect(card.conversation.history.filter((e) => e.type === 'claim')).toHaveLength(1);
  });

  it('tell an officer on A, live, of a case a citizen opened on B, and bring the officer’s reply through A to the citizen’s socket on B — each once', async () => {
    const sid = 'instances-live-relay-0001';
    const onA = await socket(a, OFFICER_SOCKET_PATH, await login(a, 'lihua'));
    const onB = await socket(b, OFFICER_SOCKET_PATH, await login(b, 'wangfang'));
    const citizen = await socket(b, SOCKET_PATH);
    citizen.ws.send(JSON.stringify({ type: 'message', user: sid, text: '社保卡丢了怎么补' }));
    await until(() => expect(citizen.frames.some((f) => f.sessionKey)).toBe(true));
    citizen.ws.send(JSON.stringify({ type: 'message', user: sid, text: '转人工' }));

    const queuedCase = (f: Frame) => f.type === 'case' && (f.case as { sessionId: string; status: string }).sessionId === sid && (f.case as { status: string }).status === 'queued';
    await until(() => expect(onA.frames.some(queuedCase)).toBe(true));

    const li = await login(a, 'lihua');
    expect((await json(a, 'POST', `/api/officer/conversations/${sid}/claim`, undefined, { cookie: li })).status).toBe(200);
    expect((await json(a, 'POST', `/api/officer/conversations/${sid}/messages`, { text: '您好，我来帮您。' }, { cookie: li })).status).toBe(201);
    const fromOfficer = (f: Frame) => f.from === 'officer' && f.sessionId === sid;
    await until(() => expect(citizen.frames.some(fromOfficer)).toBe(true));
    expect(citizen.frames.find(fromOfficer)).toMatchObject({ type: 'message', text: '您好，我来帮您。' });
    // The claim's notice reached the citizen too, and the claim reached both consoles.
    const claimed = (f: Frame) => f.type === 'case' && (f.case as { sessionId: string }).sessionId === sid && (f.case as { status: string }).status === 'claimed';
    await until(() => expect([onA, onB].every((s) => s.frames.some(claimed))).toBe(true));
    await until(() => expect(citizen.frames.some((f) => f.from === 'system' && /已接入/.test(String(f.text)))).toBe(true));

    // Nothing twice: not on the instance that made the change (B for the case), nor on the other (A).
    for (const s of [onA, onB]) {
      expect(s.frames.filter(queuedCase)).toHaveLength(1);
      expect(s.frames.filter(claimed)).toHaveLength(1);
      const seqs = s.frames.filter((f) => f.type === 'message' && f.sessionId === sid).map((f) => (f.message as { seq: number }).seq);
      expect(seqs.length).toBeGreaterThan(0);
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    expect(citizen.frames.filter(fromOfficer)).toHaveLength(1);
    expect(citizen.frames.filter((f) => f.from === 'system')).toHaveLength(1);
    for (const s of [onA, onB, citizen]) s.ws.close();
  });

  it('close a session’s officer socket on B (4401 signed_out) when it signs out on A', async () => {
    const cookie = await login(a, 'lihua');
    const other = await login(b, 'lihua');
    const onB = await socket(b, OFFICER_SOCKET_PATH, cookie);
    const otherOnB = await socket(b, OFFICER_SOCKET_PATH, other);
    await until(() => expect(onB.frames.some((f) => f.type === 'hello')).toBe(true));
    expect((await json(a, 'POST', '/api/auth/logout', undefined, { cookie })).status).toBe(200);
    await until(() => expect(onB.closed).toEqual({ code: SESSION_ENDED, reason: 'signed_out' }));
    // The same account's other session stays.
    expect(otherOnB.ws.readyState).toBe(WebSocket.OPEN);
    otherOnB.ws.close();
  });

  it('keep one conversation whole when its messages alternate between the instances: consecutive seq, no gaps, each reply after its question', async () => {
    const sid = 'instances-one-conversation-01';
    const { sessionKey } = await say(a, sid, '你好');
    const questions = ['社保卡丢了怎么补', '身份证丢了怎么补', '个体户营业执照怎么办', '新生儿怎么上户口', '公积金怎么提取', '居民养老保险怎么交', '社保卡丢了怎么补?', '身份证丢了怎么补?'];
    // Sent at once, alternately to B and A.
    const outs = await Promise.all(questions.map((q, i) => say(i % 2 ? a : b, sid, q, sessionKey)));
    // Then one after another, still alternating: the transcript keeps the order they were sent in.
    const later = ['要带什么材料', '要多少钱', '在哪里办', '多久能办好'];
    for (const [i, q] of later.entries()) outs.push(await say(i % 2 ? a : b, sid, q, sessionKey));

    const res = await json(b, 'GET', `/api/chat/${sid}/messages?after=0`, undefined, { 'x-session-key': sessionKey! });
    const messages = ((await res.json()) as { messages: { seq: number; from: string; text?: string }[] }).messages;
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    const asked = [...questions, ...later];
    expect(messages.filter((m) => m.from === 'user').map((m) => m.text).sort()).toEqual(['你好', ...asked].sort());
    asked.forEach((q, i) => {
      const answer = outs[i]!.seq;
      expect(messages[answer - 1]?.from, q).toBe('bot');
      expect(messages[answer - 2], q).toMatchObject({ from: 'user', text: q });
    });
    expect(messages.slice(-2 * later.length).filter((m) => m.from === 'user').map((m) => m.text)).toEqual(later);
  });

  it('run the claim-timeout sweep on one instance (the lease holder), and on the other once the holder stops', async () => {
    const [fromA, fromB] = [a.sweeps(), b.sweeps()];
    await until(() => expect(a.sweeps() - fromA + (b.sweeps() - fromB)).toBeGreaterThanOrEqual(5));
    const ran = [a.sweeps() - fromA, b.sweeps() - fromB];
    expect(ran.filter((n) => n > 0)).toHaveLength(1);
    const [holder, other] = ran[0]! > 0 ? [a, b] : [b, a];
    const before = other.sweeps();
    await holder.running.close();
    await until(() => expect(other.sweeps()).toBeGreaterThan(before));
  });
});
