/**
 * Live updates for the officer console: a new or changed case appears at once, and the
 * citizen's messages arrive while the officer talks. Signed-in officers and admins only; the
 * socket's Origin must be this site. The transcript route remains the catch-up path.
 *
 * A socket lives no longer than its session: it is closed with code 4401 (and a reason:
 * signed_out, expired, disabled, password, role_changed) when its session is signed out, when
 * the session expires, when the account is disabled or given a new password, or when the account
 * stops being an officer's or admin's — so the console returns to its sign-in form at once.
 *
 * With several instances a console stays connected to the one it reached; cases, messages and
 * account events made on any instance reach it through the services' relays (storage/relay.ts).
 */
import { sees } from '../handoff/officer-actions.js';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AccountEvent, Accounts, PublicUser } from '../auth/accounts.js';
import { isUnavailableError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { DepartmentDesk } from '../handoff/department-desk.js';
import type { HandoffService } from '../handoff/handoff-service.js';
import type { HandoffCase } from '../handoff/transitions.js';
import type { ChatService } from '../service/chat-service.js';
import { readCookie } from './auth-routes.js';
import { sameOrigin } from './same-origin.js';

export const OFFICER_SOCKET_PATH = '/api/officer/socket';
/** The close code of a socket whose session ended (the console shows its sign-in form). */
export const SESSION_ENDED = 4401;
export type SessionEndReason = 'signed_out' | 'expired' | 'disabled' | 'password' | 'role_changed';


export interface OfficerSocket {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

/** One console connected: who, under which session (its id, never its token), and its expiry timer. */
interface Client {
  user: PublicUser;
  sessionId: string;
  expiry: NodeJS.Timeout;
}

const isStaff = (u: PublicUser) => u.role === 'officer' || u.role === 'admin';

export function createOfficerSocket(deps: { accounts: Accounts; handoff: HandoffService; chat: ChatService; logger: Logger; departments?: DepartmentDesk; /** The clock (ms); sessions expire by it. */ now?: () => number }): OfficerSocket {
  const now = deps.now ?? Date.now;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 });
  const clients = new Map<WebSocket, Client>();
  const send = (ws: WebSocket, data: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(data));
  };
  const end = (ws: WebSocket, reason: SessionEndReason) => {
    const c = clients.get(ws);
    if (c) clearTimeout(c.expiry);
    clients.delete(ws);
    ws.close(SESSION_ENDED, reason);
  };
  const unsubscribeAccounts = deps.accounts.onEvent((e: AccountEvent) => {
    for (const [ws, c] of clients) {
      if (e.type === 'signed_out' && c.sessionId === e.sessionId) end(ws, 'signed_out');
      else if (e.type === 'sessions_ended' && c.user.username === e.username) end(ws, e.reason);
      else if (e.type === 'updated' && c.user.username === e.user.username) {
        if (isStaff(e.user)) c.user = e.user;
        else end(ws, 'role_changed');
      }
    }
  });

  const departmentOf = deps.departments?.of;
  const unsubscribeCases = deps.handoff.onChange((c: HandoffCase, r) => {
    const event = r.ok ? r.event : null;
    for (const [ws, { user }] of clients) {
      if (sees(user, c, departmentOf)) send(ws, { type: 'case', case: { sessionId: c.sessionId, status: c.status, department: departmentOf?.(c.department) ?? c.department, item: c.entryId, officer: c.officer, waitingSince: c.queuedAt }, event });
    }
  });
  const unsubscribeMessages = deps.chat.onMessage(async (e) => {
    // No officer connected here: nobody to tell, so the case is not read for every message.
    if ((e.message.from === 'bot' && e.mode === 'bot') || clients.size === 0) return;
    const c = await deps.handoff.get(e.sessionId);
    if (c.status !== 'queued' && c.status !== 'claimed') return;
    for (const [ws, { user }] of clients) if (sees(user, c, departmentOf)) send(ws, { type: 'message', sessionId: e.sessionId, message: e.message });
  });

  return {
    handleUpgrade(req, socket, head) {
      if ((req.url ?? '').split('?')[0] !== OFFICER_SOCKET_PATH) return false;
      const sameSite = sameOrigin(req.headers.origin, req.headers.host);
      const token = readCookie(req);
      void (async () => {
        const session = sameSite && token ? await deps.accounts.sessionOf(token) : undefined;
        const user = session?.user;
        if (!session || !user || !isStaff(user)) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          // setTimeout holds at most 2^31-1 ms (24.8 days); sessions last hours.
          const expiry = setTimeout(() => end(ws, 'expired'), Math.min(2 ** 31 - 1, Math.max(0, Date.parse(session.expiresAt) - now())));
          expiry.unref();
          clients.set(ws, { user, sessionId: session.id, expiry });
          ws.on('close', () => {
            clearTimeout(expiry);
            clients.delete(ws);
          });
          ws.on('error', (err) => deps.logger.warn('officer_socket_error', { error: err.message }));
          send(ws, { type: 'hello', user: { username: user.username, displayName: user.displayName, role: user.role } });
          // Signed out (or disabled) between the lookup and the upgrade: the event above found no socket to close.
          void deps.accounts.sessionOf(token!).then((still) => {
            if (!still && clients.has(ws)) end(ws, 'signed_out');
          }, () => {});
        });
      })().catch((err) => {
        // A failing session lookup must not become an unhandled rejection (which ends the process).
        deps.logger.warn('officer_socket_upgrade_failed', { error: String(err) });
        const status = isUnavailableError(err) ? '503 Service Unavailable' : '500 Internal Server Error';
        if (!socket.destroyed) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      });
      return true;
    },
    async close() {
      unsubscribeCases();
      unsubscribeMessages();
      unsubscribeAccounts();
      for (const [ws, c] of clients) {
        clearTimeout(c.expiry);
        ws.terminate();
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
