/**
 * Web chat over a websocket (the ws package). The page connects to SOCKET_PATH and sends
 * `{type: "message", user: sessionId, text}` or `{…, choice}`; each reply arrives as
 * `{type: "message", text, sessionId, mode, replies, match, seq}` (the first reply of a new
 * conversation also carries `sessionKey`), a refusal as `{type: "message", text, error: {code,
 * message}}`. The REST route POST /api/chat is the fallback for clients without a socket.
 *
 * A socket is bound to at most one conversation, and only by proof of its key: by
 * `{type: "hello", user, key}` when the page resumes, or by starting the conversation on this
 * socket. Live messages (officer replies, notices) go only to sockets bound that way, and a
 * turn's reply goes back on the socket that asked.
 *
 * The frames are those botkit's web adapter (botbuilder-adapter-web) sends, which carried this
 * channel before; botkit stays where it carries the Bot Framework (src/channels/teams/).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, isUnavailableError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Reply, UserInput } from '../../core/types.js';
import { CLIENT_SESSION_ID, type ChatService, type TranscriptMessage } from '../../service/chat-service.js';
import type { Channel } from '../channel.js';

export const SOCKET_PATH = '/api/web/socket';

/** Browsers answer pings; a socket that missed one heartbeat is gone and is dropped. */
const HEARTBEAT_MS = 30_000;

export const repliesToText = (replies: Reply[]): string =>
  replies
    .map((r) =>
      r.type === 'choices' ? `${r.text} ${r.choices.map((c) => `[${c.label}]`).join(' ')}` : 'text' in r ? r.text : r.title,
    )
    .join('\n\n');

export interface WebChannelOptions {
  chat: ChatService;
  logger: Logger;
  maxMessageLength: number;
  /** Socket messages per client address per minute (the same limit as POST /api/chat); over it: a rate_limited frame. */
  messagesPerMinute?: number;
}

/** A message of the page, as far as a turn needs it. */
interface TurnData {
  sessionId: string;
  text?: string;
  choice?: string;
  /** The conversation's key: the one this socket proved, or the one sent with the message. */
  key?: string;
  /** The socket's client address: new handoffs are limited per client, on sockets as over HTTP. */
  client: string;
}

/** A frame sent to the page. */
type Frame = Record<string, unknown>;

const errorFrame = (code: string, message: string, sessionId?: string) => ({
  type: 'message',
  text: message,
  ...(sessionId ? { sessionId } : {}),
  error: { code, message },
});

