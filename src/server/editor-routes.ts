/** The editor side of the HTTP contract: published entries, drafts, four-eyes approval, history, rollback, to-do list. */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { chinaDay, chinaDaySpan } from '../core/china-time.js';
import { AppError } from '../core/errors.js';
import { nextTurn } from '../core/event-loop.js';
import type { EditorResult, EditorService } from '../editor/editor-service.js';
import { inEffect, type Engine } from '../knowledge/engine.js';
import { clusterQuestionsInSlices, contentFeatures, similarity } from '../editor/cluster.js';
import { weakSpotsCsv } from '../editor/dashboard.js';
import { WEAK_ANSWER, type TurnRecord } from '../service/analytics.js';
import { createDashboardTotals, type DashboardTotals } from '../service/dashboard-totals.js';
import type { Store } from '../storage/ports.js';
import type { KnowledgeBase } from '../knowledge/parse-knowledge.js';
import { csrfGuard, requireRole, userOf } from './auth-routes.js';
import { parseOr400 } from './validate.js';

/** The unanswered inbox groups at most this many questions of its range, the newest. */
const INBOX_QUESTIONS = 3000;

export interface EditorDeps {
  /** Validates an entry and builds a candidate engine with it, without publishing. */
  preview: (entry: unknown) => { ok: true; search: (q: string) => { id: string; title: string; score: number }[] } | { ok: false; problems: { field: string; problem: string }[] };
  /** Bundles and walkthroughs that use an item. */
  usesOf: (entryId: string) => { bundles: { id: string; title: string }[]; flows: { id: string; title: string }[] };
  editor: EditorService;
  kb: () => KnowledgeBase;
  /** The published version served (every publish and rollback adds one). */
  version: () => number;
  engine: () => Engine;
  store: Store;
  staleDays: number;
  /** A readable name for a walkthrough step key `flowId/stepId`. */
  stepLabel?: (step: string) => string;
  now?: () => Date;
  /** The dashboard's running totals (by default over `store`); their one-off build starts with the routes. */
  totals?: DashboardTotals;
}

/**
 * Turns read per page while looking for the inbox's questions: a page is decoded in one go (on
 * PostgreSQL the driver parses its rows' JSON and times together), so pages stay small.
 */
const INBOX_PAGE = 250;
/**
 * Work a handler does before letting the event loop run (the chat waits meanwhile). A stretch can
 * run past it by one unit of work (a search, ~1–2 ms) and a young-generation collection (1–4 ms):
 * 2 ms keeps the inbox's longest block under 10 ms with 1,000,000 logged questions (5 ms gave
 * 10–11 ms; docs/benchmarks.md).
 */
const SLICE_MS = 2;

/**
 * One request's work in slices: `pause()` lets the event loop run once SLICE_MS of work has been
 * done since it last ran. One per request, shared by its steps, so that a step ending just before
 * its own slice would and the next one starting do not add up to one long stretch.
 */
function slices(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since <= SLICE_MS) return;
    await nextTurn();
    since = performance.now();
  };
}

/** `items.map(f)`, pausing between items. */
async function mapInSlices<T, U>(items: readonly T[], f: (item: T) => U, pause: () => Promise<void>): Promise<U[]> {
  const out: U[] = [];
  for (const item of items) {
    out.push(f(item));
    await pause();
  }
  return out;
}
/**
 * The grouping features of entry names, worked out once per engine: the inbox compares each
 * group with the names of its nearest entries, and analysing ~15 names for each of 5 entries took
 * up to 16 ms per group — longer than a handler may hold the event loop.
 */
const nameFeatureCache = new WeakMap<Engine, Map<string, Set<string>>>();
function nameFeatures(engine: Engine, name: string): Set<string> {
  let cache = nameFeatureCache.get(engine);
  if (!cache) nameFeatureCache.set(engine, (cache = new Map()));
  let f = cache.get(name);
  if (!f) cache.set(name, (f = contentFeatures(engine.contentWords(name))));
  return f;
}

const filterInSlices = async <T>(items: readonly T[], keep: (item: T) => boolean, pause: () => Promise<void>): Promise<T[]> => {
  const kept = await mapInSlices(items, keep, pause);
  return items.filter((_, i) => kept[i]);
};

function unwrap<T>(r: EditorResult<T>): T {
  if (r.ok) return r.value;
  throw new AppError(r.status, r.code, r.message, r.details);
}

