/**
 * The application service every channel talks to: masks personal numbers, runs the dialogue
 * core, keeps the transcript and the log of unanswered questions, and persists the conversation.
 * Messages of one conversation are handled one at a time, in arrival order.
 */
import { randomBytes } from 'node:crypto';
import { maskPersonal } from '../core/mask-personal.js';
import type { Match, Mode, Reply, UserInput } from '../core/types.js';
import { initialState, step, type ConversationState, type DialogueEvent } from '../dialogue/step.js';
import type { Flow } from '../dialogue/parse-flows.js';
import type { Checklist } from '../knowledge/compute-checklist.js';
import type { Engine } from '../knowledge/engine.js';
import type { Store } from '../storage/ports.js';

export type Sender = 'user' | 'bot' | 'officer' | 'system';

export interface TranscriptMessage {
  seq: number;
  from: Sender;
  /** For a user: what they typed or the label of the button they pressed (masked). */
  text?: string;
  replies: Reply[];
  at: string;
}

/**
 * A conversation: its state and the messages of its current transcript page. Full pages of
 * TRANSCRIPT_PAGE messages move to their own documents, so saving a message rewrites one small
 * file whatever the length of the conversation or the number of conversations.
 */
export interface ConversationRecord {
  sessionId: string;
  channel: string;
  createdAt: string;
  updatedAt: string;
  state: ConversationState;
  /** Sequence number the next message will get; messages are numbered from 1. */
  nextSeq: number;
  /** Messages of the page not yet full (page number pageOf(nextSeq - 1) or the next one). */
  recent: TranscriptMessage[];
}

export const TRANSCRIPT_PAGE = 10;

const pageOf = (seq: number) => Math.floor((seq - 1) / TRANSCRIPT_PAGE);
const pageKey = (sessionId: string, page: number) => JSON.stringify([sessionId, page]);

export interface UnansweredRecord {
  at: string;
  sessionId: string;
  text: string;
  nearest: { id: string; score: number }[];
}

export interface FeedbackRecord {
  at: string;
  sessionId: string;
  /** The bot message the feedback is about. */
  seq: number;
  helpful: boolean;
  entryId: string | null;
  /** Fingerprint of the entry as it was when rated. */
  entryVersion: string | null;
  checklistId: string | null;
  comment: string | null;
}

export interface ChatResponse {
  sessionId: string;
  mode: Mode;
  replies: Reply[];
  match: Match | null;
  /** Sequence number of the bot's message in the transcript. */
  seq: number;
}

export interface ChatServiceOptions {
  engine: () => Engine;
  store: Store;
  /** Walkthroughs; a getter so they can be reloaded with the knowledge base. */
  flows?: () => readonly Flow[];
  now?: () => Date;
  /** Checklist ids; random by default (they are shared as links, so not guessable). */
  newId?: () => string;
  onEvent?: (sessionId: string, event: DialogueEvent) => void;
}

export interface ChatService {
  handle(sessionId: string, input: UserInput, channel: string): Promise<ChatResponse>;
  transcript(sessionId: string, after: number): Promise<TranscriptMessage[] | null>;
  checklist(id: string): Promise<Checklist | undefined>;
  /** 「有帮助 / 没看懂」 on an answer or a checklist; false when there is no such bot message. */
  feedback(sessionId: string, seq: number, helpful: boolean, comment?: string): Promise<FeedbackRecord | null>;
}

/** 12 characters of [a-z0-9]: about 62 bits, enough that a checklist link cannot be guessed. */
export const randomId = (): string => {
  const bytes = randomBytes(12);
  return [...bytes].map((b) => 'abcdefghijkmnpqrstuvwxyz23456789'[b % 32]).join('');
};

