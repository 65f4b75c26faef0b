/**
 * Web chat over a websocket, through botkit and botbuilder-adapter-web. The page connects to
 * SOCKET_PATH and sends `{type: "message", user: sessionId, text}` or `{…, choice}`; each reply
 * arrives as `{type: "message", text, replies, mode, match, seq, sessionId}`. The REST route
 * POST /api/chat is the fallback for clients without a socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Botkit, type BotkitMessage, type BotWorker } from 'botkit';
import { WebAdapter } from 'botbuilder-adapter-web';
import type { Logger } from '../../core/logger.js';
import type { Reply, UserInput } from '../../core/types.js';
import type { ChatService, TranscriptMessage } from '../../service/chat-service.js';
import type { Channel } from '../channel.js';

export const SOCKET_PATH = '/api/web/socket';

const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Botkit keeps dialog state we do not use; a storage that keeps nothing stops it growing per user. */
const noStorage = {
  read: async () => ({}),
  write: async () => {},
  delete: async () => {},
};

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
}

interface WsLike {
  readyState: number;
  send(data: string): void;
  terminate(): void;
}

interface AdapterInternals {
  wss?: { clients: Set<WsLike>; handleUpgrade: Function; emit: Function; close(cb?: () => void): void };
  isConnected(user: string): boolean;
  getConnection(user: string): WsLike;
}

export function createWebChannel(options: WebChannelOptions): Channel {
  const { chat, logger, maxMessageLength } = options;
  // noServer: the HTTP server hands us upgrades for SOCKET_PATH only (see handleUpgrade).
  const adapter = new WebAdapter({ noServer: true, maxPayload: 16 * 1024 });
  const controller = new Botkit({ adapter, disable_webserver: true, disable_console: true, storage: noStorage });
  const internals = adapter as unknown as AdapterInternals;

  const fail = async (bot: BotWorker, message: BotkitMessage, code: string, text: string) =>
    bot.reply(message, { type: 'message', text, channelData: { error: { code, message: text } } });

  controller.on('message', async (bot: BotWorker, message: BotkitMessage) => {
    const sessionId = String(message.user ?? '');
    const data = (message.incoming_message?.channelData ?? {}) as { text?: unknown; choice?: unknown };
    if (!SESSION_ID.test(sessionId)) return fail(bot, message, 'invalid_session', 'sessionId 格式不正确');
    let input: UserInput;
    if (typeof data.choice === 'string' && data.choice.length > 0 && data.choice.length <= 200) input = { choice: data.choice };
    else if (typeof data.text === 'string' && data.text.trim().length > 0) {
      if (data.text.length > maxMessageLength) {
        return fail(bot, message, 'message_too_long', `消息太长了，请控制在 ${maxMessageLength} 字以内`);
      }
      input = { text: data.text };
    } else return fail(bot, message, 'invalid_request', '请输入文字或点选按钮');
    try {
      const out = await chat.handle(sessionId, input, 'web');
      await bot.reply(message, {
        type: 'message',
        text: repliesToText(out.replies),
        channelData: { sessionId, mode: out.mode, replies: out.replies, match: out.match, seq: out.seq },
      });
    } catch (err) {
      logger.error('web_channel_turn_failed', { error: String((err as Error).message ?? err) });
      await fail(bot, message, 'internal_error', '抱歉，系统出了点问题。请稍后再试，或拨打 12345 热线。');
    }
  });

  return {
    name: 'web',
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const path = (req.url ?? '').split('?')[0];
      const wss = internals.wss;
      if (path !== SOCKET_PATH || !wss) return false;
      wss.handleUpgrade(req, socket, head, (ws: unknown) => wss.emit('connection', ws, req));
      return true;
    },
    async deliver(sessionId: string, message: TranscriptMessage) {
      if (!internals.isConnected(sessionId)) return false;
      const ws = internals.getConnection(sessionId);
      if (ws.readyState !== 1) return false;
      ws.send(JSON.stringify({ type: 'message', text: repliesToText(message.replies), sessionId, from: message.from, replies: message.replies, seq: message.seq }));
      return true;
    },
    async close() {
      const wss = internals.wss;
      if (!wss) return;
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
