/**
 * Issue 13 item 2 through the HTTP contract: cases go to counter departments, officers' stored
 * departments (old free text included) are read through the same mapping, a case nobody's
 * department serves goes to 综合窗口 and the admin is warned, 转办 picks from the list.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { chatClient } from '../helpers/chat-client.js';

const PASSWORD = 'Window-Desk-2026';
let running: RunningServer;
const citizen = chatClient(() => running.url);
const call = (method: string, path: string, cookie?: string, body?: unknown) =>
  fetch(running.url + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
const login = async (username: string, password = PASSWORD) => {
  const res = await call('POST', '/api/auth/login', undefined, { username, password });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
};
const say = async (sessionId: string, text: string) => {
  const res = await citizen.post({ sessionId, text });
  expect(res.status).toBe(200);
  return (await res.json()) as { mode: string };
};
type QueueItem = { sessionId: string; department: string; officerName: string | null };
const queueOf = async (cookie: string) => ((await (await call('GET', '/api/officer/queue', cookie)).json()) as { conversations: QueueItem[] }).conversations;

let admin: string;
let market: string;
let oldStyle: string;
let general: string;
let editor: string;

beforeAll(async () => {
  running = await startServer(
    readConfig({ PORT: '0', DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-departments-')), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always' }),
    silentLogger,
    { print: () => {} },
  );
  admin = await login('chief', 'Strong-pass-2026');
  for (const [username, role, departments] of [
    ['shichang', 'officer', ['市场监管']],
    // Written before the list existed: the old 转办 list's name for the same department.
    ['laoli', 'officer', ['县级市场监督管理局']],
    ['zonghe', 'officer', ['综合窗口']],
    ['bianji', 'editor', []],
  ] as const) {
    const res = await call('POST', '/api/admin/users', admin, { username, password: PASSWORD, role, displayName: `${username}同志`, departments });
    expect(res.status).toBe(201);
  }
  market = await login('shichang');
  oldStyle = await login('laoli');
  general = await login('zonghe');
  editor = await login('bianji');
});
afterAll(() => running.close());

describe('counter departments', () => {
  it('serves the list to staff pages, with whether anyone serves each', async () => {
    expect((await call('GET', '/api/departments')).status).toBe(401);
    for (const who of [market, editor, admin]) expect((await call('GET', '/api/departments', who)).status).toBe(200);
    const { departments, general: g } = (await (await call('GET', '/api/departments', market)).json()) as { general: string; departments: { name: string; served: boolean }[] };
    expect(g).toBe('综合窗口');
    expect(departments.map((d) => d.name)).toEqual(expect.arrayContaining(['综合窗口', '市场监管', '民政', '人社', '公安']));
    expect(departments.find((d) => d.name === '市场监管')?.served).toBe(true);
    expect(departments.find((d) => d.name === '民政')?.served).toBe(false);
    expect((await call('GET', '/api/admin/departments', market)).status).toBe(403);
  });

  it('queues company registration for 市场监管, seen by its officers whatever way their department is written', async () => {
    const sid = 'dept-company-registration-1';
    await say(sid, '注册有限公司要什么材料');
    expect((await say(sid, '转人工')).mode).toBe('queued');
    for (const who of [market, oldStyle]) expect((await queueOf(who)).find((c) => c.sessionId === sid)).toMatchObject({ department: '市场监管' });
    expect((await queueOf(general)).map((c) => c.sessionId)).not.toContain(sid);
  });

  it('sends a marriage case to 综合窗口 when nobody serves 民政, and warns the admin', async () => {
    const sid = 'dept-marriage-registration-1';
    await say(sid, '结婚登记要带什么');
    expect((await say(sid, '转人工')).mode).toBe('queued');
    expect((await queueOf(general)).find((c) => c.sessionId === sid)).toMatchObject({ department: '综合窗口' });
    expect((await queueOf(market)).map((c) => c.sessionId)).not.toContain(sid);
    const a = (await (await call('GET', '/api/admin/departments', admin)).json()) as { unserved: string[]; warnings: { sessionId: string; department: string; routedTo: string; itemTitle: string }[]; departments: { name: string; officers: string[] }[] };
    expect(a.unserved).toContain('民政');
    expect(a.unserved).not.toContain('市场监管');
    expect(a.departments.find((d) => d.name === '市场监管')?.officers.sort()).toEqual(['laoli', 'shichang']);
    expect(a.warnings[0]).toMatchObject({ sessionId: sid, department: '民政', routedTo: '综合窗口', itemTitle: expect.stringContaining('结婚') });
    // The case says so too.
    const card = (await (await call('GET', `/api/officer/conversations/${sid}`, general)).json()) as { conversation: { history: { type: string; routedFrom?: string }[] } };
    expect(card.conversation.history.at(-1)).toMatchObject({ type: 'request', routedFrom: '民政' });
  });

  it('transfers only to a department on the list that someone serves; the receiving officer sees the note and who wrote it', async () => {
    const sid = 'dept-company-registration-1';
    expect((await call('POST', `/api/officer/conversations/${sid}/claim`, market)).status).toBe(200);
    const unknown = await call('POST', `/api/officer/conversations/${sid}/transfer`, market, { department: '交通运输局', note: '' });
    expect(unknown.status).toBe(400);
    const unserved = await call('POST', `/api/officer/conversations/${sid}/transfer`, market, { department: '民政', note: '' });
    expect(unserved.status).toBe(409);
    expect(((await unserved.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'unserved_department', message: expect.stringContaining('民政') });
    const ok = await call('POST', `/api/officer/conversations/${sid}/transfer`, market, { department: '综合窗口', note: '群众要问婚姻登记，请综合窗口先接' });
    expect(ok.status).toBe(200);
    const card = (await (await call('GET', `/api/officer/conversations/${sid}`, general)).json()) as { conversation: { department: string; history: { type: string; byName: string; note?: string; department?: string }[] } };
    expect(card.conversation.department).toBe('综合窗口');
    expect(card.conversation.history.at(-1)).toMatchObject({ type: 'transfer', byName: 'shichang同志', department: '综合窗口', note: '群众要问婚姻登记，请综合窗口先接' });
    const warned = (await (await call('GET', '/api/admin/departments', admin)).json()) as { warnings: { sessionId: string; department: string; by: string }[] };
    expect(warned.warnings[0]).toMatchObject({ sessionId: sid, department: '民政', by: 'transfer' });
  });
});
