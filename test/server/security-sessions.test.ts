/**
 * Issue 11, finding 6: a conversation belongs to the client that started it. Its transcript and
 * live messages need the key issued with its first answer; ids are long and random; officers see
 * a conversation only once it was handed to a department they serve (admins always).
 * The real server on a lowdb DATA_DIR, so the key's absence from the files can be checked.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SOCKET_PATH } from '../../src/channels/web/web-channel.js';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { OFFICER_SOCKET_PATH } from '../../src/server/officer-socket.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { chatClient } from '../helpers/chat-client.js';

const PASSWORD = 'Window-Desk-2026';
let running: RunningServer;
let dataDir: string;
const citizen = chatClient(() => running.url);

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'yici-sessions-')), 'data');
  running = await startServer(
    readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always' }),
    silentLogger,
    { print: () => {} },
  );
});
afterAll(() => running.close());

interface ChatOut {
  seq: number;
  mode: string;
  sessionKey?: string;
}
const say = async (sessionId: string, text: string, headers: Record<string, string> = {}) => {
  const res = await citizen.post({ sessionId, text }, headers);
  return { status: res.status, body: (await res.json()) as ChatOut & { error?: { code: string; message: string } } };
};
const transcript = async (sessionId: string) =>
  ((await (await citizen.messages(sessionId)).json()) as { messages: { seq: number; from: string; text?: string; replies: { text?: string }[] }[] }).messages;
/** The handoff case as an admin sees it on the case card. */
const caseOf = async (sessionId: string) => {
  const admin = await login('chief', 'Strong-pass-2026');
  const res = await officer(admin, 'GET', `/api/officer/conversations/${sessionId}`);
  return ((await res.json()) as { conversation: { status: string; department: string } }).conversation;
};
const expectForbidden = async (res: Response) => {
  expect(res.status).toBe(403);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('session_forbidden');
  expect(body.error.message).toMatch(/会话密钥/);
};

describe('the conversation key', () => {
  it('is issued once, with the first answer: at least 128 random bits, different for every conversation', async () => {
    const a = await say('key-issued-conversation-a', '个体户营业执照怎么办');
    const b = await say('key-issued-conversation-b', '个体户营业执照怎么办');
    expect(a.status).toBe(200);
    // base64url: 6 bits a character, so 22 characters or more carry at least 128 bits.
    expect(a.body.sessionKey).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(b.body.sessionKey).not.toBe(a.body.sessionKey);
    const next = await say('key-issued-conversation-a', '要多少钱');
    expect(next.status).toBe(200);
    expect(next.body.sessionKey).toBeUndefined();
  });

  it('reading the transcript without the key, or with a wrong one, is refused and changes nothing', async () => {
    const sid = 'reader-needs-the-key';
    await say(sid, '身份证丢了怎么补');
    const before = await transcript(sid);
    expect(before.length).toBe(2);
    const url = `${running.url}/api/chat/${sid}/messages?after=0`;
    await expectForbidden(await fetch(url));
    await expectForbidden(await fetch(url, { headers: { 'x-session-key': '' } }));
    await expectForbidden(await fetch(url, { headers: { 'x-session-key': 'A'.repeat(43) } }));
    // Another conversation's key opens only that conversation.
    await expectForbidden(await fetch(url, { headers: citizen.headers('key-issued-conversation-a') }));
    // An id that was never used is refused the same way: nothing tells whether it exists.
    await expectForbidden(await fetch(`${running.url}/api/chat/nobody-ever-used-this/messages`, { headers: { 'x-session-key': 'A'.repeat(43) } }));
    expect(await transcript(sid)).toEqual(before);
  });

  it('writing without the key, or with a wrong one, is refused and the transcript stays as it was', async () => {
    const sid = 'writer-needs-the-key';
    await say(sid, '社保卡丢了怎么补');
    const before = await transcript(sid);
    const post = (headers: Record<string, string>) =>
      fetch(`${running.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ sessionId: sid, text: '我的电话是 13812345678' }) });
    await expectForbidden(await post({}));
    await expectForbidden(await post({ 'x-session-key': 'wrong-key' }));
    await expectForbidden(await post({ 'x-session-key': `${citizen.keyOf(sid)!.slice(0, -1)}x` }));
    // 转人工 without the key does not queue anything either.
    await expectForbidden(await fetch(`${running.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: sid, text: '转人工' }) }));
    expect(await transcript(sid)).toEqual(before);
    expect(await caseOf(sid)).toMatchObject({ status: 'bot' });
    // With the key the conversation goes on where it was.
    expect((await say(sid, '要带什么材料')).body.seq).toBe(before.length + 2);
  });

  it('feedback, 流程走不通 and the rating need the key too (they name answers and checklists)', async () => {
    const sid = 'feedback-needs-the-key';
    const answer = await say(sid, '个体户营业执照怎么办');
    const bare = (path: string, body: object) => fetch(`${running.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: sid, ...body }) });
    const feedback = async () => (await running.store.log<{ sessionId: string }>('feedback').recent(100)).filter((r) => r.sessionId === sid).length;
    await expectForbidden(await bare('/api/feedback', { seq: answer.body.seq, helpful: true }));
    await expectForbidden(await bare('/api/feedback/process', { reason: 'other', text: 'x' }));
    await expectForbidden(await bare('/api/feedback/rating', { rating: 'poor' }));
    expect(await feedback()).toBe(0);
    expect((await citizen.postFor('/api/feedback', { sessionId: sid, seq: answer.body.seq, helpful: true })).status).toBe(201);
    expect(await feedback()).toBe(1);
  });

  it('is never stored in clear: the store keeps only its SHA-256', async () => {
    const sid = 'stored-as-a-hash-only';
    await say(sid, '新生儿怎么上户口');
    const key = citizen.keyOf(sid)!;
    const record = await running.store.documents<{ keyHash?: string }>('conversations').read(sid);
    expect(record?.keyHash).toBe(createHash('sha256').update(key).digest('hex'));
    const keys = [...['key-issued-conversation-a', 'reader-needs-the-key', 'writer-needs-the-key', sid].map((s) => citizen.keyOf(s)!)];
    const files = await readdir(dataDir, { recursive: true, withFileTypes: true });
    let read = 0;
    for (const f of files.filter((x) => x.isFile())) {
      const text = await readFile(join(f.parentPath, f.name), 'utf8');
      read++;
      for (const k of keys) expect(text.includes(k), `${f.name} holds a key`).toBe(false);
    }
    expect(read).toBeGreaterThan(3);
  });
});

describe('session ids', () => {
  const bad = ['a', 'x'.repeat(15), 'has.dot.in.the.id.x', 'colon:in:the:id:xx', 'space in the id xx', 'ünïcödé-in-the-idx', '中文的会话标识中文的会话标识中文', 'x'.repeat(65), '../../etc/passwd-xx'];
  it.each(bad)('%j → 400 on POST /api/chat and on the transcript', async (sessionId) => {
    const res = await fetch(`${running.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId, text: '你好' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    const read = await fetch(`${running.url}/api/chat/${encodeURIComponent(sessionId)}/messages`);
    expect([400, 404]).toContain(read.status); // 404: a path the router cannot match ("/" inside)
    expect(await running.store.documents('conversations').read(sessionId)).toBeUndefined();
  });

  it('accepts 16 and 64 characters of A-Z a-z 0-9 _ -', async () => {
    for (const sessionId of ['abcdefgh_ABCD-12', `${'Z9_-'.repeat(16)}`]) expect((await say(sessionId, '你好')).status, sessionId).toBe(200);
  });
});

