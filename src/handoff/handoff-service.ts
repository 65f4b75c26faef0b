/**
 * Keeps handoff cases (one per conversation) and the index of open ones, applies commands one at
 * a time under the store's lock 'handoff' — so of two officers claiming at once exactly one wins,
 * on one instance or several sharing the store — and tells listeners on every instance (the
 * officer console sockets, staff notifications) about every change, through the relay
 * 'handoff.changed'. Queue position and expected wait come from the waits of recent claims, not a
 * constant.
 *
 * Personal data: officers' notes and the citizen's reason are masked before they are stored; the
 * call-back number, which officers must be able to dial, is stored encrypted (AES-256-GCM, key in
 * the store's `secrets`) and opened only when a case is read.
 */
import { chinaDay } from '../core/china-time.js';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { maskPersonal } from '../core/mask-personal.js';
import { GENERAL_COUNTER } from '../knowledge/departments.js';
import type { Store } from '../storage/ports.js';
import { createRelays, type Relays } from '../storage/relay.js';
import { isOpen as caseIsOpen, newCase, transition, type Command, type HandoffCase, type TransitionResult } from './transitions.js';

export interface OpenCase {
  sessionId: string;
  status: HandoffCase['status'];
  department: string;
  entryId: string | null;
  officer: string | null;
  queuedAt: string | null;
  callbackDue: string | null;
  ticket: string | null;
  /** The wait (its `queuedAt`) the citizen was already offered a call-back for, so it is offered once. */
  offeredFor?: string | null;
}

interface HandoffIndex {
  open: OpenCase[];
  /** Milliseconds from queued to claimed, most recent last (at most RECENT_WAITS). */
  recentWaits: number[];
  tickets: number;
}

export const RECENT_WAITS = 30;
/** Department of a case whose matter has none in the knowledge base. */
export const GENERAL_QUEUE = GENERAL_COUNTER;

export interface HandoffService {
  get(sessionId: string): Promise<HandoffCase>;
  /**
   * `client`: the address of the citizen's client (HTTP, web socket) or the platform's id for it
   * (WeChat, Teams) when a citizen's turn applies the command; the limit on new handoffs per client
   * counts by it (rate-limits.ts guardHandoffs). The service itself does not use it.
   */
  apply(sessionId: string, command: Command, isAdmin?: boolean, client?: string): Promise<TransitionResult>;
  open(): Promise<OpenCase[]>;
  /** Place in the department's queue (1 = next) and the expected wait in minutes, or null without data. */
  estimate(sessionId: string): Promise<{ position: number; waitMinutes: number | null }>;
  nextTicket(): Promise<string>;
  /**
   * Records, with the case, that the wait which began at `queuedAt` was offered a call-back.
   * True only for the first call while that wait goes on: the offer is sent once, restarts included.
   */
  markTimeoutOffered(sessionId: string, queuedAt: string): Promise<boolean>;
  /**
   * Every change on every instance sharing the bus. `c` is the case as stored — its call-back
   * number sealed, so it never crosses the bus in clear. `here`: the change was made on this
   * instance (act on the outside world only then, so it is done once).
   */
  onChange(listener: (c: HandoffCase, event: TransitionResult, here: boolean) => void): () => void;
  /**
   * Where a conversation's case is stored (the document keyed by its session id in `collection`) and
   * its status from what is stored there (undefined: no case yet), for a caller that reads the case
   * together with other documents in one round trip (Store.readTogether) instead of calling `get`.
   */
  readonly caseDocument?: { collection: string; statusOf(stored: unknown): HandoffCase['status'] };
}

/** A change as the relay carries it: the accepted transition, with the case as stored. */
type Changed = Extract<TransitionResult, { ok: true }>;
/** The store lock under which cases, the index and the ticket counter are read, changed and written. */
const LOCK = 'handoff';

const summary = (c: HandoffCase): OpenCase => ({
  sessionId: c.sessionId,
  status: c.status,
  department: c.department,
  entryId: c.entryId,
  officer: c.officer,
  queuedAt: c.queuedAt,
  callbackDue: c.callback?.dueAt ?? null,
  ticket: c.callback?.ticket ?? null,
  offeredFor: c.timeoutOfferedFor ?? null,
});

/** What a note or reason may keep: personal numbers and house numbers masked. */
function maskCommand(command: Command): Command {
  if (command.type === 'transfer') return { ...command, note: maskPersonal(command.note), department: maskPersonal(command.department) };
  if ('note' in command) return { ...command, note: maskPersonal(command.note) };
  if (command.type === 'request') return { ...command, reason: maskPersonal(command.reason) };
  return command;
}

const SEALED = 'sealed:v1:';

/**
 * Encrypts call-back numbers at rest, with a key made on first use and kept in the store. A key is
 * made only when sealing, which happens under the store's lock 'handoff' (apply, timeout offers),
 * so two instances never make two keys; once read it never changes, so it is kept. A failed read
 * is not kept: the next call tries again.
 */