export function editorRoutes(deps: EditorDeps): Router {
  const r = Router();
  const now = deps.now ?? (() => new Date());
  // On the clock that stamps the records: it decides which days are over (dashboard-totals.ts).
  const totals = deps.totals ?? createDashboardTotals(deps.store, { recordClock: now });
  // Count what the logs held before the totals existed (once per store; nothing to do on a new one).
  // A failure (the database away) is retried by the next dashboard request.
  let building: Promise<void> | null = null;
  const build = () =>
    (building ??= totals.build().catch(() => {
      building = null;
    }));
  void build();
  r.use('/api/kb', requireRole('editor', 'admin'));
  r.post('/api/kb/*path', csrfGuard);
  const me = (res: Response) => userOf(res)!.username;
  const find = (id: string) => {
    const kb = deps.kb();
    const entry = kb.entries.find((e) => e.id === id);
    if (!entry) throw new AppError(404, 'not_found', `没有 id 为 ${id} 的条目。`);
    return { entry, file: kb.fileOf[id] ?? null };
  };

  /** The days asked for (China time, `from` and `to` included; the last 30 days by default) and their span as ISO times. */
  const rangeOf = (q: Record<string, unknown>) => {
    const day = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
    const to = day(q.to) ?? chinaDay(now());
    const back = Date.parse(to) - 29 * 86_400_000;
    const from = day(q.from) ?? (Number.isNaN(back) ? to : new Date(back).toISOString().slice(0, 10));
    const span = chinaDaySpan(from, to);
    if (!span) throw new AppError(400, 'invalid_request', 'from 和 to 必须是有效的日期（YYYY-MM-DD）');
    if (from > to) throw new AppError(400, 'invalid_request', 'from 不能晚于 to');
    return { from, to, span };
  };

  r.get('/api/kb/entries', (_req, res) => {
    const kb = deps.kb();
    const today = now().toISOString().slice(0, 10);
    res.json({
      version: deps.version(),
      entries: kb.entries.map((e) => ({
        id: e.id,
        title: e.title,
        kind: e.kind,
        aliases: e.aliases,
        department: e.department ?? null,
        verified: e.verified,
        lastVerified: e.lastVerified ?? null,
        inEffect: inEffect(e, today),
        file: kb.fileOf[e.id] ?? null,
      })),
    });
  });

  r.get('/api/kb/entries/:id', (req, res) => res.json(find(req.params.id)));

  r.get('/api/kb/entries/:id/history', async (req, res) => {
    find(req.params.id);
    const revisions = await deps.editor.history(req.params.id);
    res.json({ revisions: [...revisions].reverse().map(({ entry: _e, ...rest }) => rest) });
  });

  /** One revision with its full content, for showing what it changed. */
  r.get('/api/kb/entries/:id/history/:revision', async (req, res) => {
    find(req.params.id);
    const n = Number(req.params.revision);
    const revisions = await deps.editor.history(req.params.id);
    const rev = revisions.find((x) => x.revision === n);
    if (!rev) throw new AppError(404, 'not_found', `没有第 ${req.params.revision} 版。`);
    const previous = revisions.filter((x) => x.revision < n).at(-1) ?? null;
    res.json({ revision: rev, previous: previous ? { revision: previous.revision, entry: previous.entry } : null });
  });

  const rollbackBody = z.strictObject({ revision: z.number({ error: 'revision 必须是数字' }).int().min(1) });
  r.post('/api/kb/entries/:id/rollback', async (req, res) => {
    find(req.params.id);
    const { revision } = parseOr400(rollbackBody, req.body);
    const rev = unwrap(await deps.editor.rollback(req.params.id, revision, me(res)));
    res.json({ revision: { revision: rev.revision, author: rev.author, at: rev.at, note: rev.note }, entry: rev.entry });
  });

  const draftBody = z.strictObject({ entryId: z.string().optional(), entry: z.unknown(), note: z.string().max(500).optional() });
  r.post('/api/kb/drafts', async (req, res) => {
    const body = parseOr400(draftBody, req.body);
    if (body.entry === undefined || body.entry === null || typeof body.entry !== 'object') {
      throw new AppError(422, 'invalid_entry', '请提供条目内容 entry。', [{ field: '(entry)', problem: '缺少条目内容' }]);
    }
    const draft = unwrap(
      await deps.editor.createDraft(me(res), {
        entry: body.entry,
        ...(body.entryId !== undefined ? { entryId: body.entryId } : {}),
        ...(body.note !== undefined ? { note: body.note } : {}),
      }),
    );
    res.status(201).json({ draft });
  });

  r.get('/api/kb/drafts', async (_req, res) => res.json({ drafts: await deps.editor.drafts() }));

  r.get('/api/kb/drafts/:id', async (req, res) => {
    const d = await deps.editor.draft(req.params.id);
    if (!d) throw new AppError(404, 'not_found', '没有这个草稿。');
    res.json({ draft: d });
  });

  const approveBody = z.strictObject({
    /** Publish over the publish gate's findings; the reason is recorded with the revision and in the audit log. */
    override: z.strictObject({ reason: z.string().trim().min(4, { error: '请写明仍要发布的理由（至少 4 个字）' }).max(500, { error: '理由请控制在 500 字以内' }) }).optional(),
  });
  r.post('/api/kb/drafts/:id/approve', async (req, res) => {
    const b = parseOr400(approveBody, req.body ?? {});
    const rev = unwrap(await deps.editor.approve(req.params.id, me(res), b.override?.reason));
    res.json({ revision: { revision: rev.revision, author: rev.author, approvedBy: rev.approvedBy, at: rev.at, note: rev.note, ...(rev.gateOverride ? { gateOverride: rev.gateOverride } : {}) }, entry: rev.entry });
  });

  const closeBody = z.strictObject({ reason: z.string().max(500, { error: '原因请控制在 500 字以内' }).default('') });
  /** Return a draft to its author with a reason (another editor), or withdraw it (the author). */
  r.post('/api/kb/drafts/:id/return', async (req, res) => {
    const b = parseOr400(closeBody, req.body ?? {});
    const d = unwrap(await deps.editor.closeDraft(req.params.id, me(res), b.reason));
    res.json({ draft: { id: d.id, status: d.status, refusal: d.refusal ?? null, closedBy: d.closedBy } });
  });

  /** What needs an editor: expired or not yet effective entries, and facts not checked for a long time. */
  r.get('/api/kb/todo', (_req, res) => {
    const kb = deps.kb();
    const today = now().toISOString().slice(0, 10);
    const staleBefore = new Date(now().getTime() - deps.staleDays * 86_400_000).toISOString().slice(0, 10);
    const checked = (e: (typeof kb.entries)[number]) => e.lastVerified ?? e.sources.map((s) => s.checked).sort().at(-1) ?? '';
    res.json({
      expired: kb.entries.filter((e) => e.expiresOn && e.expiresOn <= today).map((e) => ({ id: e.id, title: e.title, expiresOn: e.expiresOn })),
      notYetEffective: kb.entries.filter((e) => e.effectiveFrom && e.effectiveFrom > today).map((e) => ({ id: e.id, title: e.title, effectiveFrom: e.effectiveFrom })),
      stale: kb.entries.filter((e) => checked(e) < staleBefore).map((e) => ({ id: e.id, title: e.title, checked: checked(e) })),
      unverified: kb.entries.filter((e) => !e.verified).length,
    });
  });

  const previewBody = z.strictObject({ entry: z.unknown(), questions: z.array(z.string().max(200)).max(20).default([]) });
  /** Live validation and 「试问」: how questions would rank against the draft, before and after. */
  r.post('/api/kb/preview', (req, res) => {
    const b = parseOr400(previewBody, req.body);
    const p = deps.preview(b.entry);
    if (!p.ok) {
      res.json({ ok: false, problems: p.problems });
      return;
    }
    const engine = deps.engine();
    res.json({
      ok: true,
      results: b.questions.map((q) => ({
        question: q,
        before: engine.search(q, 3).results.map((x) => ({ id: x.entry.id, title: x.entry.title, score: x.score })),
        after: p.search(q),
      })),
    });
  });

  r.get('/api/kb/entries/:id/uses', (req, res) => {
    find(req.params.id);
    res.json(deps.usesOf(req.params.id));
  });

  /**
   * The unanswered inbox: what citizens asked in the days asked for (the last 30 by default) that
   * the bot could not answer (the question that sent them to a person after a first failure
   * included), or answered weakly, grouped by meaning.
   * A group the knowledge base now answers well — an editor added the phrasing, or a new entry,
   * and it was published — is handled and no longer shown (`handled` counts them).
   */
  r.get('/api/kb/inbox', async (req, res) => {
    const { from, to, span } = rangeOf(req.query);
    // Newest first, at most INBOX_QUESTIONS (grouping costs grow with the square of the count):
    // the range's turns are read a page at a time, newest first, until there are enough.
    // Reading, grouping and searching take longer than a handler may hold the event loop: all work
    // in slices of one clock and let the chat run in between.
    const pause = slices();
    const asked: TurnRecord[] = [];
    for await (const page of deps.store.log<TurnRecord>('turns').newestFirst(span.start, span.end, INBOX_PAGE)) {
      for (const t of page) if (asked.length < INBOX_QUESTIONS && t.text && (t.kind === 'unanswered' || t.kind === 'answered' || t.unanswered)) asked.push(t);
      if (asked.length >= INBOX_QUESTIONS) break;
      await pause();
    }
    const engine = deps.engine();
    const features = (text: string) => contentFeatures(engine.contentWords(text));
    const clusters = await clusterQuestionsInSlices(asked.map((t) => t.text!), features, pause);
    const answeredNow = (text: string) => {
      const s = engine.search(text, 1);
      return s.answerable && (s.results[0]?.score ?? 0) >= WEAK_ANSWER;
    };
    const open = await filterInSlices(clusters.slice(0, 200), (c) => !answeredNow(c.label), pause);
    /**
     * How near an entry is to a group: the bot's confidence, or — it found none, which is why the
     * question is here — how much the group's words share with the entry's names (title, aliases,
     * keywords), as the grouping measures it; 0 to 1, so the editor can tell a near one from noise.
     */
    const nearness = (label: Set<string>, entry: { title: string; aliases: string[]; keywords: string[] }, confidence: number) =>
      Math.max(confidence, ...[entry.title, ...entry.aliases, ...entry.keywords].map((n) => similarity(label, nameFeatures(engine, n))));
    // For each group, the entries closest to its label: candidates the editor may add the phrasing to.
    // They are suggestions only — the bot did not find them close enough to answer with.
    res.json({
      clusters: await mapInSlices(open.slice(0, 100), (c) => {
        const label = features(c.label);
        const candidates = engine
          .search(c.label, 5)
          .results.map((x) => ({ id: x.entry.id, title: x.entry.title, kind: x.entry.kind, score: Math.round(nearness(label, x.entry, x.score) * 100) / 100 }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 3);
        const n = candidates[0];
        // The matters whose guide the group's follow-ups found silent (「能加急不」 after 出生登记),
        // most asked first: where the answer belongs, more than any entry near the words alone.
        const about = new Map<string, number>();
        for (const i of c.members) {
          const t = asked[i]!;
          if (t.kind === 'unanswered' && t.entryId) about.set(t.entryId, (about.get(t.entryId) ?? 0) + 1);
        }
        const askedAbout = [...about]
          .flatMap(([id, count]) => {
            const e = engine.entry(id);
            return e ? [{ id, title: e.title, kind: e.kind, count }] : [];
          })
          .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1))
          .slice(0, 3);
        const { members: _members, ...group } = c;
        return { ...group, nearest: n ? { id: n.id, title: n.title, kind: n.kind } : null, candidates, askedAbout };
      }, pause),
      from,
      to,
      questions: asked.length,
      handled: Math.min(clusters.length, 200) - open.length,
    });
  });

  /**
   * From the running totals, never the records: the range's day counters and a few blocks of entry
   * counters, so the cost does not grow with the number of records, and the counts are exact.
   */
  const dashboard = async (q: Record<string, unknown>) => {
    const { from, to } = rangeOf(q);
    if (!(await totals.built())) {
      void build();
      throw new AppError(503, 'dashboard_building', '统计数据正在整理（升级后第一次启动时需要几分钟），请稍后再试。');
    }
    const kb = deps.kb();
    const titles = new Map(kb.entries.map((e) => [e.id, e.title]));
    return totals.dashboard(from, to, (id) => titles.get(id) ?? id, deps.stepLabel);
  };
  r.get('/api/kb/dashboard', async (req, res) => res.json(await dashboard(req.query)));
  r.get('/api/kb/dashboard/weak-spots.csv', async (req, res) => {
    const d = await dashboard(req.query);
    res.setHeader('Content-Disposition', `attachment; filename="weak-spots-${d.from}-${d.to}.csv"`);
    res.type('text/csv; charset=utf-8').send(weakSpotsCsv(d));
  });

  return r;
}
