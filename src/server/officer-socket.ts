/**
 * Live updates for the officer console: a new or changed case appears at once, and the
 * citizen's messages arrive while the officer talks. Signed-in officers and admins only; the
 * socket's Origin must be this site. The transcript route remains the catch-up path.
 */
import { sees } from '../handoff/officer-actions.js';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Accounts, PublicUser } from '../auth/accounts.js';
import type { Logger } from '../core/logger.js';
import type { DepartmentDesk } from '../handoff/department-desk.js';
import type { HandoffService } from '../handoff/handoff-service.js';
import type { HandoffCase } from '../handoff/transitions.js';
import type { ChatService } from '../service/chat-service.js';
import { readCookie } from './auth-routes.js';
import { sameOrigin } from './same-origin.js';

export const OFFICER_SOCKET_PATH = '/api/officer/socket';


export interface OfficerSocket {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

export function createOfficerSocket(deps: { accounts: Accounts; handoff: HandoffService; chat: ChatService; logger: Logger; departments?: DepartmentDesk }): OfficerSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 });
  const clients = new Map<WebSocket, PublicUser>();
  const send = (ws: WebSocket, data: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(data));
  };

  const departmentOf = deps.departments?.of;
  const unsubscribeCases = deps.handoff.onChange((c: HandoffCase, r) => {
    const event = r.ok ? r.event : null;
    for (const [ws, user] of clients) {
      if (sees(user, c, departmentOf)) send(ws, { type: 'case', case: { sessionId: c.sessionId, status: c.status, department: departmentOf?.(c.department) ?? c.department, item: c.entryId, officer: c.officer, waitingSince: c.queuedAt }, event });
    }
  });
  const unsubscribeMessages = deps.chat.onMessage(async (e) => {
    if (e.message.from === 'bot' && e.mode === 'bot') return;
    const c = await deps.handoff.get(e.sessionId);
    if (c.status !== 'queued' && c.status !== 'claimed') return;
    for (const [ws, user] of clients) if (sees(user, c, departmentOf)) send(ws, { type: 'message', sessionId: e.sessionId, message: e.message });
  });

  return {
    handleUpgrade(req, socket, head) {
      if ((req.url ?? '').split('?')[0] !== OFFICER_SOCKET_PATH) return false;
      const sameSite = sameOrigin(req.headers.origin, req.headers.host);
      const token = readCookie(req);
      void (async () => {
        const user = sameSite && token ? await deps.accounts.session(token) : undefined;
        if (!user || (user.role !== 'officer' && user.role !== 'admin')) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          clients.set(ws, user);
          ws.on('close', () => clients.delete(ws));
          ws.on('error', (err) => deps.logger.warn('officer_socket_error', { error: err.message }));
          send(ws, { type: 'hello', user: { username: user.username, displayName: user.displayName, role: user.role } });
        });
      })().catch((err) => {
        // A failing session lookup must not become an unhandled rejection (which ends the process).
        deps.logger.warn('officer_socket_upgrade_failed', { error: String(err) });
        if (!socket.destroyed) socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n');
      });
      return true;
    },
    async close() {
      unsubscribeCases();
      unsubscribeMessages();
      for (const ws of clients.keys()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
