/**
 * Issue 11, finding 1: a malformed cookie must not stop the server — neither on a websocket
 * upgrade (the handler runs synchronously, outside express) nor on HTTP routes behind sign-in.
 */
import { request } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

let running: RunningServer;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'yici-cookies-'));
  running = await startServer(readConfig({ PORT: '0', DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026' }), silentLogger, { print: () => {} });
});
afterAll(() => running.close());

const BAD_COOKIES = ['yici_session=%', 'yici_session=%E4%', 'yici_session=%zz; other=%', 'yici_session', '=; ;;', 'yici_session="unterminated', `yici_session=${'%'.repeat(4000)}`];

/** A raw websocket upgrade; resolves with the status line the server answered. */
function upgrade(path: string, cookie: string): Promise<string> {
  const { port } = new URL(running.url);
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Cookie: cookie },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(`upgraded ${res.statusCode}`);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('error', (err) => resolve(`error ${err.message}`));
    req.end();
  });
}

describe('malformed cookies', () => {
  it('on a websocket upgrade to the officer socket: refused, and the server keeps running', async () => {
    for (const cookie of BAD_COOKIES) expect(await upgrade('/api/officer/socket', cookie), cookie).toBe('401');
    expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
  });

  it('on HTTP routes behind sign-in: 401, never 500', async () => {
    for (const cookie of BAD_COOKIES) {
      for (const path of ['/api/officer/queue', '/api/kb/entries', '/api/admin/users']) {
        const res = await fetch(running.url + path, { headers: { cookie } });
        expect(res.status, `${path} ${cookie}`).toBe(401);
      }
    }
    expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
  });
});
