/**
 * The application service every channel talks to: masks personal numbers, runs the dialogue core
 * — with a handoff desk, first the handoff dialogue, whose decisions it carries out through
 * citizen-actions — keeps the transcript and persists the conversation; analytics.ts records the
 * turn. Messages of one conversation are handled one at a time, in arrival order: in this process
 * by a queue per conversation; across the instances sharing the store by the conversation's
 * version — a turn is saved only over the version it read (DocumentStore.commit), and a turn that
 * lost the race to another instance is redone from the newer version — so each turn builds on the
 * one before it, whichever instance handled that, without a lock per message. The turn's
 * analytics records are stored in the same commit. Every message added reaches the listeners of
 * every instance (citizen and officer sockets) through the relay 'chat.message'.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../core/errors.js';
import { maskPersonal } from '../core/mask-personal.js';
import { keyedSerializer } from '../core/serialize.js';
import type { Match, Mode, Reply, UserInput } from '../core/types.js';
import { initialState, step, type ConversationState, type DialogueEvent } from '../dialogue/step.js';
import type { Flow } from '../dialogue/parse-flows.js';
import type { Checklist } from '../knowledge/compute-checklist.js';
import type { Engine } from '../knowledge/engine.js';
import type { DocumentChange, LogAppend, Store, Versioned } from '../storage/ports.js';
import { createRelays, type Relays } from '../storage/relay.js';
import { createAnalytics, type FeedbackRecord, type ProcessReason, type ProcessReport, type RatingRecord } from './analytics.js';
import { handoffTurn } from '../dialogue/handoff-dialogue.js';
import { createCitizenActions, type CitizenActionsDeps } from '../handoff/citizen-actions.js';
import { entryCounterDepartment } from '../knowledge/departments.js';
import type { HandoffService } from '../handoff/handoff-service.js';
import type { OfficeHours } from '../handoff/office-hours.js';
import { modeOf, type HandoffCase } from '../handoff/transitions.js';

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
  /**
   * Messages not yet moved to their page's document: those of the page not yet full and, until
   * the next turn moves it, of the page the last turn filled (see persist).
   */
  recent: TranscriptMessage[];
  /**
   * SHA-256 (hex) of the key issued to the web or REST client that started the conversation; the
   * key itself is never stored. Absent for conversations whose platform vouches for them (Teams).
   */
  keyHash?: string;
}

/**
 * A conversation id chosen by a web or REST client: 16 to 64 characters, random, so that it
 * cannot be guessed; the key issued with the first reply is what actually proves ownership.
 */
export const CLIENT_SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * How a channel proves that a conversation is its client's. Web and REST clients present the
 * key issued with the first reply of the conversation (`key` undefined when they sent none);
 * channels whose platform authenticates the conversation (Teams) pass no proof.
 */
export interface KeyProof {
  key: string | undefined;
}

/** 256 random bits, URL-safe; given to the client once, stored only as its hash. */
const newSessionKey = (): string => randomBytes(32).toString('base64url');
// One-shot hashing (crypto.hash): no Hash object per message.
const hashKey = (key: string): string => hash('sha256', key, 'hex');

