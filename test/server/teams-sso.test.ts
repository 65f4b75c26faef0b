/** Teams single sign-on for the officer tab, against a local key set standing in for Microsoft Entra. */
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

const TENANT = '72f988bf-0000-0000-0000-000000000001';
const AUDIENCE = 'api://yici.example.gov.cn/11111111-2222-3333-4444-555555555555';
const OID = '00000000-0000-0000-0000-0000000000b1';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const token = (claims: Record<string, unknown>, key = privateKey, kid = 'k1') => {
  const head = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64({ aud: AUDIENCE, tid: TENANT, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, oid: OID, preferred_username: 'wang@wuzhou.example', exp: Math.floor(Date.now() / 1000) + 600, ...claims })}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
};

let keys: Server;
let connector: Server;
let running: RunningServer;
const listen = (s: Server) => new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as { port: number }).port}/`)));

beforeAll(async () => {
  keys = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] })));
  connector = createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"1"}')));
  const keysUrl = await listen(keys);
  const connectorUrl = await listen(connector);
  running = await startServer(
    readConfig({ PORT: '0', DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-sso-')), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', TEAMS_SSO_RESOURCE: AUDIENCE, TEAMS_SSO_TENANT_ID: TENANT, TEAMS_SSO_JWKS_URL: keysUrl, TEAMS_EMULATOR: 'on' }),
    silentLogger,
    { print: () => {} },
  );
  // The officer links their Teams account the usual way: a code from the console, sent to the bot.
  await running.accounts.create({ username: 'officerwang', password: 'Officer-desk-2026', role: 'officer' });
  const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'officerwang', password: 'Officer-desk-2026' }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { code } = (await (await fetch(`${running.url}/api/officer/teams-link`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' })).json()) as { code: string };
  const linked = await fetch(`${running.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', id: 'a1', text: `绑定 ${code}`, serviceUrl: connectorUrl, channelId: 'msteams', from: { id: '29:1wang', aadObjectId: OID }, recipient: { id: '28:bot' }, conversation: { id: 'a:1wang' } }),
  });
  expect(linked.status).toBe(200);
});
afterAll(async () => {
  await running.close();
  keys.close();
  connector.close();
});

const sso = (t: string) => fetch(`${running.url}/api/auth/teams-sso`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: t }) });

describe('Teams single sign-on', () => {
  it('says it is configured', async () => {
    expect(await (await fetch(`${running.url}/api/auth/teams-sso`)).json()).toEqual({ enabled: true });
  });

  it('signs a linked officer in with a valid token', async () => {
    const res = await sso(token({}));
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const me = (await (await fetch(`${running.url}/api/auth/me`, { headers: { cookie } })).json()) as { user: { username: string } };
    expect(me.user.username).toBe('officerwang');
  });

  it('refuses a token signed by another key, for another audience or tenant, expired, or of an unlinked user', async () => {
    expect((await sso(token({}, other.privateKey))).status).toBe(401);
    expect((await sso(token({ aud: 'api://someone-else' }))).status).toBe(401);
    expect((await sso(token({ tid: '99999999-0000-0000-0000-000000000000' }))).status).toBe(401);
    expect((await sso(token({ exp: Math.floor(Date.now() / 1000) - 3600 }))).status).toBe(401);
    expect((await sso(token({}, privateKey, 'unknown-kid'))).status).toBe(401);
    const unlinked = await sso(token({ oid: '00000000-0000-0000-0000-0000000000ff' }));
    expect(unlinked.status).toBe(403);
    expect(((await unlinked.json()) as { error: { code: string } }).error.code).toBe('not_linked');
  });

  it('refuses a linked officer whose account an admin disabled (403 account_disabled), and signs them in again once enabled', async () => {
    await running.accounts.setDisabled('officerwang', true, 'chief');
    const res = await sso(token({}));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'account_disabled', message: expect.stringMatching(/已停用/) });
    expect(res.headers.get('set-cookie')).toBeNull();
    await running.accounts.setDisabled('officerwang', false, 'chief');
    expect((await sso(token({}))).status).toBe(200);
  });
});
