/**
 * Keeps handoff cases (one per conversation) and the index of open ones, applies commands one at
 * a time — so of two officers claiming at once exactly one wins — and tells listeners (the
 * officer console socket) about every change. Queue position and expected wait come from the
 * waits of recent claims, not a constant.
 */
import type { Store } from '../storage/ports.js';
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
}

interface HandoffIndex {
  open: OpenCase[];
  /** Milliseconds from queued to claimed, most recent last (at most RECENT_WAITS). */
  recentWaits: number[];
  tickets: number;
}

export const RECENT_WAITS = 30;
/** Department of a case whose matter has none in the knowledge base. */
export const GENERAL_QUEUE = '综合窗口';

export interface HandoffService {
  get(sessionId: string): Promise<HandoffCase>;
  apply(sessionId: string, command: Command, isAdmin?: boolean): Promise<TransitionResult>;
  open(): Promise<OpenCase[]>;
  /** Place in the department's queue (1 = next) and the expected wait in minutes, or null without data. */
  estimate(sessionId: string): Promise<{ position: number; waitMinutes: number | null }>;
  nextTicket(): Promise<string>;
  onChange(listener: (c: HandoffCase, event: TransitionResult) => void): () => void;
}

const summary = (c: HandoffCase): OpenCase => ({
  sessionId: c.sessionId,
  status: c.status,
  department: c.department,
  entryId: c.entryId,
  officer: c.officer,
  queuedAt: c.queuedAt,
  callbackDue: c.callback?.dueAt ?? null,
  ticket: c.callback?.ticket ?? null,
});

export function createHandoffService(store: Store, now: () => Date = () => new Date()): HandoffService {
  const cases = store.documents<HandoffCase>('cases');
  const indexDoc = store.documents<HandoffIndex>('handoff-index');
  const listeners = new Set<(c: HandoffCase, r: TransitionResult) => void>();
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = chain.then(task, task);
    chain = run.catch(() => {});
    return run;
  };
  const readIndex = async (): Promise<HandoffIndex> => (await indexDoc.read('index')) ?? { open: [], recentWaits: [], tickets: 0 };
  const get = async (sessionId: string) => (await cases.read(sessionId)) ?? newCase(sessionId, GENERAL_QUEUE);

  return {
    get,
    apply: (sessionId, command, isAdmin = false) =>
      serial(async () => {
        const before = await get(sessionId);
        const result = transition(before, command, isAdmin);
        if (!result.ok) return result;
        const index = await readIndex();
        const open = index.open.filter((o) => o.sessionId !== sessionId);
        if (caseIsOpen(result.case.status)) open.push(summary(result.case));
        let recentWaits = index.recentWaits;
        if (command.type === 'claim' && before.queuedAt) {
          recentWaits = [...recentWaits, Date.parse(command.at) - Date.parse(before.queuedAt)].slice(-RECENT_WAITS);
        }
        // The case first, then the index that points at it.
        await cases.write(sessionId, result.case);
        await indexDoc.write('index', { ...index, open, recentWaits });
        for (const l of listeners) l(result.case, result);
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
        const d = now();
        const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
        return `HJ${ymd}${String(n).padStart(4, '0')}`;
      }),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
