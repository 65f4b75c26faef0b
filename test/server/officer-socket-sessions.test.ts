/**
 * Issue 13 item 4: an officer socket lives no longer than its session. It closes (4401 expired)
 * when the session expires, with nobody signing out; and a socket for a session that is already
 * over is refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAccounts, SESSION_HOURS, type Accounts } from '../../src/auth/accounts.js';
import { silentLogger } from '../../src/core/logger.js';
import type { HandoffService } from '../../src/handoff/handoff-service.js';
import { COOKIE } from '../../src/server/auth-routes.js';
import { createOfficerSocket, OFFICER_SOCKET_PATH, SESSION_ENDED, type OfficerSocket } from '../../src/server/officer-socket.js';
import type { ChatService } from '../../src/service/chat-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

const PASSWORD = 'Window-Desk-2026';
/** Sessions opened now expire this long from now. */
const LIFETIME_MS = 1200;
let accounts: Accounts;
let socket: OfficerSocket;
let server: Server;
let url: string;

/** The service's clock, ahead of real time by this much. */
let ahead = 0;
const now = () => Date.now() + ahead;

beforeAll(async () => {
  accounts = createAccounts(createMemoryStore(), () => new Date(now()));
  await accounts.create({ username: 'lihua', password: PASSWORD, role: 'officer' });
  const handoff = { onChange: () => () => {}, get: async () => ({ status: 'bot' }) } as unknown as HandoffService;
  const chat = { onMessage: () => () => {} } as unknown as ChatService;
  socket = createOfficerSocket({ accounts, handoff, chat, logger: silentLogger, now });
  server = createServer((_req, res) => res.end());
  server.on('upgrade', (req, s, head) => {
    if (!socket.handleUpgrade(req, s, head)) s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${OFFICER_SOCKET_PATH}`;
});
afterAll(async () => {
  await socket.close();
  await new Promise((r) => server.close(r));
});

/** A session opened SESSION_HOURS ago less LIFETIME_MS: it ends LIFETIME_MS from now, in real time. */
const signIn = async () => {
  ahead = 0;
  const r = await accounts.login('lihua', PASSWORD, '10.0.0.1');
  if (!r.ok) throw new Error('no session');
  ahead = SESSION_HOURS * 3600_000 - LIFETIME_MS;
  return `${COOKIE}=${encodeURIComponent(r.token)}`;
};

describe('the officer socket and the session’s end', () => {
  it('closes with 4401 expired when the session expires', async () => {
    const ws = new WebSocket(url, { headers: { cookie: await signIn() } });
    const opened = Date.now();
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    expect(await closed).toEqual({ code: SESSION_ENDED, reason: 'expired' });
    expect(Date.now() - opened).toBeGreaterThan(LIFETIME_MS - 400);
  });

  it('refuses to open for an expired session (401)', async () => {
    const cookie = await signIn();
    await new Promise((r) => setTimeout(r, LIFETIME_MS + 100));
    const ws = new WebSocket(url, { headers: { cookie } });
    const status = await new Promise<string>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.once('error', (err) => resolve(err.message));
      ws.once('open', () => resolve('open'));
    });
    expect(status).toMatch(/401/);
    ws.terminate();
  });
});
