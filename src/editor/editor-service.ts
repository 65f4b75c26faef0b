/**
 * Reviewed publishing of the knowledge base: drafts, approval by a second editor only (four
 * eyes), a publish gate on the labelled questions, the file rewritten, the live engine replaced
 * without a restart, and a revision history with rollback — every step in an audit log.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { formatShare, judgeChange, observe, type LabelledQuestion, type Observation } from '../knowledge/evaluate.js';
import { commonMattersFirst, linkProblems, type KnowledgeBase } from '../knowledge/parse-knowledge.js';
import { entrySchema, joinChineseLines, type Entry } from '../knowledge/schema.js';
import type { Store } from '../storage/ports.js';
import { fileForNew } from '../knowledge/write-entry.js';

export interface Draft {
  id: string;
  entryId: string;
  /** What the entry will be once approved. */
  entry: Entry;
  /** The published entry the draft started from (null for a new entry). */
  base: Entry | null;
  author: string;
  note: string;
  createdAt: string;
  status: 'pending' | 'published' | 'refused' | 'returned' | 'withdrawn';
  /** Why the publish gate refused it, or why a reviewer sent it back. */
  refusal?: string;
  /** Who returned or withdrew it, and when. */
  closedBy?: string;
  closedAt?: string;
}

export interface Revision {
  revision: number;
  author: string;
  approvedBy: string | null;
  at: string;
  note: string;
  entry: Entry;
  /** Set when the reviewer published over the publish gate: what the gate found and the reviewer's reason. */
  gateOverride?: string;
}

export interface FieldError {
  field: string;
  problem: string;
}

export interface Runtime {
  kb(): KnowledgeBase;
  /** The published version served: every publish and rollback adds one, and it never goes back. */
  version(): number;
  /**
   * Runs `task` as the only publish under way in every instance sharing the store, on the newest
   * published version (an instance that had not heard of a newer one yet loads it first).
   */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Inside `exclusive`: makes `kb` — the live knowledge base with `entry` written in — the next
   * published version (its file written, the store and the other instances told, the live engine
   * swapped). Returns problems (e.g. a walkthrough that breaks) instead, publishing nothing.
   */
  publish(kb: KnowledgeBase, entry: Entry): Promise<string[]>;
  /** The engine a knowledge base would have, without serving it (for the publish gate). */
  candidate(kb: KnowledgeBase): { search: (q: string, k?: number) => { band?: string; results: { entry: Entry; score: number }[] } };
}

export type EditorResult<T> = { ok: true; value: T } | { ok: false; status: number; code: string; message: string; details?: unknown };

export interface EditorOptions {
  store: Store;
  runtime: Runtime;
  /** Labelled questions for the publish gate; none = no gate. */
  questions: () => readonly LabelledQuestion[];
  /** Lowest acceptable top-1 share on the labelled questions after a change. */
  floor: number;
  now?: () => Date;
}

const zodErrors = (error: z.ZodError): FieldError[] =>
  error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(entry)', problem: i.message }));

/** Strings as the file parser would store them: folded Chinese lines joined. */
const clean = (v: unknown): unknown =>
  typeof v === 'string' ? joinChineseLines(v) : Array.isArray(v) ? v.map(clean) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x)])) : v;

