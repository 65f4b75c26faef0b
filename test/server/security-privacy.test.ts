/**
 * Issue 11 finding 3, from outside: 30 forms of personal data sent through every path that stores
 * or logs text — citizens' messages, unanswered questions, feedback, 流程走不通 reports, ratings,
 * call-back numbers, officers' replies, resolve / transfer / call-back notes, failed login names —
 * and then not one of them is found raw in DATA_DIR or in the log.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allFiles } from '../helpers/files.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

let running: RunningServer;
let dataDir: string;
const logLines: string[] = [];

/** Ten phones, ten ID numbers, five landlines, five addresses, each written a different way. */
const FORMS: { written: string; core: string }[] = [];
for (let i = 0; i < 10; i++) {
  const core = `1${[3, 5, 8, 9][i % 4]}${i}7${String(1000000 + i * 7919).slice(1)}${i % 10}`.slice(0, 11);
  const seps = ['.', '  ', '—', '-', ' ', '·', ' - ', '．', '　', ''][i]!;
  const written = i === 9 ? `+86 ${core}` : `${core.slice(0, 3)}${seps}${core.slice(3, 7)}${seps}${core.slice(7)}`;
  FORMS.push({ written: i === 4 ? written.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)) : written, core });
}
for (let i = 0; i < 10; i++) {
  const core = `45040${i}199${i % 2}0${(i % 9) + 1}1${i}23${i % 3 === 0 ? 'X' : String(i)}`;
  FORMS.push({ written: i % 2 ? core.replace(/(.{6})(.{8})/, '$1 $2 ') : core.toLowerCase(), core: core.slice(0, 17) });
}
for (let i = 0; i < 5; i++) {
  const core = `077${i}28${i}345${i}`;
  FORMS.push({ written: `${core.slice(0, 4)}-${core.slice(4)}`, core });
}
for (let i = 0; i < 5; i++) FORMS.push({ written: `新兴${i + 1}路12${i}号${i + 3}栋60${i}`, core: `12${i}号${i + 3}栋60${i}` });

const joined = (s: string) => s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/(?<=\d)[\s.．\-‐‑‒–—―－·()（）]{1,3}(?=\d)/g, '');

/** Each conversation's key (X-Session-Key), remembered from its first response. */
const keys = new Map<string, string>();
const call = async (method: string, path: string, body?: unknown, cookie?: string) => {
  const sid = (body as { sessionId?: string } | undefined)?.sessionId;
  const key = sid ? keys.get(sid) : undefined;
  const res = await fetch(running.url + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}), ...(key ? { 'x-session-key': key } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (sid && typeof out.sessionKey === 'string') keys.set(sid, out.sessionKey);
  return { status: res.status, body: out };
};


beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'yici-privacy-'));
  running = await startServer(
    readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'debug', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always', RATE_LIMIT_CHAT_PER_MINUTE: '100000', RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: '100000', RATE_LIMIT_HANDOFFS_PER_10_MINUTES: '100000' }),
    createLogger('debug', (l) => logLines.push(l)),
    { print: () => {} },
  );  // Someone serves 市场监管, so its cases stay there (a queue nobody serves goes to 综合窗口) and can be transferred on.
  await running.accounts.create({ username: 'shichang', password: 'Window-Desk-2026', role: 'officer', displayName: '市场', departments: ['市场监管'] });
});
afterAll(() => running.close());

describe('no raw personal data in DATA_DIR or the log', () => {
  it('after 30 forms through every path', async () => {
    const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chief', password: 'Strong-pass-2026' }) });
    const admin = login.headers.get('set-cookie')!.split(';')[0]!;

    for (const [i, { written }] of FORMS.entries()) {
      const sid = `privacy-${String(i).padStart(2, '0')}-abcdefgh`;
      // A question the bot answers, one it cannot (the unanswered log), and feedback of every kind.
      const asked = await call('POST', '/api/chat', { sessionId: sid, text: `个体户营业执照怎么办，我的号码${written}` });
      expect(asked.status).toBe(200);
      await call('POST', '/api/chat', { sessionId: sid, text: `${written} 这个怎么弄啊啊啊` });
      await call('POST', '/api/chat', { sessionId: sid, choice: `choice ${written}` });
      expect((await call('POST', '/api/feedback', { sessionId: sid, seq: 2, helpful: false, comment: `联系我${written}` })).status).toBe(201);
      expect((await call('POST', '/api/feedback/process', { sessionId: sid, reason: 'other', text: `窗口说不行，打${written}` })).status).toBe(201);
      expect((await call('POST', '/api/feedback/rating', { sessionId: sid, rating: 'poor', comment: `回电${written}` })).status).toBe(201);
      // A person: queued, claimed, an officer's reply, a transfer with a note, resolved with a note.
      await call('POST', '/api/chat', { sessionId: sid, text: '转人工' });
      expect((await call('POST', `/api/officer/conversations/${sid}/claim`, {}, admin)).status).toBe(200);
      expect((await call('POST', `/api/officer/conversations/${sid}/messages`, { text: `您是${written}吗` }, admin)).status).toBe(201);
      if (i % 2) {
        expect((await call('POST', `/api/officer/conversations/${sid}/transfer`, { department: '综合窗口', note: `群众电话 ${written}` }, admin)).status).toBe(200);
        expect((await call('POST', `/api/officer/conversations/${sid}/claim`, {}, admin)).status).toBe(200);
      }
      expect((await call('POST', `/api/officer/conversations/${sid}/resolve`, { note: `已办结，身份信息 ${written}` }, admin)).status).toBe(200);
      // A call-back, and its notes.
      const cb = `callback-${String(i).padStart(2, '0')}-abcdefgh`;
      await call('POST', '/api/chat', { sessionId: cb, text: '转人工' });
      await call('POST', '/api/chat', { sessionId: cb, choice: 'callback' });
      await call('POST', '/api/chat', { sessionId: cb, text: `我的电话 ${FORMS[i % 10]!.written}` });
      await call('POST', `/api/officer/callbacks/${cb}/${i % 2 ? 'done' : 'close'}`, { note: `打了 ${written}` }, admin);
      // A login name that is a personal number.
      expect([401, 429]).toContain((await call('POST', '/api/auth/login', { username: written.slice(0, 64), password: 'Wrong-guess-2026' })).status);
    }
    // Officers still see the number they must dial.
    await call('POST', '/api/chat', { sessionId: 'callback-open-abcdefgh', text: '转人工' });
    await call('POST', '/api/chat', { sessionId: 'callback-open-abcdefgh', choice: 'callback' });
    await call('POST', '/api/chat', { sessionId: 'callback-open-abcdefgh', text: '13877776666' });
    const list = (await call('GET', '/api/officer/callbacks', undefined, admin)).body as { callbacks: { sessionId: string; phone: string }[] };
    expect(list.callbacks.find((c) => c.sessionId === 'callback-open-abcdefgh')?.phone).toBe('13877776666');

    await running.store.flush();
    const files = await allFiles(dataDir);
    expect(files.length).toBeGreaterThan(10);
    const texts = [...(await Promise.all(files.map(async (f) => [f, joined(await readFile(f, 'utf8'))] as const))), ['log', joined(logLines.join('\n'))] as const];
    expect(logLines.length).toBeGreaterThan(0);
    for (const [where, text] of texts) {
      for (const { core } of [...FORMS, { core: '13877776666' }]) expect(text.includes(core) || text.toLowerCase().includes(core.toLowerCase()), `${core} in ${where}`).toBe(false);
    }
  }, 120_000);
});
