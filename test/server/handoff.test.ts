/** Escalation to a human officer, through the HTTP contract on the real server. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { chatClient } from '../helpers/chat-client.js';

const ADMIN = { username: 'chief', password: 'Strong-pass-2026' };
let running: RunningServer;
let dataDir: string;

const start = (env: Record<string, string> = {}) =>
  startServer(readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, OFFICE_HOURS: 'always', ...env }), silentLogger, { print: () => {} });

const json = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(running.url + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

async function login(username: string, password: string): Promise<string> {
  const res = await json('POST', '/api/auth/login', { username, password });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).toMatch(/Max-Age=\d+/);
  return cookie.split(';')[0]!;
}
const as = (cookie: string) => ({ cookie });
const citizen = chatClient(() => running.url);
const chat = async (sessionId: string, body: object) => {
  const res = await citizen.post({ sessionId, ...body });
  expect(res.status).toBe(200);
  return (await res.json()) as { mode: string; replies: { type: string; status?: string; text?: string; choices?: { label: string; value: string }[] }[] };
};

let adminCookie: string;
let li: string;
let wang: string;
let editor: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'yici-handoff-'));
  running = await start();
  adminCookie = await login(ADMIN.username, ADMIN.password);
  for (const [username, role, displayName] of [['lihua', 'officer', '李'], ['wangfang', 'officer', '王'], ['zhaomin', 'editor', '赵']]) {
    const res = await json('POST', '/api/admin/users', { username, password: 'Window-Desk-2026', role, displayName }, as(adminCookie));
    expect(res.status).toBe(201);
  }
  li = await login('lihua', 'Window-Desk-2026');
  wang = await login('wangfang', 'Window-Desk-2026');
  editor = await login('zhaomin', 'Window-Desk-2026');
});
afterAll(() => running.close());

describe('accounts and access', () => {
  it('answers 401 on officer routes without a session, and 403 for an editor', async () => {
    expect((await json('GET', '/api/officer/queue')).status).toBe(401);
    expect((await json('POST', '/api/officer/conversations/x/claim')).status).toBe(401);
    expect((await json('GET', '/api/officer/queue', undefined, as(editor))).status).toBe(403);
    expect((await json('POST', '/api/admin/users', { username: 'x1', password: 'Abcdefgh-123', role: 'officer' }, as(li))).status).toBe(403);
  });

  it('refuses wrong credentials with 401 and locks an account after repeated failures', async () => {
    await json('POST', '/api/admin/users', { username: 'lockme', password: 'Lock-me-2026!', role: 'officer' }, as(adminCookie));
    for (let i = 0; i < 4; i++) expect((await json('POST', '/api/auth/login', { username: 'lockme', password: 'wrong-password' })).status).toBe(401);
    const locked = await json('POST', '/api/auth/login', { username: 'lockme', password: 'wrong-password' });
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('locked');
    // Even the right password waits out the lock.
    expect((await json('POST', '/api/auth/login', { username: 'lockme', password: 'Lock-me-2026!' })).status).toBe(429);
  });

  it('refuses a weak password and a taken name with the reason', async () => {
    const weak = await json('POST', '/api/admin/users', { username: 'weak', password: '123', role: 'officer' }, as(adminCookie));
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as { error: { code: string } }).error.code).toBe('weak_password');
    const taken = await json('POST', '/api/admin/users', { username: 'lihua', password: 'Another-pass-1', role: 'officer' }, as(adminCookie));
    expect(taken.status).toBe(409);
  });

  it('refuses cross-site requests: a foreign Origin, or a body that is not JSON', async () => {
    const foreign = await json('POST', '/api/officer/conversations/x/claim', {}, { ...as(li), origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const form = await fetch(`${running.url}/api/officer/conversations/x/claim`, {
      method: 'POST',
      headers: { ...as(li), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
  });
});

describe('转人工 through the contract', () => {
  it('queues, lets exactly one of two officers claim, relays both ways, and gives the bot back after resolve', async () => {
    const sid = 'handoff-session-1';
    await chat(sid, { text: '社保卡丢了怎么补' });
    const queued = await chat(sid, { text: '转人工' });
    expect(queued.mode).toBe('queued');
    const h = queued.replies.find((r) => r.type === 'handoff');
    expect(h).toMatchObject({ type: 'handoff', status: 'queued' });
    expect(h?.text).toMatch(/您是下一位|您前面还有 [1-9]\d* 位/);

    const queue = (await (await json('GET', '/api/officer/queue', undefined, as(li))).json()) as { conversations: { sessionId: string; status: string; waitingSince: string }[] };
    expect(queue.conversations.find((c) => c.sessionId === sid)).toMatchObject({ status: 'queued', waitingSince: expect.any(String) });

    const [a, b] = await Promise.all([
      json('POST', `/api/officer/conversations/${sid}/claim`, undefined, as(li)),
      json('POST', `/api/officer/conversations/${sid}/claim`, undefined, as(wang)),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const holder = a.status === 200 ? li : wang;
    const other = a.status === 200 ? wang : li;

    expect((await json('POST', `/api/officer/conversations/${sid}/messages`, { text: '您好，我来帮您。' }, as(other))).status).toBe(403);
    expect((await json('POST', `/api/officer/conversations/${sid}/messages`, { text: '您好，我来帮您。' }, as(holder))).status).toBe(201);

    const t = (await (await citizen.messages(sid)).json()) as { messages: { from: string; replies: { text?: string }[] }[] };
    expect(t.messages.some((m) => m.from === 'officer' && m.replies[0]?.text === '您好，我来帮您。')).toBe(true);
    expect(t.messages.some((m) => m.from === 'system' && /已接入/.test(m.replies[0]?.text ?? ''))).toBe(true);

    const toOfficer = await chat(sid, { text: '我的卡是去年办的' });
    expect(toOfficer.mode).toBe('officer');
    expect(toOfficer.replies).toEqual([]);
    const card = (await (await json('GET', `/api/officer/conversations/${sid}`, undefined, as(holder))).json()) as { messages: { from: string; text?: string }[]; botAnswers: unknown[] };
    expect(card.messages.some((m) => m.from === 'user' && m.text === '我的卡是去年办的')).toBe(true);

    expect((await json('POST', `/api/officer/conversations/${sid}/resolve`, { note: '已告知补卡流程' }, as(holder))).status).toBe(200);
    const back = await chat(sid, { text: '补办身份证要多少钱' });
    expect(back.mode).toBe('bot');
    expect(back.replies.length).toBeGreaterThan(0);
  });

  it('hands the conversation back to the bot on release', async () => {
    const sid = 'handoff-session-2';
    await chat(sid, { text: '转人工' });
    expect((await json('POST', `/api/officer/conversations/${sid}/claim`, undefined, as(li))).status).toBe(200);
    expect((await json('POST', `/api/officer/conversations/${sid}/release`, undefined, as(li))).status).toBe(200);
    // Back with the bot: an answer, or the bot's own walkthrough — not a person.
    expect(['bot', 'flow']).toContain((await chat(sid, { text: '社保卡怎么办' })).mode);
  });

  it('lets a waiting citizen cancel', async () => {
    const sid = 'handoff-session-3';
    expect((await chat(sid, { text: '转人工' })).mode).toBe('queued');
    const out = await chat(sid, { text: '取消转人工' });
    expect(out.mode).toBe('bot');
  });

  it('keeps the queue across a restart', async () => {
    const sid = 'handoff-session-4';
    expect((await chat(sid, { text: '转人工' })).mode).toBe('queued');
    await running.close();
    running = await start();
    li = await login('lihua', 'Window-Desk-2026');
    const queue = (await (await json('GET', '/api/officer/queue', undefined, as(li))).json()) as { conversations: { sessionId: string }[] };
    expect(queue.conversations.map((c) => c.sessionId)).toContain(sid);
    expect((await chat(sid, { text: '还在吗' })).mode).toBe('queued');
  });
});

describe('out of office hours', () => {
  it('offers a call-back, takes a phone number, masks it in the transcript and shows it to officers', async () => {
    await running.close();
    running = await start({ OFFICE_HOURS: 'Sun 00:00-00:01' });
    li = await login('lihua', 'Window-Desk-2026');
    const sid = 'callback-session-1';
    const closed = await chat(sid, { text: '转人工' });
    expect(closed.replies.find((r) => r.type === 'handoff')).toMatchObject({ status: 'closed' });
    const offer = closed.replies.find((r) => r.type === 'choices');
    const cb = offer?.choices?.find((c) => c.label === '留下电话等回电');
    expect(cb).toBeDefined();
    await chat(sid, { choice: cb!.value });
    const done = await chat(sid, { text: '我的电话是 138 1234 5678' });
    const ticket = done.replies.find((r) => r.type === 'handoff');
    expect(ticket).toMatchObject({ status: 'callback_requested' });
    expect(ticket?.text).toMatch(/编号 HJ\d{12}/);
    expect(ticket?.text).toContain('138****5678');

    const t = await (await citizen.messages(sid)).text();
    expect(t).not.toContain('13812345678');
    expect(t).not.toContain('138 1234 5678');

    const list = (await (await json('GET', '/api/officer/callbacks', undefined, as(li))).json()) as { callbacks: { sessionId: string; phone: string; ticket: string; dueAt: string; overdue: boolean }[] };
    expect(list.callbacks.find((c) => c.sessionId === sid)).toMatchObject({ phone: '13812345678', overdue: false });
    expect((await json('POST', `/api/officer/callbacks/${sid}/done`, { note: '已回电' }, as(li))).status).toBe(200);
  });
});

describe('nobody claims in time', () => {
  it('tells the waiting citizen and offers a call-back, which survives a restart', async () => {
    await running.close();
    running = await start({ CLAIM_TIMEOUT_MINUTES: '0.005', HANDOFF_SWEEP_SECONDS: '0.1' });
    const sid = 'timeout-session-01';
    expect((await chat(sid, { text: '转人工' })).mode).toBe('queued');
    let offer: { value: string } | undefined;
    for (let i = 0; i < 40 && !offer; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const t = (await (await citizen.messages(sid)).json()) as {
        messages: { from: string; replies: { type: string; choices?: { label: string; value: string }[] }[] }[];
      };
      offer = t.messages
        .filter((m) => m.from === 'system')
        .flatMap((m) => m.replies.flatMap((r) => r.choices ?? []))
        .find((c) => c.label === '留下电话等回电');
    }
    expect(offer, 'a call-back offer arrives').toBeDefined();
    expect((await chat(sid, { choice: offer!.value })).replies[0]?.text).toContain('请输入您的电话号码');
    const done = await chat(sid, { text: '0774-2812345' });
    expect(done.replies[0]).toMatchObject({ type: 'handoff', status: 'callback_requested' });
    // Booked from the queue: no longer waiting for an officer online — the reply says so at once.
    expect(done.mode).toBe('bot');
    const after = await chat(sid, { text: '社保卡丢了怎么补' });
    expect(after.mode).not.toBe('queued');
    expect(JSON.stringify(after.replies)).not.toContain('工作人员接入后会看到您的留言');

    await running.close();
    running = await start();
    const officer = await login('lihua', 'Window-Desk-2026');
    const list = (await (await json('GET', '/api/officer/callbacks', undefined, as(officer))).json()) as { callbacks: { sessionId: string; phone: string }[] };
    expect(list.callbacks.find((c) => c.sessionId === sid)?.phone).toBe('0774-2812345');
  });
});
