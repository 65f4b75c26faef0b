/**
 * What the handoff side needs of a conversation: to add a message to it — an officer's words or a
 * notice — that the citizen then sees. The chat service implements it; handoff code depends on
 * this port, never on the service (which itself uses handoff).
 */
import type { Reply } from '../core/types.js';

/** `M` is the message as the implementation keeps it (the chat service's TranscriptMessage). */
export interface ConversationPort<M = unknown> {
  /** Adds the message to the conversation (masked) and delivers it; null when there is no such conversation. */
  post(sessionId: string, from: 'officer' | 'system', replies: Reply[], author?: string): Promise<M | null>;
}
