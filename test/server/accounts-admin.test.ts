/**
 * Issue 13, items 4 and 12, through the HTTP API of the real server: an admin changes an
 * account's name, role and departments, disables and enables it, gives it a new password (each
 * ending every session of the account and its officer sockets), and never leaves the service
 * without an enabled admin; every change is in the accounts' audit log. Signing out closes the
 * officer sockets of that session only.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { OFFICER_SOCKET_PATH, SESSION_ENDED } from '../../src/server/officer-socket.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { chatClient } from '../helpers/chat-client.js';

const CHIEF = 'Strong-pass-2026';
const PASSWORD = 'Window-Desk-2026';
let running: RunningServer;

beforeAll(async () => {
  running = await startServer(
    readConfig({ PORT: '0', DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-accounts-')), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: CHIEF, OFFICE_HOURS: 'always', TEAMS_EMULATOR: 'on', RATE_LIMIT_LOGIN_PER_MINUTE: '1000' }),
    silentLogger,
    { print: () => {} },
  );
});
afterAll(() => running.close());

interface Answer {
  status: number;
  body: { user?: { username: string; displayName: string; role: string; departments: string[]; disabled: boolean }; error?: { code: string; message: string }; events?: Record<string, unknown>[] };
}
const call = async (cookie: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
  const res = await fetch(`${running.url}${path}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
};
const loginAnswer = (username: string, password: string) =>
  fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
const login = async (username: string, password = PASSWORD) => {
  const res = await loginAnswer(username, password);
  expect(res.status, `${username} signs in`).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
};
const me = async (cookie: string) => (await call(cookie, 'GET', '/api/auth/me')).status;

/** An officer socket with this cookie; `closed` resolves with the close code and reason. */
async function officerSocket(cookie: string) {
  const ws = new WebSocket(running.url.replace('http', 'ws') + OFFICER_SOCKET_PATH, { headers: { cookie } });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  return { ws, closed };
}
/** Whether the promise is still pending after a short wait. */
const stillOpen = async (closed: Promise<unknown>) => (await Promise.race([closed.then(() => false), new Promise((r) => setTimeout(() => r(true), 300))])) as boolean;

let seq = 0;
const newOfficer = async (departments: string[] = []) => {
  const username = `officer${++seq}`;
  await running.accounts.create({ username, password: PASSWORD, role: 'officer', displayName: `工作人员${seq}`, departments });
  return username;
};

describe('signing out', () => {
  it('closes the officer sockets of that session (4401 signed_out), not those of the same account’s other session', async () => {
    const name = await newOfficer();
    const [tabs, desk] = [await login(name), await login(name)];
    const [a, b, other] = [await officerSocket(tabs), await officerSocket(tabs), await officerSocket(desk)];
    expect((await call(tabs, 'POST', '/api/auth/logout')).status).toBe(200);
    for (const s of [a, b]) expect(await s.closed).toEqual({ code: SESSION_ENDED, reason: 'signed_out' });
    expect(await stillOpen(other.closed)).toBe(true);
    expect(await me(tabs)).toBe(401);
    expect(await me(desk)).toBe(200);
    other.ws.close();
  });
});