function createSealer(store: Store) {
  const secrets = store.documents<{ key: string }>('secrets');
  let key: Promise<Buffer> | undefined;
  const keyOf = () =>
    (key ??= (async () => {
      const found = await secrets.read('personal-data');
      if (found) return Buffer.from(found.key, 'base64');
      const made = randomBytes(32);
      await secrets.write('personal-data', { key: made.toString('base64') });
      return made;
    })().catch((err: unknown) => {
      key = undefined;
      throw err;
    }));
  return {
    async seal(text: string): Promise<string> {
      if (text.startsWith(SEALED)) return text;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', await keyOf(), iv);
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return SEALED + [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
    },
    async open(text: string): Promise<string> {
      if (!text.startsWith(SEALED)) return text;
      const [iv, tag, body] = text.slice(SEALED.length).split('.').map((p) => Buffer.from(p, 'base64url'));
      try {
        const decipher = createDecipheriv('aes-256-gcm', await keyOf(), iv!);
        decipher.setAuthTag(tag!);
        return Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8');
      } catch {
        return '（号码无法解密）';
      }
    },
  };
}

/** `relays`: how changes reach the other instances (start-server.ts); this instance only without. */
/** The collection of the cases, keyed by session id. */
const CASES = 'cases';

export function createHandoffService(store: Store, now: () => Date = () => new Date(), relays: Relays = createRelays()): HandoffService {
  const stored = store.documents<HandoffCase>(CASES);
  const sealer = createSealer(store);
  // Cases as the rest of the service sees them: the call-back number readable, sealed at rest.
  const cases = {
    async read(sessionId: string): Promise<HandoffCase | undefined> {
      const c = await stored.read(sessionId);
      return c?.callback ? { ...c, callback: { ...c.callback, phone: await sealer.open(c.callback.phone) } } : c;
    },
    /** Returns the case as stored (the call-back number sealed). */
    async write(sessionId: string, c: HandoffCase): Promise<HandoffCase> {
      const sealed = c.callback ? { ...c, callback: { ...c.callback, phone: await sealer.seal(c.callback.phone) } } : c;
      await stored.write(sessionId, sealed);
      return sealed;
    },
  };
  const indexDoc = store.documents<HandoffIndex>('handoff-index');
  const changes = relays.of<Changed>('handoff.changed');
  const serial = <T>(task: () => Promise<T>) => store.exclusive(LOCK, task);
  const readIndex = async (): Promise<HandoffIndex> => (await indexDoc.read('index')) ?? { open: [], recentWaits: [], tickets: 0 };
  const get = async (sessionId: string) => (await cases.read(sessionId)) ?? newCase(sessionId, GENERAL_QUEUE);

  const noCase = newCase('', GENERAL_QUEUE).status;

  return {
    get,
    caseDocument: { collection: CASES, statusOf: (value) => (value ? (value as HandoffCase).status : noCase) },
    apply: (sessionId, command, isAdmin = false) =>
      serial(async () => {
        const before = await get(sessionId);
        const result = transition(before, maskCommand(command), isAdmin);
        if (!result.ok) return result;
        const index = await readIndex();
        const open = index.open.filter((o) => o.sessionId !== sessionId);
        if (caseIsOpen(result.case.status)) open.push(summary(result.case));
        let recentWaits = index.recentWaits;
        if (command.type === 'claim' && before.queuedAt) {
          recentWaits = [...recentWaits, Date.parse(command.at) - Date.parse(before.queuedAt)].slice(-RECENT_WAITS);
        }
        // The case first, then the index that points at it.
        const sealed = await cases.write(sessionId, result.case);
        await indexDoc.write('index', { ...index, open, recentWaits });
        changes.emit({ ...result, case: sealed });
        return result;
      }),
    open: async () => (await readIndex()).open,
    async estimate(sessionId) {
      const index = await readIndex();
      const me = index.open.find((o) => o.sessionId === sessionId);
      const queue = index.open
        .filter((o) => o.status === 'queued' && o.department === me?.department)
        .sort((a, b) => (a.queuedAt ?? '').localeCompare(b.queuedAt ?? ''));
      const position = Math.max(1, queue.findIndex((o) => o.sessionId === sessionId) + 1);
      if (index.recentWaits.length < 3) return { position, waitMinutes: null };
      const sorted = [...index.recentWaits].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      return { position, waitMinutes: Math.max(1, Math.round((median * position) / 60_000)) };
    },
    nextTicket: () =>
      serial(async () => {
        const index = await readIndex();
        const n = index.tickets + 1;
        await indexDoc.write('index', { ...index, tickets: n });
        // The day as citizens read it (UTC+8): a ticket issued at 01:00 in 梧州 carries that day, not yesterday's UTC date.
        const ymd = chinaDay(now()).replace(/-/g, '');
        return `HJ${ymd}${String(n).padStart(4, '0')}`;
      }),
    markTimeoutOffered: (sessionId, queuedAt) =>
      serial(async () => {
        const c = await cases.read(sessionId);
        if (!c || c.status !== 'queued' || c.queuedAt !== queuedAt || c.timeoutOfferedFor === queuedAt) return false;
        const next = { ...c, timeoutOfferedFor: queuedAt };
        const index = await readIndex();
        await cases.write(sessionId, next);
        await indexDoc.write('index', { ...index, open: index.open.map((o) => (o.sessionId === sessionId ? summary(next) : o)) });
        return true;
      }),
    onChange: (listener) => changes.on((r, here) => listener(r.case, r, here)),
  };
}