/** A websocket that collects every frame; `next` waits for one that matches. */
async function socket(path: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(running.url.replace('http', 'ws') + path, { headers });
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (match: (m: Record<string, unknown>) => boolean = () => true, from = 0) => {
    for (let i = 0; i < 250; i++) {
      const found = frames.slice(from).find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no matching frame within 5 s; got ${JSON.stringify(frames)}`);
  };
  return { ws, frames, next, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

const login = async (username: string, password = PASSWORD) => {
  const res = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
};
const officer = (cookie: string, method: string, path: string, body?: unknown) =>
  fetch(`${running.url}${path}`, { method, headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

describe('the live socket', () => {
  it('gives nothing to a second socket that says hello with another conversation’s id and no or a wrong key', async () => {
    const sid = 'live-victim-conversation';
    await say(sid, '社保卡丢了怎么补');
    const own = await socket(SOCKET_PATH);
    own.send({ type: 'hello', user: sid, key: citizen.keyOf(sid) });
    expect(await own.next((m) => m.type === 'hello')).toMatchObject({ sessionId: sid, resumed: true });

    const bare = await socket(SOCKET_PATH);
    bare.send({ type: 'hello', user: sid });
    expect(await bare.next()).toMatchObject({ type: 'hello', resumed: false });
    const wrong = await socket(SOCKET_PATH);
    wrong.send({ type: 'hello', user: sid, key: 'A'.repeat(43) });
    expect(((await wrong.next()).error as { code: string }).code).toBe('session_forbidden');
    // Bound to its own conversation, then naming the victim's: still not the victim's socket.
    const squatter = await socket(SOCKET_PATH);
    squatter.send({ type: 'message', user: 'live-squatter-conversation', text: '你好' });
    await squatter.next((m) => typeof m.sessionKey === 'string');
    squatter.send({ type: 'hello', user: sid, key: citizen.keyOf('key-issued-conversation-a') });
    expect(((await squatter.next((m) => Boolean(m.error))).error as { code: string }).code).toBe('session_forbidden');
    // Writing as the victim over a socket without the key: refused, nothing stored.
    const before = await transcript(sid);
    bare.send({ type: 'message', user: sid, text: '转人工' });
    expect(((await bare.next((m) => Boolean(m.error))).error as { code: string }).code).toBe('session_forbidden');
    const seen = squatter.frames.length;
    squatter.send({ type: 'message', user: sid, text: '转人工' });
    expect(((await squatter.next((m) => Boolean(m.error), seen)).error as { code: string }).code).toBe('session_forbidden');
    expect(await transcript(sid)).toEqual(before);

    // The victim asks for a person; an admin claims and answers. Only the victim's socket hears it.
    await say(sid, '转人工');
    const admin = await login('chief', 'Strong-pass-2026');
    expect((await officer(admin, 'POST', `/api/officer/conversations/${sid}/claim`)).status).toBe(200);
    expect((await officer(admin, 'POST', `/api/officer/conversations/${sid}/messages`, { text: '您好，我是窗口工作人员。' })).status).toBe(201);
    await own.next((m) => m.from === 'officer');
    await new Promise((r) => setTimeout(r, 200));
    for (const s of [bare, wrong, squatter]) {
      expect(s.frames.filter((m) => m.sessionId === sid && Array.isArray(m.replies))).toEqual([]);
      expect(JSON.stringify(s.frames)).not.toContain('窗口工作人员');
    }
    for (const s of [own, bare, wrong, squatter]) s.ws.close();
  });
});

describe('officers see only what was handed to their departments', () => {
  it('an officer of another department gets 403 and no queue entry or live event; the department’s officer and the admin do', async () => {
    const sid = 'department-only-case';
    await say(sid, '社保卡丢了怎么补');
    // Still with the bot: no officer may open it (only an admin).
    await running.accounts.create({ username: 'anyone', password: PASSWORD, role: 'officer', displayName: '全部' });
    const anyone = await login('anyone');
    expect((await officer(anyone, 'GET', `/api/officer/conversations/${sid}`)).status).toBe(403);

    await say(sid, '转人工');
    const { department } = await caseOf(sid);
    await running.accounts.create({ username: 'deptofficer', password: PASSWORD, role: 'officer', displayName: '本部门', departments: [department] });
    await running.accounts.create({ username: 'elsewhere', password: PASSWORD, role: 'officer', displayName: '别的部门', departments: [department === '民政' ? '公安' : '民政'] });
    const [own, other, admin] = [await login('deptofficer'), await login('elsewhere'), await login('chief', 'Strong-pass-2026')];

    const liveOwn = await socket(OFFICER_SOCKET_PATH, { cookie: own });
    const liveOther = await socket(OFFICER_SOCKET_PATH, { cookie: other });
    const liveAdmin = await socket(OFFICER_SOCKET_PATH, { cookie: admin });
    for (const s of [liveOwn, liveOther, liveAdmin]) await s.next((m) => m.type === 'hello');

    const queue = async (cookie: string) => ((await (await officer(cookie, 'GET', '/api/officer/queue')).json()) as { conversations: { sessionId: string }[] }).conversations.map((c) => c.sessionId);
    expect(await queue(own)).toContain(sid);
    expect(await queue(admin)).toContain(sid);
    expect(await queue(other)).not.toContain(sid);
    expect((await officer(own, 'GET', `/api/officer/conversations/${sid}`)).status).toBe(200);
    expect((await officer(admin, 'GET', `/api/officer/conversations/${sid}`)).status).toBe(200);
    expect((await officer(other, 'GET', `/api/officer/conversations/${sid}`)).status).toBe(403);
    expect((await officer(other, 'POST', `/api/officer/conversations/${sid}/claim`)).status).toBe(403);

    // A live case event and the citizen's message reach the department and the admin, not the other officer.
    await say(sid, '我的卡是去年办的');
    expect((await officer(own, 'POST', `/api/officer/conversations/${sid}/claim`)).status).toBe(200);
    for (const s of [liveOwn, liveAdmin]) {
      await s.next((m) => m.type === 'message' && m.sessionId === sid);
      await s.next((m) => m.type === 'case' && (m.case as { sessionId: string }).sessionId === sid);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(liveOther.frames.filter((m) => m.sessionId === sid || (m.case as { sessionId?: string } | undefined)?.sessionId === sid)).toEqual([]);
    expect(JSON.stringify(liveOther.frames)).not.toContain('去年办的');
    for (const s of [liveOwn, liveOther, liveAdmin]) s.ws.close();
  });

  it('a conversation never handed to a person is not an officer’s to read, whatever their departments; an admin may', async () => {
    const sid = 'never-handed-to-anyone';
    await say(sid, '身份证丢了怎么补');
    const admin = await login('chief', 'Strong-pass-2026');
    for (const name of ['anyone', 'deptofficer', 'elsewhere']) {
      const cookie = await login(name);
      const res = await officer(cookie, 'GET', `/api/officer/conversations/${sid}`);
      expect(res.status, name).toBe(403);
      expect(await res.text()).not.toContain('身份证丢了');
    }
    expect((await officer(admin, 'GET', `/api/officer/conversations/${sid}`)).status).toBe(200);
  });
});