/** Constant-time comparison of a presented key with the stored hash. */
const keyMatches = (key: string | undefined, keyHash: string | undefined): boolean => {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200 || !keyHash) return false;
  const a = hash('sha256', key, 'buffer');
  const b = Buffer.from(keyHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The one refusal for a missing or wrong key, whether or not the conversation exists. */
export const sessionForbidden = (): AppError =>
  new AppError(403, 'session_forbidden', '无权访问这个对话：缺少会话密钥或密钥不正确（请在请求头 X-Session-Key 中提供开始对话时得到的 sessionKey）。');

export const TRANSCRIPT_PAGE = 10;

/** Times a turn is redone after losing the race for its conversation to another instance. */
const MAX_ATTEMPTS = 8;
/** The collection of the conversation records, keyed by session id. */
const CONVERSATIONS = 'conversations';

/** The conversation was saved by another instance since this turn read it: redo the turn. */
class ConversationChanged extends Error {}

const conversationBusy = (): AppError => new AppError(503, 'conversation_busy', '这个对话同时收到了太多消息，请稍后重新发送。');

const pageOf = (seq: number) => Math.floor((seq - 1) / TRANSCRIPT_PAGE);
const pageKey = (sessionId: string, page: number) => JSON.stringify([sessionId, page]);

export interface ChatResponse {
  sessionId: string;
  mode: Mode;
  replies: Reply[];
  match: Match | null;
  /** Sequence number of the bot's message in the transcript. */
  seq: number;
  /** Only in the first response of a conversation started with a KeyProof: the key to send from now on. */
  sessionKey?: string;
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
  /** Human handoff; without it 「转人工」 gives the hotline. */
  handoff?: HandoffService;
  officeHours?: OfficeHours;
  /** Where a new case goes (the department desk: 综合窗口 when nobody serves its department). */
  routeCase?: CitizenActionsDeps['route'];
  /** How added messages reach the other instances (start-server.ts); this instance only without. */
  relays?: Relays;
}

/** A message added to a transcript, for live delivery (citizen socket, officer console). */
export interface MessageEvent {
  sessionId: string;
  message: TranscriptMessage;
  mode: Mode;
}

export interface ChatService {
  /**
   * One turn. With a KeyProof, a new conversation is bound to a fresh key (returned once as
   * `sessionKey`) and an existing one needs its key; a missing or wrong key throws the 403
   * `session_forbidden` before anything is stored. `client`: who sent it — the client's address, or
   * the platform's id for the citizen — by which new handoffs are limited (HandoffService.apply).
   */
  handle(sessionId: string, input: UserInput, channel: string, proof?: KeyProof, client?: string): Promise<ChatResponse>;
  /** Whether `key` is the key of an existing conversation (false for unknown ones and keyless ones). */
  authorize(sessionId: string, key: string | undefined): Promise<boolean>;
  transcript(sessionId: string, after: number): Promise<TranscriptMessage[] | null>;
  checklist(id: string): Promise<Checklist | undefined>;
  /** 「有帮助 / 没看懂」 on an answer or a checklist; false when there is no such bot message. */
  feedback(sessionId: string, seq: number, helpful: boolean, comment?: string): Promise<FeedbackRecord | null>;
  /** 「流程走不通」 about the matter under discussion (or the one named). */
  reportProcess(sessionId: string, reason: ProcessReason, text: string, entryId?: string): Promise<ProcessReport | null>;
  /** The end-of-conversation rating. */
  rate(sessionId: string, rating: RatingRecord['rating'], comment?: string): Promise<RatingRecord | null>;
  /** Adds an officer's or the system's message to a conversation (masked) and delivers it. */
  post(sessionId: string, from: 'officer' | 'system', replies: Reply[], author?: string): Promise<TranscriptMessage | null>;
  /**
   * Every message added to a transcript, on any instance sharing the bus. `here`: added on this
   * instance (deliver through a platform such as Teams only then, so it is sent once).
   */
  onMessage(listener: (e: MessageEvent, here: boolean) => void | Promise<void>): () => void;
}

/** 12 characters of [a-z0-9]: about 62 bits, enough that a checklist link cannot be guessed. */
export const randomId = (): string => {
  const bytes = randomBytes(12);
  return [...bytes].map((b) => 'abcdefghijkmnpqrstuvwxyz23456789'[b % 32]).join('');
};

export function createChatService(options: ChatServiceOptions): ChatService {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const conversations = store.documents<ConversationRecord>(CONVERSATIONS);
  const pages = store.documents<TranscriptMessage[]>('transcripts');
  const checklists = store.documents<Checklist>('checklists');
  const analytics = createAnalytics(store, options.engine);
  const newId = options.newId ?? randomId;
  const { handoff } = options;
  const citizen = handoff
    ? createCitizenActions({
        handoff,
        officeHours: options.officeHours,
        entry: (id) => options.engine().entry(id),
        // The counter department of the matter (settings.yaml › departments), 综合窗口 for a bundle.
        departmentOf: (entry) => {
          const engine = options.engine();
          return entryCounterDepartment(engine.kb.settings, entry, (id) => engine.entry(id));
        },
        ...(options.routeCase ? { route: options.routeCase } : {}),
        now,
      })
    : undefined;
  // Per-conversation queue: a message waits for the previous one of the same conversation here;
  // across instances, a turn that finds the conversation changed since it read it is redone.
  const serial = keyedSerializer();
  const retried = async <T>(sessionId: string, task: () => Promise<T>): Promise<T> =>
    serial(sessionId, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await task();
        } catch (err) {
          if (!(err instanceof ConversationChanged) || attempt >= MAX_ATTEMPTS) throw err instanceof ConversationChanged ? conversationBusy() : err;
        }
      }
    });

  const added = (options.relays ?? createRelays()).of<MessageEvent>('chat.message');

  const newRecord = (sessionId: string, channel: string, at: string): ConversationRecord => ({
    sessionId,
    channel,
    createdAt: at,
    updatedAt: at,
    state: initialState(),
    nextSeq: 1,
    recent: [],
  });

  /**
   * Appends messages (numbered here) and saves the conversation over `version` (0: new), with
   * `appends` in the same commit; returns them numbered. Throws ConversationChanged, having stored
   * nothing, when another instance saved the conversation since it was read.
   */
  async function persist(
    record: ConversationRecord,
    version: number,
    messages: Omit<TranscriptMessage, 'seq'>[],
    state: ConversationState,
    extra: Promise<void>[] = [],
    appends: LogAppend[] = [],
  ): Promise<TranscriptMessage[]> {
    const numbered = messages.map((m, i) => ({ ...m, seq: record.nextSeq + i }));
    const nextSeq = record.nextSeq + numbered.length;
    // Pages that were already full in the record read move to their own documents. Only those: a
    // page's content then comes from committed messages alone, so a turn that loses the race to
    // another instance writes the same page the winner did, never its own unsaved messages over it.
    // (The new messages wait in `recent` until the next turn moves their page.)
    let recent = [...record.recent, ...numbered];
    const lastFullPage = pageOf(record.nextSeq) - 1;
    const writes: Promise<void>[] = [];
    while (recent.length > 0 && pageOf(recent[0]!.seq) <= lastFullPage) {
      const page = pageOf(recent[0]!.seq);
      writes.push(pages.write(pageKey(record.sessionId, page), recent.filter((m) => pageOf(m.seq) === page)));
      recent = recent.filter((m) => pageOf(m.seq) !== page);
    }
    // The record is written after its archived pages, so a crash in between loses nothing (and a
    // page written by a turn that then loses the race is rewritten by the turn that won).
    await Promise.all(writes);
    const updatedAt = messages.at(-1)?.at ?? record.updatedAt;
    // What changed, for a store that journals: the state, and the new messages unless a page moved out.
    const movedOut = recent.length !== record.recent.length + numbered.length;
    const change: DocumentChange = movedOut ? { set: { updatedAt, state, nextSeq, recent } } : { set: { updatedAt, state, nextSeq }, push: { recent: numbered } };
    const value = { ...record, updatedAt, state, nextSeq, recent };
    // The turn's records and their dashboard counts go in the conversation's commit: stored and
    // counted together or not at all (a turn redone after losing the race counts once).
    const tally = appends.length > 0 ? await analytics.tallyOf(appends) : undefined;
    const [saved] = await Promise.all([conversations.commit(record.sessionId, { version, value, change, appends, ...(tally ? { tally } : {}) }), ...extra]);
    if (!saved) throw new ConversationChanged();
    // Other instances need a message only for an officer (a case queued or claimed) or a citizen's
    // socket there (what an officer or the system says); a conversation with the bot stays here.
    const withPerson = state.mode === 'queued' || state.mode === 'officer';
    for (const m of numbered) added.emit({ sessionId: record.sessionId, message: m, mode: state.mode }, withPerson || m.from === 'officer' || m.from === 'system' ? 'everywhere' : 'here');
    return numbered;
  }

  async function handleNow(sessionId: string, input: UserInput, channel: string, proof?: KeyProof, client?: string): Promise<ChatResponse> {
    const at = now().toISOString();
    // The conversation and its handoff case in one round trip where the desk says where the case is.
    const caseDocument = handoff?.caseDocument;
    let read: Versioned<ConversationRecord> | undefined;
    let caseStatus: HandoffCase['status'] | undefined;
    if (caseDocument) {
      const [conversation, stored] = await store.readTogether([
        { collection: CONVERSATIONS, key: sessionId },
        { collection: caseDocument.collection, key: sessionId },
      ]);
      read = conversation as Versioned<ConversationRecord> | undefined;
      caseStatus = caseDocument.statusOf(stored?.value);
    } else read = await conversations.readVersioned(sessionId);
    const existing = read?.value;
    // A keyed conversation only with its key; a platform's (keyless) one never through a keyed channel.
    if (existing && (proof ? !keyMatches(proof.key, existing.keyHash) : existing.keyHash !== undefined)) throw sessionForbidden();
    const issuedKey = !existing && proof ? newSessionKey() : undefined;
    const record = existing ?? { ...newRecord(sessionId, channel, at), ...(issuedKey ? { keyHash: hashKey(issuedKey) } : {}) };
    const raw = 'text' in input ? input.text : null;
    const safeInput: UserInput = raw !== null ? { text: maskPersonal(raw) } : { choice: (input as { choice: string }).choice };
    const userText =
      'text' in safeInput
        ? safeInput.text
        : (record.state.pendingChoices.find((c) => c.value === safeInput.choice)?.label ?? maskPersonal(safeInput.choice));
    const userMsg = { from: 'user' as const, text: userText, replies: [{ type: 'text' as const, text: userText }], at };
    const state: ConversationState = { ...record.state };
    const reply = async (replies: Reply[], match: Match | null = null, extra: Promise<void>[] = [], appends: LogAppend[] = []): Promise<ChatResponse> => {
      const msgs = replies.length > 0 ? [userMsg, { from: 'bot' as const, replies, at }] : [userMsg];
      state.pendingChoices = replies.flatMap((r) => (r.type === 'choices' ? r.choices : []));
      const numbered = await persist(record, read?.version ?? 0, msgs, state, extra, appends);
      return { sessionId, mode: state.mode, replies, match, seq: numbered.at(-1)!.seq, ...(issuedKey ? { sessionKey: issuedKey } : {}) };
    };

    if (handoff && citizen) {
      state.mode = modeOf(caseStatus ?? (await handoff.get(sessionId)).status);
      // Talking to a person, or leaving a number for one: the handoff dialogue, carried out on the desk.
      const turn = handoffTurn(state, input);
      if (turn) {
        Object.assign(state, turn.state);
        const replies = [...turn.replies];
        for (const event of turn.events) replies.push(...(await citizen.carryOut(sessionId, event, state.currentEntryId, at, client)));
        // What was carried out may have moved the case (a call-back booked from the queue): say where it stands now.
        if (turn.events.length > 0) state.mode = modeOf((await handoff.get(sessionId)).status);
        return reply(replies);
      }
    }

    const result = step(record.state, safeInput, { engine: options.engine(), flows: options.flows?.() ?? [], now, newId, onlineHandoff: citizen !== undefined });
    Object.assign(state, result.state);
    let replies = result.replies;
    const extra: Promise<void>[] = [];
    for (const event of result.events) {
      options.onEvent?.(sessionId, event);
      if (event.type === 'checklist_created') extra.push(checklists.write(event.checklist.id, event.checklist));
    }
    const appends = analytics.turnRecords(at, sessionId, result, userText, state.currentEntryId ?? null);
    const wantsHuman = result.events.find((e) => e.type === 'handoff_requested');
    if (handoff && citizen && wantsHuman?.type === 'handoff_requested') {
      replies = [...replies, ...(await citizen.requestPerson(sessionId, state.currentEntryId, wantsHuman.reason, at, client))];
      state.mode = modeOf((await handoff.get(sessionId)).status);
      // A person takes over: a walkthrough under way ends here (its answers stay for the officer).
      if (state.mode !== 'bot' && state.flow) state.flow = { ...state.flow, at: null };
    }
    return reply(replies, result.match, extra, appends);
  }

  return {
    handle: (sessionId, input, channel, proof, client) => retried(sessionId, () => handleNow(sessionId, input, channel, proof, client)),
    authorize: async (sessionId, key) => keyMatches(key, (await conversations.read(sessionId))?.keyHash),
    post: (sessionId, from, replies, author) =>
      retried(sessionId, async () => {
        const read: Versioned<ConversationRecord> | undefined = await conversations.readVersioned(sessionId);
        if (!read) return null;
        const record = read.value;
        const at = now().toISOString();
        const masked = replies.map((r) => (r.type === 'text' ? { ...r, text: maskPersonal(r.text) } : r));
        const state = { ...record.state, mode: handoff ? modeOf((await handoff.get(sessionId)).status) : record.state.mode };
        const [m] = await persist(record, read.version, [{ from, replies: masked, at, ...(author ? { text: author } : {}) }], state);
        return m ?? null;
      }),
    onMessage: (listener) => added.on(listener),
    checklist: (id) => checklists.read(id),
    reportProcess: (sessionId, reason, text, entryId) =>
      serial(sessionId, async () => {
        const record = await conversations.read(sessionId);
        return record ? analytics.processReport(now().toISOString(), sessionId, record.state, reason, text, entryId) : null;
      }),
    rate: (sessionId, rating, comment) =>
      serial(sessionId, async () => {
        const record = await conversations.read(sessionId);
        return record ? analytics.rating(now().toISOString(), sessionId, record.state, rating, comment) : null;
      }),
    feedback: (sessionId, seq, helpful, comment) =>
      serial(sessionId, async () => {
        const message = (await transcriptOf(sessionId, seq - 1))?.find((m) => m.seq === seq);
        return message?.from === 'bot' ? analytics.feedback(now().toISOString(), sessionId, message, helpful, comment) : null;
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
