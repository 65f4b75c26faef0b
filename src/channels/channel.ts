/**
 * What every channel (web chat, Teams, later others) offers the server. Channels translate their
 * platform's payloads into ChatService calls and render the core's Reply[]; nothing outside
 * src/channels/ imports botkit or the Bot Framework SDK.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestHandler } from 'express';
import type { TranscriptMessage } from '../service/chat-service.js';

export interface Channel {
  readonly name: string;
  /** HTTP routes the channel serves, mounted by the server. */
  readonly router?: RequestHandler;
  /** Takes a websocket upgrade if it is for this channel; returns whether it did. */
  handleUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Delivers a message outside a turn (an officer's reply, a notice); false if the user is not connected. */
  deliver?(sessionId: string, message: TranscriptMessage): Promise<boolean>;
  close(): Promise<void>;
}