export function createWebChannel(options: WebChannelOptions): Channel {
  const { chat, logger, maxMessageLength, messagesPerMinute = 60 } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  /** Which conversation each socket proved it holds, and the sockets of each conversation. */
  const bound = new Map<WebSocket, { sessionId: string; key: string }>();
  const bySession = new Map<string, Set<WebSocket>>();
  const alive = new WeakSet<WebSocket>();

  const bind = (ws: WebSocket, sessionId: string, key: string) => {
    unbind(ws);
    bound.set(ws, { sessionId, key });
    const set = bySession.get(sessionId) ?? new Set<WebSocket>();
    set.add(ws);
    bySession.set(sessionId, set);
  };
  const unbind = (ws: WebSocket) => {
    const was = bound.get(ws);
    if (!was) return;
    bound.delete(ws);
    const set = bySession.get(was.sessionId);
    set?.delete(ws);
    if (set && set.size === 0) bySession.delete(was.sessionId);
  };
  const send = (ws: WebSocket, data: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(data));
  };

  /** One turn: the frame that answers the page's message. */
  async function turn(data: TurnData): Promise<Frame> {
    const { sessionId } = data;
    if (!CLIENT_SESSION_ID.test(sessionId)) {
      return errorFrame('invalid_session', 'sessionId 必须是 16 到 64 个字符的字母、数字、_ 或 -，并且随机生成');
    }
    let input: UserInput;
    if (typeof data.choice === 'string' && data.choice.length > 0 && data.choice.length <= 200) input = { choice: data.choice };
    else if (typeof data.text === 'string' && data.text.trim().length > 0) {
      if (data.text.length > maxMessageLength) {
        return errorFrame('message_too_long', `消息太长了，请控制在 ${maxMessageLength} 字以内`);
      }
      input = { text: data.text };
    } else return errorFrame('invalid_request', '请输入文字或点选按钮');
    try {
      const out = await chat.handle(sessionId, input, 'web', { key: data.key }, data.client);
      return {
        type: 'message',
        text: repliesToText(out.replies),
        sessionId,
        mode: out.mode,
        replies: out.replies,
        match: out.match,
        seq: out.seq,
        ...(out.sessionKey ? { sessionKey: out.sessionKey } : {}),
      };
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return errorFrame(err.code, err.message);
      if (isUnavailableError(err)) {
        logger.warn('web_channel_turn_unavailable', { error: String((err as Error).message ?? err) });
        return errorFrame('service_unavailable', '系统暂时无法处理您的消息（数据存储连接不上），这条消息没有发出。请稍后再发，急事请拨打 12345 热线。');
      }
      logger.error('web_channel_turn_failed', { error: String((err as Error).message ?? err) });
      return errorFrame('internal_error', '抱歉，系统出了点问题。请稍后再试，或拨打 12345 热线。');
    }
  }

  async function onMessage(ws: WebSocket, raw: string, client: string) {
    let m: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      m = parsed as Record<string, unknown>;
    } catch {
      return send(ws, errorFrame('invalid_json', '消息必须是 JSON 对象'));
    }
    const sessionId = typeof m.user === 'string' ? m.user : '';
    const presented = typeof m.key === 'string' && m.key.length > 0 ? m.key : undefined;

    if (m.type === 'hello') {
      // Resuming: the socket is bound only by the conversation's key. Without one there is nothing
      // to resume (a page that has not started its conversation yet), whether or not the id exists.
      if (!CLIENT_SESSION_ID.test(sessionId)) return send(ws, errorFrame('invalid_session', 'sessionId 格式不正确'));
      if (!presented) {
        unbind(ws);
        return send(ws, { type: 'hello', sessionId, resumed: false });
      }
      if (!(await chat.authorize(sessionId, presented))) {
        unbind(ws);
        return send(ws, errorFrame('session_forbidden', '无权访问这个对话：会话密钥不正确。', sessionId));
      }
      bind(ws, sessionId, presented);
      return send(ws, { type: 'hello', sessionId, resumed: true });
    }
    if (m.type !== 'message') return send(ws, errorFrame('invalid_request', 'type 只能是 hello 或 message'));

    // The key this socket proved for this conversation, else the one sent with the message.
    const proved = bound.get(ws);
    const key = proved && proved.sessionId === sessionId ? proved.key : presented;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const reply = await turn({ sessionId, text: str(m.text), choice: str(m.choice), key, client });
    send(ws, reply);
    // A turn that went through proves the key: the issued one for a new conversation, else the one used.
    const issued = typeof reply.sessionKey === 'string' ? reply.sessionKey : undefined;
    if (!reply.error && (issued ?? key)) bind(ws, sessionId, (issued ?? key)!);
  }

  /**
   * Messages per client address in the current minute: the socket gets the same limit as POST
   * /api/chat. Counted per instance, in memory, even when the HTTP limits are shared through Redis:
   * a socket stays on the instance it reached, and a client needs several sockets on several
   * instances to exceed it — and each turn still passes the shared per-address limit of new handoffs.
   */
  const perAddress = new Map<string, { count: number; resetAt: number }>();
  const overLimit = (address: string): boolean => {
    const now = Date.now();
    let w = perAddress.get(address);
    if (!w || w.resetAt <= now) {
      if (perAddress.size > 10_000) for (const [k, v] of perAddress) if (v.resetAt <= now) perAddress.delete(k);
      perAddress.set(address, (w = { count: 0, resetAt: now + 60_000 }));
    }
    w.count++;
    return w.count > messagesPerMinute;
  };

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('message', (data) => {
      if (overLimit(address)) return send(ws, errorFrame('rate_limited', '消息发得太快了，请稍等一会儿再发。'));
      onMessage(ws, String(data), address).catch((err) => {
        logger.error('web_socket_message_failed', { error: String((err as Error).message ?? err) });
        send(ws, errorFrame('internal_error', '抱歉，系统出了点问题。请稍后再试，或拨打 12345 热线。'));
      });
    });
    ws.on('close', () => unbind(ws));
    ws.on('error', (err) => logger.warn('web_socket_error', { error: err.message }));
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    name: 'web',
    delivery: 'connections',
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== SOCKET_PATH) return false;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return true;
    },
    async deliver(sessionId: string, message: TranscriptMessage) {
      const sockets = bySession.get(sessionId);
      if (!sockets || sockets.size === 0) return false;
      const frame = { type: 'message', text: repliesToText(message.replies), sessionId, from: message.from, replies: message.replies, seq: message.seq };
      for (const ws of sockets) send(ws, frame);
      return true;
    },
    async close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
