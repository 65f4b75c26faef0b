/**
 * What every channel (web chat, Teams, later others) offers the server. Channels translate their
 * platform's payloads into ChatService calls and render the core's Reply[]; nothing outside
 * src/channels/ imports botkit or the Bot Framework SDK.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestHandler } from 'express';
import type { CaseNotice } from '../handoff/staff-notifications.js';
import type { TranscriptMessage } from '../service/chat-service.js';

export interface Channel {
  readonly name: string;
  /** HTTP routes the channel serves, mounted by the server. */
  readonly router?: RequestHandler;
  /** Takes a websocket upgrade if it is for this channel; returns whether it did. */
  handleUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Delivers a message outside a turn (an officer's reply, a notice); false if the user is not connected. */
  deliver?(sessionId: string, message: TranscriptMessage): Promise<boolean>;
  /**
   * What deliver() reaches when several instances serve together. 'connections': sockets held by
   * this instance, so every instance delivers each message (to its own sockets). 'platform' (the
   * default): a platform's service (Teams), called once, by the instance where the message was added.
   */
  readonly delivery?: 'connections' | 'platform';
  /** Tells a staff member about a case (a new handoff) with a way to claim it; false if they cannot be reached here. */
  notifyStaff?(username: string, notice: StaffNotice): Promise<boolean>;
  close(): Promise<void>;
}

/** What a staff member is told about a case (handoff/staff-notifications.ts). */
export type StaffNotice = CaseNotice;

/** What a channel may do for a staff member who talks to it (all by account username). */
export interface StaffPort {
  /** Redeems a one-time link code for this channel identity; the account's username or null. */
  link(code: string, identity: string): Promise<string | null>;
  whoIs(identity: string): Promise<string | null>;
  claim(username: string, sessionId: string): Promise<StaffOutcome>;
  reply(username: string, sessionId: string, text: string): Promise<StaffOutcome>;
  resolve(username: string, sessionId: string): Promise<StaffOutcome>;
}
export type StaffOutcome = { ok: true } | { ok: false; code: string; reason: string };