export function createEditorService(o: EditorOptions) {
  const now = o.now ?? (() => new Date());
  const drafts = o.store.documents<Draft>('kb-drafts');
  const draftIndex = o.store.documents<string[]>('kb-drafts-index');
  const revisions = o.store.documents<Revision[]>('kb-revisions');
  const audit = o.store.log<{ at: string; by: string; action: string; entryId: string; draftId?: string; revision?: number; note?: string }>('kb-audit');
  // Drafts and the drafts index change one at a time on every instance sharing the store.
  const serial = <T>(task: () => Promise<T>) => o.store.exclusive('kb-drafts', task);
  const fail = (status: number, code: string, message: string, details?: unknown): EditorResult<never> => ({ ok: false, status, code, message, ...(details === undefined ? {} : { details }) });

  /** The knowledge base with one entry replaced or added, checked for broken links. */
  function withEntry(kb: KnowledgeBase, entry: Entry): { kb: KnowledgeBase; problems: FieldError[] } {
    const exists = kb.entries.some((e) => e.id === entry.id);
    // A new bundle listed under settings commonMatters takes its place in the help list at once.
    const entries = exists ? kb.entries.map((e) => (e.id === entry.id ? entry : e)) : commonMattersFirst([...kb.entries, entry], kb.settings.commonMatters);
    const fileOf = { ...kb.fileOf, [entry.id]: kb.fileOf[entry.id] ?? fileForNew(entry) };
    const problems = linkProblems(entries, fileOf)
      .filter((p) => p.entry === entry.id)
      .map((p) => ({ field: p.field, problem: `${p.problem} — ${p.fix}` }));
    return { kb: { ...kb, entries, fileOf }, problems };
  }

  async function history(entryId: string): Promise<Revision[]> {
    const stored = (await revisions.read(entryId)) ?? [];
    if (stored.length > 0) return stored;
    const current = o.runtime.kb().entries.find((e) => e.id === entryId);
    // Before any edit through Yici, the file itself is revision 1.
    return current ? [{ revision: 1, author: 'knowledge file', approvedBy: null, at: current.lastVerified ?? '', note: '知识库文件中的初始版本', entry: current }] : [];
  }

  /**
   * The publish gate compares the questions' results before and after a change; "before" is the live
   * knowledge base, whose results are kept (per knowledge base object and question list) so that a
   * publish builds and searches one engine, not two.
   */
  type Observed = { questions: readonly LabelledQuestion[]; day: string; seen: Observation[] };
  const observations = new WeakMap<KnowledgeBase, Observed>();
  let pendingObservation: Observed | null = null;
  // Entries come into and go out of effect by date, so a kept result holds for its day only.
  const day = () => now().toISOString().slice(0, 10);
  const observed = (kb: KnowledgeBase, questions: readonly LabelledQuestion[]): Observation[] => {
    const kept = observations.get(kb);
    if (kept && kept.questions === questions && kept.day === day()) return kept.seen;
    const seen = observe(o.runtime.candidate(kb), questions);
    observations.set(kb, { questions, day: day(), seen });
    return seen;
  };

  /**
   * Gate, publish (file, store, engine), history: the one way a change goes live. The gate judges
   * the change itself (labelled questions it stops answering right, unrelated ones it pulls to the
   * entry) and the global floor; a reviewer may override it with a reason, which is kept with the
   * revision. Called inside `runtime.exclusive`: it starts from the newest published version, and
   * no other publish runs meanwhile in any instance.
   */
  async function publish(entry: Entry, author: string, approvedBy: string | null, note: string, override?: string): Promise<EditorResult<Revision>> {
    const before = o.runtime.kb();
    // Read before anything changes: the first history of an entry is made from the live version.
    const past = await history(entry.id);
    const { kb, problems } = withEntry(before, entry);
    if (problems.length > 0) return fail(422, 'invalid_entry', '条目与知识库中的其他条目对不上。', problems);
    const questions = o.questions();
    let overridden: string | null = null;
    pendingObservation = null;
    if (questions.length > 0) {
      const seenBefore = observed(before, questions);
      const seenAfter = observe(o.runtime.candidate(kb), questions);
      const j = judgeChange(seenBefore, seenAfter, questions, new Set([entry.id]));
      pendingObservation = { questions, day: day(), seen: seenAfter };
      const share = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);
      // The floor is on the top-1 share (PUBLISH_TOP1_FLOOR); it refuses only a change that lowers it.
      const belowFloor = share(j.after.top1, j.after.inScope) < o.floor && j.after.top1 < j.before.top1;
      if (j.lost.length > 0 || j.drawn.length > 0 || belowFloor) {
        const parts = [
          ...(j.lost.length > 0 ? [`${j.lost.length} 个原来答对的标注问题不再答对`] : []),
          ...(j.drawn.length > 0 ? [`${j.drawn.length} 个不属于这个条目的问题会转到它这里`] : []),
          ...(belowFloor ? [`首位命中率从 ${formatShare(j.before.top1, j.before.inScope)} 降到 ${formatShare(j.after.top1, j.after.inScope)}，低于 ${(o.floor * 100).toFixed(0)}%`] : []),
        ];
        const summary = `这次修改会让${parts.join('，')}；直接答对的从 ${formatShare(j.before.right, j.before.inScope)} 变为 ${formatShare(j.after.right, j.after.inScope)}。`;
        if (!override) {
          return fail(409, 'publish_gate', `${summary}没有发布。确认无误的话，审核人可以写明理由后仍然发布。`, {
            before: share(j.before.top1, j.before.inScope),
            after: share(j.after.top1, j.after.inScope),
            counts: { before: j.before, after: j.after },
            lost: j.lost,
            drawn: j.drawn,
            broke: j.lost.map((m) => m.q),
            belowFloor,
          });
        }
        overridden = `${summary}审核人仍然发布，理由：${override}`;
      }
    }
    const refused = await o.runtime.publish(kb, entry);
    if (refused.length > 0) return fail(422, 'breaks_walkthrough', '这次修改会让引导流程出错，没有发布。', refused);
    // What the new engine does with the questions is known already: the next publish starts from it.
    if (pendingObservation) observations.set(kb, pendingObservation);
    const revision: Revision = { revision: (past.at(-1)?.revision ?? 0) + 1, author, approvedBy, at: now().toISOString(), note, entry, ...(overridden ? { gateOverride: overridden } : {}) };
    await revisions.write(entry.id, [...past, revision]);
    return { ok: true, value: revision };
  }

  return {
    /** Validates an entry like a draft and returns the knowledge base it would make, without storing anything. */
    preview(raw: unknown): { ok: true; kb: KnowledgeBase } | { ok: false; problems: FieldError[] } {
      const parsed = entrySchema.safeParse(clean(raw));
      if (!parsed.success) return { ok: false, problems: zodErrors(parsed.error) };
      const { kb, problems } = withEntry(o.runtime.kb(), parsed.data);
      return problems.length > 0 ? { ok: false, problems } : { ok: true, kb };
    },

    async createDraft(author: string, input: { entryId?: string; entry: unknown; note?: string }): Promise<EditorResult<Draft>> {
      const parsed = entrySchema.safeParse(clean(input.entry));
      if (!parsed.success) return fail(422, 'invalid_entry', '条目没有通过校验，请按提示修改。', zodErrors(parsed.error));
      const entry = parsed.data;
      if (input.entryId && input.entryId !== entry.id) return fail(422, 'invalid_entry', 'entryId 和条目里的 id 不一致。', [{ field: 'id', problem: `应为 ${input.entryId}` }]);
      const kb = o.runtime.kb();
      const base = kb.entries.find((e) => e.id === entry.id) ?? null;
      if (!input.entryId && base) return fail(409, 'entry_exists', `已经有 id 为 ${entry.id} 的条目；修改已有条目请带上 entryId。`);
      const { problems } = withEntry(kb, entry);
      if (problems.length > 0) return fail(422, 'invalid_entry', '条目与知识库中的其他条目对不上。', problems);
      const draft: Draft = {
        id: `d${randomBytes(6).toString('hex')}`,
        entryId: entry.id,
        entry,
        base,
        author,
        note: (input.note ?? '').slice(0, 500),
        createdAt: now().toISOString(),
        status: 'pending',
      };
      // The index is shared by every instance: its read-change-write holds the store's lock.
      await o.store.exclusive('kb-drafts-index', async () => {
        await drafts.write(draft.id, draft);
        await draftIndex.write('all', [...((await draftIndex.read('all')) ?? []), draft.id]);
      });
      await audit.append({ at: draft.createdAt, by: author, action: 'draft', entryId: entry.id, draftId: draft.id, note: draft.note });
      return { ok: true, value: draft };
    },

    async drafts(): Promise<Draft[]> {
      const ids = (await draftIndex.read('all')) ?? [];
      const out: Draft[] = [];
      for (const id of ids) {
        const d = await drafts.read(id);
        if (d) out.push(d);
      }
      // Drafts published or refused before closedBy was kept for them: the reviewer is in the audit log.
      if (out.some((d) => (d.status === 'published' || d.status === 'refused') && !d.closedBy)) {
        const approvals = new Map<string, { by: string; at: string }>();
        for (const a of await audit.recent(100_000)) {
          // newest first
          if (a.draftId && a.action.startsWith('approve') && !approvals.has(a.draftId)) approvals.set(a.draftId, { by: a.by, at: a.at });
        }
        return out.reverse().map((d) => {
          const a = !d.closedBy && d.status !== 'pending' ? approvals.get(d.id) : undefined;
          return a ? { ...d, closedBy: a.by, closedAt: a.at } : d;
        });
      }
      return out.reverse();
    },

    draft: (id: string) => drafts.read(id),

    /**
     * Publish a pending draft (another editor than its author). A publish-gate refusal leaves the
     * draft pending, so the reviewer can return it or approve again with `override` (a reason).
     */
    approve: (draftId: string, approver: string, override?: string): Promise<EditorResult<Revision>> =>
      serial(() => o.runtime.exclusive(async () => {
        const draft = await drafts.read(draftId);
        if (!draft) return fail(404, 'not_found', '没有这个草稿。');
        if (draft.status !== 'pending') return fail(409, 'not_pending', '这个草稿已经处理过了。');
        if (draft.author === approver) return fail(403, 'four_eyes', '不能审核自己写的草稿，请另一位编辑审核。');
        const current = o.runtime.kb().entries.find((e) => e.id === draft.entryId) ?? null;
        if (JSON.stringify(current) !== JSON.stringify(draft.base)) {
          return fail(409, 'stale_draft', '草稿写好之后条目已经被改过，请在最新版本上重新起草。');
        }
        const reason = override?.trim() || undefined;
        const result = await publish(draft.entry, draft.author, approver, draft.note, reason);
        const gated = !result.ok && result.code === 'publish_gate';
        await drafts.write(draftId, {
          ...draft,
          status: result.ok ? 'published' : gated ? 'pending' : 'refused',
          ...(result.ok ? {} : { refusal: result.message }),
          // Who handled it (shown as 处理人): the reviewer who published it or whose approval was refused.
          ...(gated ? {} : { closedBy: approver, closedAt: now().toISOString() }),
        });
        await audit.append({
          at: now().toISOString(),
          by: approver,
          action: result.ok ? (result.value.gateOverride ? 'approve_override' : 'approve') : 'approve_refused',
          entryId: draft.entryId,
          draftId,
          ...(result.ok ? { revision: result.value.revision, ...(result.value.gateOverride ? { note: result.value.gateOverride } : {}) } : { note: result.message }),
        });
        return result;
      })),

    /**
     * Close a pending draft without publishing: the author withdraws it, any other editor returns it
     * to the author with a reason (required, so the author knows what to fix).
     */
    closeDraft: (draftId: string, by: string, reason: string): Promise<EditorResult<Draft>> =>
      // Under the publish lock too: a draft returned on one instance cannot be approved on another meanwhile.
      serial(() => o.runtime.exclusive(async () => {
        const draft = await drafts.read(draftId);
        if (!draft) return fail(404, 'not_found', '没有这个草稿。');
        if (draft.status !== 'pending') return fail(409, 'not_pending', '这个草稿已经处理过了。');
        const own = draft.author === by;
        const why = reason.trim();
        if (!own && !why) return fail(422, 'reason_required', '退回草稿请写明原因，方便作者修改。', [{ field: 'reason', problem: '不能为空' }]);
        const closed: Draft = { ...draft, status: own ? 'withdrawn' : 'returned', closedBy: by, closedAt: now().toISOString(), ...(why ? { refusal: why } : {}) };
        await drafts.write(draftId, closed);
        await audit.append({ at: closed.closedAt!, by, action: own ? 'withdraw' : 'return', entryId: draft.entryId, draftId, note: why });
        return { ok: true, value: closed };
      })),

    history,

    rollback: (entryId: string, revision: number, by: string): Promise<EditorResult<Revision>> =>
      serial(() => o.runtime.exclusive(async () => {
        const past = await history(entryId);
        const target = past.find((r) => r.revision === revision);
        if (!target) return fail(404, 'not_found', `没有第 ${revision} 版。`);
        const result = await publish(target.entry, by, by, `回滚到第 ${revision} 版`);
        await audit.append({ at: now().toISOString(), by, action: result.ok ? 'rollback' : 'rollback_refused', entryId, revision });
        return result;
      })),

    audit: (limit: number) => audit.recent(limit),
  };
}

export type EditorService = ReturnType<typeof createEditorService>;
