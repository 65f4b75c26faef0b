/**
 * Issue 11 finding 2: emulator mode is off unless TEAMS_EMULATOR=on, and then refuses forwarded
 * requests and other machines; a Teams link code cannot be guessed (a small budget per code and
 * per Teams user).
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorRefusal } from '../../src/channels/teams/teams-channel.js';
import { ConfigError, readConfig } from '../../src/config.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { createStaffLinks, MAX_MISSES_PER_CODE, MAX_MISSES_PER_IDENTITY } from '../../src/handoff/staff-links.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

let connector: Server;
let connectorUrl: string;
const sent: { text?: string }[] = [];

beforeAll(async () => {
  connector = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      sent.push(JSON.parse(data || '{}') as { text?: string });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"r"}');
    });
  });
  await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
  connectorUrl = `http://127.0.0.1:${(connector.address() as { port: number }).port}/`;
});
afterAll(() => new Promise((r) => connector.close(r)));

const activity = (text: string, user = 'citizen') => ({
  type: 'message',
  id: `act-${Math.random().toString(36).slice(2)}`,
  serviceUrl: connectorUrl,
  channelId: 'msteams',
  from: { id: `29:${user}`, name: user, aadObjectId: `aad-${user}` },
  conversation: { id: `a:${user}-chat`, conversationType: 'personal', tenantId: 'tenant-1' },
  recipient: { id: '28:yici-bot', name: 'Yici' },
  text,
});

const start = async (env: Record<string, string>, logger = silentLogger) =>
  startServer(
    readConfig({ PORT: '0', DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-teams-sec-')), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always', ...env }),
    logger,
    { print: () => {} },
  );
const post = (running: RunningServer, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('Teams emulator mode', () => {
  it('is off without MicrosoftAppId unless TEAMS_EMULATOR=on: a clear JSON 404, said at start-up', async () => {
    const lines: string[] = [];
    const running = await start({}, createLogger('info', (l) => lines.push(l)));
    try {
      const res = await post(running, activity('你好'));
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('teams_not_configured');
      expect(lines.some((l) => l.includes('"teams_off"'))).toBe(true);
      expect(sent).toHaveLength(0);
    } finally {
      await running.close();
    }
    expect(() => readConfig({ TEAMS_EMULATOR: 'yes' })).toThrow(ConfigError);
  });

  it('with TEAMS_EMULATOR=on, answers this machine but refuses every forwarded request', async () => {
    const lines: string[] = [];
    const running = await start({ TEAMS_EMULATOR: 'on' }, createLogger('info', (l) => lines.push(l)));
    try {
      expect(lines.some((l) => l.includes('"teams_emulator_mode"'))).toBe(true);
      const forwarded: Record<string, string>[] = [{ 'x-forwarded-for': '203.0.113.7' }, { forwarded: 'for=203.0.113.7' }, { 'x-real-ip': '203.0.113.7' }, { via: '1.1 nginx' }];
      for (const headers of forwarded) {
        const res = await post(running, activity('你好'), headers);
        expect(res.status, JSON.stringify(headers)).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
      expect(sent).toHaveLength(0);
      expect((await post(running, activity('你好'))).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('refuses peers that are not this machine and replies that would leave it', () => {
    const body = { serviceUrl: 'http://127.0.0.1:9/' };
    expect(emulatorRefusal({ headers: {}, socket: { remoteAddress: '127.0.0.1' }, body })).toBeNull();
    expect(emulatorRefusal({ headers: {}, socket: { remoteAddress: '::ffff:127.0.0.1' }, body })).toBeNull();
    expect(emulatorRefusal({ headers: {}, socket: { remoteAddress: '10.1.2.3' }, body })).toMatch(/本机/);
    expect(emulatorRefusal({ headers: {}, socket: { remoteAddress: '127.0.0.1' }, body: { serviceUrl: 'https://evil.example/' } })).toMatch(/serviceUrl/);
  });
});

describe('Teams link codes', () => {
  it('a code is void after a few wrong guesses, whoever makes them', async () => {
    const links = createStaffLinks(createMemoryStore());
    const { code } = await links.issue('lihua');
    const wrong = code === '123456' ? '654321' : '123456';
    for (let i = 0; i < MAX_MISSES_PER_CODE; i++) expect(await links.redeem(wrong, `teams:guesser-${i}`)).toBeNull();
    expect(await links.redeem(code, 'teams:someone-else')).toBeNull();
    // A new code works.
    const again = await links.issue('lihua');
    expect(await links.redeem(again.code, 'teams:lihua')).toBe('lihua');
    expect(await links.whoIs('teams:lihua')).toBe('lihua');
  });

  it('a Teams user who guesses wrong too often is refused even the right code, also under parallel guesses', async () => {
    const links = createStaffLinks(createMemoryStore());
    const guesses = await Promise.all(Array.from({ length: 300 }, (_, i) => links.redeem(String(100_000 + i), 'teams:attacker')));
    expect(guesses.every((g) => g === null)).toBe(true);
    const { code } = await links.issue('lihua');
    expect(await links.redeem(code, 'teams:attacker')).toBeNull();
    expect(await links.redeem(code, 'teams:lihua')).toBe('lihua');
    expect(MAX_MISSES_PER_IDENTITY).toBeLessThanOrEqual(5);
  });

  it('300 guesses through the bot do not link an attacker, and the officer can still link with a new code', async () => {
    const running = await start({ TEAMS_EMULATOR: 'on' });
    try {
      await running.accounts.create({ username: 'lihua', password: 'Window-Desk-2026', role: 'officer' });
      const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lihua', password: 'Window-Desk-2026' }) });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const issue = async () =>
        ((await (await fetch(`${running.url}/api/officer/teams-link`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' })).json()) as { code: string }).code;
      const code = await issue();
      // The attacker tries codes around the real one, the real one last.
      const tries = [...Array.from({ length: 299 }, (_, i) => String(100_000 + ((Number(code) - 100_000 + 1 + i) % 900_000))), code];
      for (let i = 0; i < tries.length; i += 50) await Promise.all(tries.slice(i, i + 50).map((c) => post(running, activity(`绑定 ${c}`, 'attacker'))));
      expect(await running.store.documents<{ username: string }>('staff-identities').read('teams:aad-attacker')).toBeUndefined();
      const fresh = await issue();
      sent.length = 0;
      expect((await post(running, activity(`绑定 ${fresh}`, 'lihua'))).status).toBe(200);
      for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(sent.at(-1)?.text).toContain('已绑定工作人员账号 lihua');
    } finally {
      await running.close();
    }
  });
});