export function createChatService(options: ChatServiceOptions): ChatService {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const conversations = store.documents<ConversationRecord>('conversations');
  const pages = store.documents<TranscriptMessage[]>('transcripts');
  const unanswered = store.log<UnansweredRecord>('unanswered');
  const checklists = store.documents<Checklist>('checklists');
  const feedbackLog = store.log<FeedbackRecord>('feedback');
  const newId = options.newId ?? randomId;
  // Per-conversation queue: a message waits for the previous one of the same conversation.
  const queues = new Map<string, Promise<unknown>>();

  const serial = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const prev = queues.get(key) ?? Promise.resolve();
    const run = prev.then(task, task);
    const tail = run.catch(() => {});
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
  };

  async function handleNow(sessionId: string, input: UserInput, channel: string): Promise<ChatResponse> {
    const at = now().toISOString();
    const record: ConversationRecord = (await conversations.read(sessionId)) ?? {
      sessionId,
      channel,
      createdAt: at,
      updatedAt: at,
      state: initialState(),
      nextSeq: 1,
      recent: [],
    };
    const safeInput: UserInput = 'text' in input ? { text: maskPersonal(input.text) } : { choice: input.choice };
    const userText =
      'text' in safeInput
        ? safeInput.text
        : (record.state.pendingChoices.find((c) => c.value === safeInput.choice)?.label ?? safeInput.choice);

    const result = step(record.state, safeInput, {
      engine: options.engine(),
      flows: options.flows?.() ?? [],
      now,
      newId,
    });

    const userMsg: TranscriptMessage = {
      seq: record.nextSeq,
      from: 'user',
      text: userText,
      replies: [{ type: 'text', text: userText }],
      at,
    };
    const botMsg: TranscriptMessage = { seq: record.nextSeq + 1, from: 'bot', replies: result.replies, at };
    // Pages before the one the next message will go into are full: move them to their own documents.
    let recent = [...record.recent, userMsg, botMsg];
    const lastFullPage = pageOf(botMsg.seq + 1) - 1;
    const writes: Promise<void>[] = [];
    while (recent.length > 0 && pageOf(recent[0]!.seq) <= lastFullPage) {
      const page = pageOf(recent[0]!.seq);
      writes.push(pages.write(pageKey(sessionId, page), recent.filter((m) => pageOf(m.seq) === page)));
      recent = recent.filter((m) => pageOf(m.seq) !== page);
    }
    // The record is written after its archived pages, so a crash in between loses nothing.
    await Promise.all(writes);
    const next: ConversationRecord = { ...record, updatedAt: at, state: result.state, nextSeq: record.nextSeq + 2, recent };
    writes.push(conversations.write(sessionId, next));
    for (const event of result.events) {
      options.onEvent?.(sessionId, event);
      if (event.type === 'unanswered') {
        writes.push(unanswered.append({ at, sessionId, text: event.text, nearest: event.nearest }));
      }
      if (event.type === 'checklist_created') writes.push(checklists.write(event.checklist.id, event.checklist));
    }
    await Promise.all(writes);
    return { sessionId, mode: result.state.mode, replies: result.replies, match: result.match, seq: botMsg.seq };
  }

  return {
    handle: (sessionId, input, channel) => serial(sessionId, () => handleNow(sessionId, input, channel)),
    checklist: (id) => checklists.read(id),
    feedback: (sessionId, seq, helpful, comment) =>
      serial(sessionId, async () => {
        const message = (await transcriptOf(sessionId, seq - 1))?.find((m) => m.seq === seq);
        if (!message || message.from !== 'bot') return null;
        const card = message.replies.find((r) => r.type === 'text' && r.card);
        const list = message.replies.find((r) => r.type === 'checklist');
        const entryId = card?.type === 'text' && card.card ? card.card.entryId : null;
        const record: FeedbackRecord = {
          at: now().toISOString(),
          sessionId,
          seq,
          helpful,
          entryId,
          entryVersion: entryId ? (options.engine().version(entryId) ?? null) : null,
          checklistId: list?.type === 'checklist' ? list.id : null,
          comment: comment ? maskPersonal(comment).slice(0, 500) : null,
        };
        await feedbackLog.append(record);
        return record;
      }),
    transcript: (sessionId, after) => transcriptOf(sessionId, after),
  };

  async function transcriptOf(sessionId: string, after: number): Promise<TranscriptMessage[] | null> {
    const record = await conversations.read(sessionId);
    if (!record) return null;
    const firstRecent = record.recent[0]?.seq ?? record.nextSeq;
    const out: TranscriptMessage[] = [];
    for (let p = pageOf(Math.max(1, after + 1)); p < pageOf(firstRecent); p++) {
      for (const m of (await pages.read(pageKey(sessionId, p))) ?? []) if (m.seq > after) out.push(m);
    }
    out.push(...record.recent.filter((m) => m.seq > after));
    return out;
  }
}