describe('admin: disable and enable an account', () => {
  it('a disabled account cannot sign in, its sessions end and its sockets close; enabled again it signs in', async () => {
    const admin = await login('chief', CHIEF);
    const name = await newOfficer();
    const cookie = await login(name);
    const live = await officerSocket(cookie);

    const off = await call(admin, 'POST', `/api/admin/users/${name}/disable`);
    expect(off.status).toBe(200);
    expect(off.body.user).toMatchObject({ username: name, disabled: true });
    expect(await live.closed).toEqual({ code: SESSION_ENDED, reason: 'disabled' });
    expect(await me(cookie)).toBe(401);
    expect((await call(cookie, 'GET', '/api/officer/queue')).status).toBe(401);

    const refused = await loginAnswer(name, PASSWORD);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as Answer['body']).error).toMatchObject({ code: 'account_disabled', message: expect.stringMatching(/已停用/) });
    expect(refused.headers.get('set-cookie')).toBeNull();
    // A wrong password says nothing about the account.
    expect((await loginAnswer(name, 'Wrong-pass-2026')).status).toBe(401);
    // The list shows it disabled.
    const list = (await (await fetch(`${running.url}/api/admin/users`, { headers: { cookie: admin } })).json()) as { users: { username: string; disabled: boolean }[] };
    expect(list.users.find((u) => u.username === name)?.disabled).toBe(true);

    const on = await call(admin, 'POST', `/api/admin/users/${name}/enable`);
    expect(on.status).toBe(200);
    expect(on.body.user?.disabled).toBe(false);
    // The old session stays ended; a new sign-in works.
    expect(await me(cookie)).toBe(401);
    expect(await me(await login(name))).toBe(200);
  });

  it('a disabled officer linked to Teams can no longer claim there', async () => {
    const name = await newOfficer();
    const cookie = await login(name);
    const { code } = (await (await fetch(`${running.url}/api/officer/teams-link`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' })).json()) as { code: string };
    const replies: string[] = [];
    const { createServer } = await import('node:http');
    const connector = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        replies.push(String((JSON.parse(data || '{}') as { text?: string }).text ?? ''));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"r"}');
      });
    });
    await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
    try {
      const serviceUrl = `http://127.0.0.1:${(connector.address() as { port: number }).port}/`;
      const activity = (extra: Record<string, unknown>) => ({
        type: 'message', id: `act-${Math.random().toString(36).slice(2)}`, serviceUrl, channelId: 'msteams',
        from: { id: `29:${name}`, name, aadObjectId: `aad-${name}` }, conversation: { id: `a:${name}-chat`, conversationType: 'personal', tenantId: 't' },
        recipient: { id: '28:yici-bot', name: 'Yici' }, ...extra,
      });
      const bot = async (extra: Record<string, unknown>) => {
        const before = replies.length;
        expect((await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity(extra)) })).status).toBe(200);
        for (let i = 0; i < 150 && replies.length === before; i++) await new Promise((r) => setTimeout(r, 20));
        return replies.at(-1) ?? '';
      };
      expect(await bot({ text: `绑定 ${code}` })).toContain(`已绑定工作人员账号 ${name}`);
      const citizen = chatClient(running.url);
      const sid = `teams-disabled-case-${seq}`;
      expect((await citizen.post({ sessionId: sid, text: '转人工' })).status).toBe(200);

      const admin = await login('chief', CHIEF);
      expect((await call(admin, 'POST', `/api/admin/users/${name}/disable`)).status).toBe(200);
      expect(await bot({ value: { yiciClaim: sid } })).toMatch(/没能接单/);
      const queue = (await (await fetch(`${running.url}/api/officer/queue`, { headers: { cookie: admin } })).json()) as { conversations: { sessionId: string; officer?: string | null }[] };
      expect(queue.conversations.find((c) => c.sessionId === sid)?.officer ?? null).toBeNull();
    } finally {
      await new Promise((r) => connector.close(r));
    }
  });
});

describe('admin: a new password', () => {
  it('is checked like one at creation; once set, the old password and every session end', async () => {
    const admin = await login('chief', CHIEF);
    const name = await newOfficer();
    const [one, two] = [await login(name), await login(name)];
    const live = await officerSocket(one);
    for (const [password, problem] of [['Qwerty123456', /太常见/], ['short-1', /至少 10 位/], [`${name}-2026-Desk`, /用户名/], ['aaaaaaaaaaaa', /两种/]] as const) {
      const r = await call(admin, 'POST', `/api/admin/users/${name}/password`, { password });
      expect(r.status, password).toBe(400);
      expect(r.body.error?.code).toBe('weak_password');
      expect(r.body.error?.message).toMatch(problem);
    }
    expect((await call(admin, 'POST', `/api/admin/users/${name}/password`, {})).status).toBe(400);
    // Refused passwords changed nothing.
    expect(await stillOpen(live.closed)).toBe(true);
    expect(await me(two)).toBe(200);

    const set = await call(admin, 'POST', `/api/admin/users/${name}/password`, { password: 'Counter-Lamp-77' });
    expect(set.status).toBe(200);
    expect(JSON.stringify(set.body)).not.toMatch(/passwordHash|scrypt|Counter-Lamp/);
    expect(await live.closed).toEqual({ code: SESSION_ENDED, reason: 'password' });
    expect(await me(one)).toBe(401);
    expect(await me(two)).toBe(401);
    expect((await loginAnswer(name, PASSWORD)).status).toBe(401);
    expect(await me(await login(name, 'Counter-Lamp-77'))).toBe(200);
  });
});

