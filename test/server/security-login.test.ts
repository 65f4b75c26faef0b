/**
 * Issue 11 finding 4 and 8, from outside: lock-out exact under 100 parallel logins, limited per
 * client address (the real officer signs in from another address), no file per failed login
 * name, common passwords refused.
 */
import { request } from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allFiles } from '../helpers/files.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

let running: RunningServer;
let dataDir: string;
let port: number;

/** A JSON POST from a chosen loopback source address (the whole of 127.0.0.0/8 is this machine). */
const post = (path: string, body: unknown, from = '127.0.0.1', cookie?: string) =>
  new Promise<{ status: number; body: { error?: { code: string; message: string } }; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(cookie ? { cookie } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}'), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'yici-login-'));
  running = await startServer(
    readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always' }),
    silentLogger,
    { print: () => {} },
  );
  port = Number(new URL(running.url).port);
});
afterAll(() => running.close());


describe('login lock-out from outside', () => {
  it('checks at most 5 wrong passwords under 100 parallel requests, and the real user signs in from another address', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => post('/api/auth/login', { username: 'chief', password: 'guess-Guess-1' }, '127.0.0.1')));
    expect(results.filter((r) => r.status === 401)).toHaveLength(4);
    expect(results.filter((r) => r.status === 429)).toHaveLength(96);
    expect(results.every((r) => r.status === 401 || (r.status === 429 && Number(r.headers['retry-after']) > 0))).toBe(true);
    // Locked from the attacker's address, even with the right password …
    expect((await post('/api/auth/login', { username: 'chief', password: 'Strong-pass-2026' }, '127.0.0.1')).status).toBe(429);
    // … but not from the officer's own.
    const own = await post('/api/auth/login', { username: 'chief', password: 'Strong-pass-2026' }, '127.0.0.2');
    expect(own.status).toBe(200);
  });

  it('keeps no file per failed login name, and no login name that looks like a phone or ID in clear', async () => {
    for (const username of ['13812345678', '450403199001011234', 'nobody-here']) {
      expect((await post('/api/auth/login', { username, password: 'guess-Guess-1' }, '127.0.0.3')).status).toBe(401);
    }
    await running.store.flush();
    const files = await allFiles(dataDir);
    expect(files.some((f) => f.includes('login-failures'))).toBe(false);
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      expect(text, f).not.toMatch(/13812345678|450403199001011234|nobody-here/);
    }
  });

  it('refuses a common password for a new account with the reason in Chinese', async () => {
    const login = await post('/api/auth/login', { username: 'chief', password: 'Strong-pass-2026' }, '127.0.0.4');
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    for (const password of ['password12', 'P@ssw0rd!!', 'Qwerty123456']) {
      const r = await post('/api/admin/users', { username: 'newbie', password, role: 'officer' }, '127.0.0.4', cookie);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'weak_password' });
      expect(r.body.error?.message).toMatch(/太常见/);
    }
    expect((await post('/api/admin/users', { username: 'newbie', password: 'Window-Desk-2026', role: 'officer' }, '127.0.0.4', cookie)).status).toBe(201);
  });
});