describe('admin: name, role and departments', () => {
  it('changes them; the officer’s session goes on with the new values, and its socket follows', async () => {
    const admin = await login('chief', CHIEF);
    const name = await newOfficer(['综合窗口']);
    const cookie = await login(name);
    const live = await officerSocket(cookie);
    const r = await call(admin, 'PATCH', `/api/admin/users/${name}`, { displayName: ' 王芳 ', departments: ['公安户政', ' 民政局 ', '公安户政'] });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: name, displayName: '王芳', role: 'officer', departments: ['公安户政', '民政局'] });
    expect((await call(cookie, 'GET', '/api/auth/me')).body.user).toMatchObject({ displayName: '王芳', departments: ['公安户政', '民政局'] });
    expect(await stillOpen(live.closed)).toBe(true);

    // Made an editor: the officer socket closes (the console is not theirs any more); the session lives on as an editor's.
    const editor = await call(admin, 'PATCH', `/api/admin/users/${name}`, { role: 'editor' });
    expect(editor.body.user?.role).toBe('editor');
    expect(await live.closed).toEqual({ code: SESSION_ENDED, reason: 'role_changed' });
    expect((await call(cookie, 'GET', '/api/auth/me')).body.user?.role).toBe('editor');
    expect((await call(cookie, 'GET', '/api/officer/queue')).status).toBe(403);
  });

  it('refuses an empty change, unknown fields, a bad role, an empty name and an unknown account', async () => {
    const admin = await login('chief', CHIEF);
    const name = await newOfficer();
    for (const body of [{}, { username: 'renamed' }, { role: 'root' }, { displayName: '   ' }, { departments: 'all' }, { passwordHash: 'x' }]) {
      const r = await call(admin, 'PATCH', `/api/admin/users/${name}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    for (const [method, path, body] of [['PATCH', '/api/admin/users/nobody-here', { displayName: '某人' }], ['POST', '/api/admin/users/nobody-here/disable', undefined], ['POST', '/api/admin/users/nobody-here/enable', undefined], ['POST', '/api/admin/users/nobody-here/password', { password: 'Counter-Lamp-77' }]] as const) {
      const r = await call(admin, method, path, body);
      expect(r.status, path).toBe(404);
      expect(r.body.error?.code).toBe('not_found');
    }
  });
});

describe('the last enabled admin', () => {
  it('cannot disable or demote themselves; with a second admin they can, and two admins cannot both go at once', async () => {
    const chief = await login('chief', CHIEF);
    for (const [method, path, body] of [['POST', '/api/admin/users/chief/disable', undefined], ['PATCH', '/api/admin/users/chief', { role: 'officer' }]] as const) {
      const r = await call(chief, method, path, body);
      expect(r.status, path).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'last_admin', message: expect.stringMatching(/最后一个可用的管理员/) });
    }
    expect((await running.accounts.get('chief'))).toMatchObject({ role: 'admin', disabled: false });
    // A disabled admin does not count.
    await running.accounts.create({ username: 'deputy', password: PASSWORD, role: 'admin', displayName: '副主任' });
    expect((await call(chief, 'POST', '/api/admin/users/deputy/disable')).status).toBe(200);
    expect((await call(chief, 'PATCH', '/api/admin/users/chief', { role: 'officer' })).status).toBe(409);
    expect((await call(chief, 'POST', '/api/admin/users/deputy/enable')).status).toBe(200);

    // Two admins disabling each other at the same moment: exactly one succeeds. The other is
    // refused as the last admin (409), or finds its own session already ended (401).
    const deputy = await login('deputy');
    const both = await Promise.all([call(chief, 'POST', '/api/admin/users/deputy/disable'), call(deputy, 'POST', '/api/admin/users/chief/disable')]);
    expect(both.filter((r) => r.status === 200)).toHaveLength(1);
    expect([401, 409]).toContain(both.find((r) => r.status !== 200)!.status);
    const admins = (await running.accounts.list()).filter((u) => u.role === 'admin' && !u.disabled);
    expect(admins).toHaveLength(1);
    // Put things back for the other tests: the remaining admin enables the other.
    const left = admins[0]!.username;
    const cookie = left === 'chief' ? await login('chief', CHIEF) : await login('deputy');
    expect((await call(cookie, 'POST', `/api/admin/users/${left === 'chief' ? 'deputy' : 'chief'}/enable`)).status).toBe(200);
    // Now chief may step down to officer, since deputy remains.
    const chief2 = await login('chief', CHIEF);
    expect((await call(chief2, 'PATCH', '/api/admin/users/chief', { role: 'officer' })).status).toBe(200);
    expect((await call(chief2, 'GET', '/api/admin/users')).status).toBe(403);
    const deputy2 = await login('deputy');
    expect((await call(deputy2, 'PATCH', '/api/admin/users/chief', { role: 'admin' })).status).toBe(200);
  });
});

describe('who may call the account routes', () => {
  it('401 without a session, 403 for an officer or editor, 403 from another site, 415 for a form post', async () => {
    const name = await newOfficer();
    await running.accounts.create({ username: `editor${seq}`, password: PASSWORD, role: 'editor' });
    const officer = await login(name);
    const editor = await login(`editor${seq}`);
    const routes = [
      ['PATCH', `/api/admin/users/${name}`, { displayName: '某人' }],
      ['POST', `/api/admin/users/${name}/disable`, undefined],
      ['POST', `/api/admin/users/${name}/enable`, undefined],
      ['POST', `/api/admin/users/${name}/password`, { password: 'Counter-Lamp-77' }],
      ['GET', '/api/admin/audit', undefined],
    ] as const;
    for (const [method, path, body] of routes) {
      expect((await call(null, method, path, body)).status, path).toBe(401);
      expect((await call(officer, method, path, body)).status, path).toBe(403);
      expect((await call(editor, method, path, body)).status, path).toBe(403);
    }
    const admin = await login('chief', CHIEF);
    const foreign = await call(admin, 'POST', `/api/admin/users/${name}/disable`, undefined, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const form = await fetch(`${running.url}/api/admin/users/${name}/password`, { method: 'POST', headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=Counter-Lamp-77' });
    expect(form.status).toBe(415);
    expect((await running.accounts.get(name))?.disabled).toBe(false);
    expect(await me(officer)).toBe(200);
  });
});

describe('the accounts audit log', () => {
  it('records who created, changed, disabled, enabled and reset what — never a password', async () => {
    const admin = await login('chief', CHIEF);
    const name = `audited${++seq}`;
    expect((await call(admin, 'POST', '/api/admin/users', { username: name, password: PASSWORD, role: 'officer', displayName: '审计' })).status).toBe(201);
    await call(admin, 'PATCH', `/api/admin/users/${name}`, { departments: ['税务局'] });
    await call(admin, 'POST', `/api/admin/users/${name}/disable`);
    await call(admin, 'POST', `/api/admin/users/${name}/enable`);
    await call(admin, 'POST', `/api/admin/users/${name}/password`, { password: 'Counter-Lamp-77' });
    // A refused change is not recorded.
    await call(admin, 'POST', `/api/admin/users/${name}/password`, { password: 'Qwerty123456' });
    const r = await call(admin, 'GET', '/api/admin/audit');
    expect(r.status).toBe(200);
    const mine = r.body.events!.filter((e) => e.username === name);
    expect(mine.map((e) => e.action)).toEqual(['password', 'enable', 'disable', 'update', 'create']);
    expect(mine.every((e) => e.by === 'chief' && typeof e.at === 'string')).toBe(true);
    expect(mine.find((e) => e.action === 'update')?.changes).toEqual({ departments: ['税务局'] });
    expect(JSON.stringify(r.body)).not.toMatch(/Counter-Lamp|Window-Desk|Qwerty|scrypt/);
  });
});
