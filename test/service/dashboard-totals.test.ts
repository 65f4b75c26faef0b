/**
 * The dashboard from running totals gives exactly the figures computeDashboard computes from the
 * records — for random records over several days and entries, any range, on every store — and
 * stays exact past any cap, with two instances counting at once, and for logs that were there
 * before the totals (the one-off build).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { computeDashboard, dashboardFromTotals, dayBlocks, rangeBlocks, recordCounts, weakSpotsCsv } from '../../src/editor/dashboard.js';
import type { FeedbackRecord, ProcessReport, RatingRecord, TurnRecord } from '../../src/service/analytics.js';
import { PROCESS_REASONS } from '../../src/service/analytics.js';
import { createDashboardTotals, type CountedRecord } from '../../src/service/dashboard-totals.js';
import { createLowdbStore } from '../../src/storage/lowdb-store.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { Store } from '../../src/storage/ports.js';
import { createPostgresStore } from '../../src/storage/postgres-store.js';
import { dropTestSchemas, freshPostgresStore, freshSchema, postgresAvailable, TEST_DATABASE_URL } from '../helpers/postgres.js';

afterAll(dropTestSchemas);

const ENTRIES = ['item-a', 'item-b', 'bundle-c', 'faq-d'];
const START = Date.parse('2026-01-30T00:00:00Z');
const DAYS = 12;
/** A time in the 12 days from 2026-01-30 (crossing a month and China's day boundary at 16:00Z). */
const at = fc.integer({ min: 0, max: DAYS * 86_400_000 - 1 }).map((ms) => new Date(START + ms).toISOString());
const entry = fc.option(fc.constantFrom(...ENTRIES), { nil: null });
const turn: fc.Arbitrary<TurnRecord> = fc
  .record({
    at,
    kind: fc.constantFrom('answered', 'unanswered', 'clarified', 'suggested', 'appeal', 'handoff', 'walkthrough', 'checklist', 'smalltalk', 'other') as fc.Arbitrary<TurnRecord['kind']>,
    entryId: entry,
    offered: fc.subarray(ENTRIES, { minLength: 1 }),
    fromSuggestion: fc.boolean(),
    unanswered: fc.boolean(),
  })
  .map(({ kind, offered, fromSuggestion, unanswered, ...t }) => ({
    ...t,
    sessionId: 's',
    kind,
    ...(kind === 'suggested' ? { offered } : {}),
    ...(fromSuggestion && kind === 'answered' ? { fromSuggestion: true } : {}),
    ...(unanswered && kind === 'handoff' ? { unanswered: true as const } : {}),
  }));
const feedback: fc.Arbitrary<FeedbackRecord> = fc.record({ at, helpful: fc.boolean(), entryId: entry }).map((f) => ({ ...f, sessionId: 's', seq: 2, entryVersion: null, checklistId: null, comment: null }));
const report: fc.Arbitrary<ProcessReport> = fc
  .record({ at, entryId: entry, reason: fc.constantFrom(...(Object.keys(PROCESS_REASONS) as (keyof typeof PROCESS_REASONS)[])), step: fc.option(fc.constantFrom('shop/food', 'shop/tobacco', 'newborn/name'), { nil: null }) })
  .map((r) => ({ ...r, sessionId: 's', entryVersion: null, text: '不会填' }));
const rating: fc.Arbitrary<RatingRecord> = fc.record({ at, rating: fc.constantFrom('good', 'fair', 'poor') as fc.Arbitrary<RatingRecord['rating']>, entryId: entry }).map((r) => ({ ...r, sessionId: 's', comment: null }));
const records = fc.record({ turns: fc.array(turn, { maxLength: 60 }), feedback: fc.array(feedback, { maxLength: 15 }), reports: fc.array(report, { maxLength: 15 }), ratings: fc.array(rating, { maxLength: 10 }) });
const day = (i: number) => new Date(START + i * 86_400_000).toISOString().slice(0, 10);
const range = fc.tuple(fc.integer({ min: -1, max: DAYS + 1 }), fc.integer({ min: 0, max: DAYS + 1 })).map(([a, n]) => ({ from: day(a), to: day(a + n) }));

type Records = { turns: TurnRecord[]; feedback: FeedbackRecord[]; reports: ProcessReport[]; ratings: RatingRecord[] };
const counted = (r: Records): CountedRecord[] => [
  ...r.turns.map((record) => ({ log: 'turns' as const, record })),
  ...r.feedback.map((record) => ({ log: 'feedback' as const, record })),
  ...r.reports.map((record) => ({ log: 'process-reports' as const, record })),
  ...r.ratings.map((record) => ({ log: 'ratings' as const, record })),
];
const title = (id: string) => `标题${id}`;
const stepLabel = (s: string) => (s === 'shop/food' || s === 'shop/tobacco' ? '开小店：卖什么' : s);
const reference = (r: Records, from: string, to: string) => computeDashboard({ ...r, title, stepLabel, from, to });

describe('blocks of days', () => {
  it('cover a range exactly: every day of it in one block, no day outside it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 800 }), (a, n) => {
        const first = Date.parse('2025-01-01T00:00:00Z') + a * 86_400_000;
        const dayOf = (k: number) => new Date(first + k * 86_400_000).toISOString().slice(0, 10);
        const blocks = rangeBlocks(dayOf(0), dayOf(n));
        for (let k = -3; k <= n + 3; k++) {
          const hits = dayBlocks(dayOf(k)).filter((b) => blocks.includes(b)).length;
          expect(hits, `day ${k} of ${n}`).toBe(k >= 0 && k <= n ? 1 : 0);
        }
        if (n <= 366) expect(blocks.length).toBeLessThanOrEqual(24);
      }),
      { numRuns: 200 },
    );
  });
});

describe('dashboard from totals = dashboard from records', () => {
  it('gives the same figures for random records, any range (counts folded in memory)', () => {
    fc.assert(
      fc.property(records, range, (r, { from, to }) => {
        const days = new Map<string, Map<string, number>>();
        const blocks = new Map<string, Map<string, number>>();
        const into = (m: Map<string, Map<string, number>>, b: string, counts: Map<string, number>) => {
          if (!m.has(b)) m.set(b, new Map());
          for (const [k, n] of counts) m.get(b)!.set(k, (m.get(b)!.get(k) ?? 0) + n);
        };
        for (const c of counted(r).map(recordCounts)) {
          if (!c) continue;
          into(days, c.day, c.days);
          for (const b of dayBlocks(c.day)) into(blocks, b, c.entries);
        }
        const entries = new Map<string, number>();
        for (const b of rangeBlocks(from, to)) for (const [k, n] of blocks.get(b) ?? []) entries.set(k, (entries.get(k) ?? 0) + n);
        const got = dashboardFromTotals({ days: [...days].map(([d, counts]) => ({ day: d, counts })), entries, title, stepLabel, from, to });
        const want = reference(r, from, to);
        expect(got).toEqual(want);
        expect(weakSpotsCsv(got)).toBe(weakSpotsCsv(want));
      }),
      { numRuns: 300 },
    );
  });

  const onStore = (name: string, make: () => Promise<Store>, runs: number) =>
    it(`gives the same figures when the records are counted as written, on the ${name} store`, async () => {
      await fc.assert(
        fc.asyncProperty(records, fc.array(range, { minLength: 1, maxLength: 3 }), async (r, ranges) => {
          const store = await make();
          const totals = createDashboardTotals(store);
          await Promise.all(counted(r).map((c) => totals.count(c)));
          // As the editor routes do at start-up; with no record counted it is what makes the marker.
          await totals.build();
          expect(await totals.built()).toBe(true);
          for (const { from, to } of ranges) expect(await totals.dashboard(from, to, title, stepLabel)).toEqual(reference(r, from, to));
          await store.close();
        }),
        { numRuns: runs },
      );
    }, 120_000);
  onStore('memory', async () => createMemoryStore(), 60);
  onStore('lowdb', async () => createLowdbStore(await mkdtemp(join(tmpdir(), 'yici-dash-'))), 25);
  if (postgresAvailable) onStore('PostgreSQL', freshPostgresStore, 15);
});

describe('exact counts', () => {
  it('counts every question past any cap (150,000 in one day, where reading the newest 100,000 records once stopped)', async () => {
    const store = createMemoryStore();
    const totals = createDashboardTotals(store);
    const base = Date.parse('2026-05-01T01:00:00Z');
    for (let i = 0; i < 150_000; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, k) => totals.count({ log: 'turns', record: { at: new Date(base + (i + k) * 100).toISOString(), sessionId: 's', kind: 'answered', entryId: 'item-a' } })));
    }
    const d = await totals.dashboard('2026-05-01', '2026-05-01', title);
    expect(d.totals.questions).toBe(150_000);
    expect(d.entries[0]).toMatchObject({ entryId: 'item-a', questions: 150_000 });
  }, 60_000);

  it.skipIf(!postgresAvailable)('counts exactly when two instances on one PostgreSQL database count at once, and after a restart', async () => {
    const schema = freshSchema();
    const open = () => createPostgresStore(TEST_DATABASE_URL, { schema, poolSize: 4 });
    const [one, two] = await Promise.all([open(), open()]);
    const [a, b] = [createDashboardTotals(one), createDashboardTotals(two)];
    const sample = fc.sample(records, { numRuns: 6, seed: 16 });
    const all: Records = { turns: sample.flatMap((s) => s.turns), feedback: sample.flatMap((s) => s.feedback), reports: sample.flatMap((s) => s.reports), ratings: sample.flatMap((s) => s.ratings) };
    await Promise.all(counted(all).map((c, i) => (i % 2 === 0 ? a : b).count(c)));
    await Promise.all([one.close(), two.close()]);
    const again = await open();
    expect(await createDashboardTotals(again).dashboard(day(0), day(DAYS), title, stepLabel)).toEqual(reference(all, day(0), day(DAYS)));
    await again.close();
  }, 60_000);
});

describe('logs written before the totals existed', () => {
  const withOldLogs = async (store: Store, r: Records) => {
    for (const c of counted(r)) await store.log(c.log).append(c.record);
  };

  const builds = (name: string, make: () => Promise<Store>) =>
    it(`are counted once by the build (two instances building at once), then new records live, on the ${name} store`, async () => {
      const [old, fresh] = fc.sample(records, { numRuns: 2, seed: 7 }) as [Records, Records];
      const store = await make();
      await withOldLogs(store, old);
      // Live counting starts now (after every old record); the build waits out no grace here.
      const now = () => new Date('2026-03-01T00:00:00Z');
      const [one, two] = [createDashboardTotals(store, { now, graceMs: 0 }), createDashboardTotals(store, { now, graceMs: 0 })];
      const whole = { from: day(0), to: day(DAYS) };
      // Not built yet: the first record counted sets the line between live and built.
      await one.count({ log: 'ratings', record: { at: '2026-03-01T00:00:00.000Z', sessionId: 'x', rating: 'good', comment: null, entryId: null } });
      expect(await one.built()).toBe(false);
      await Promise.all([one.build(), two.build(), one.build()]);
      expect(await two.built()).toBe(true);
      expect(await one.dashboard(whole.from, whole.to, title, stepLabel)).toEqual(reference(old, whole.from, whole.to));
      // Records written from now on (their `at` after the line) are counted as they are written.
      const later = (iso: string) => new Date(Date.parse(iso) + 40 * 86_400_000).toISOString();
      const moved: Records = { turns: fresh.turns.map((t) => ({ ...t, at: later(t.at) })), feedback: fresh.feedback.map((t) => ({ ...t, at: later(t.at) })), reports: fresh.reports.map((t) => ({ ...t, at: later(t.at) })), ratings: fresh.ratings.map((t) => ({ ...t, at: later(t.at) })) };
      // One log object per log, as analytics.ts keeps (two writers of one lowdb segment would race).
      const logs = new Map(['turns', 'feedback', 'process-reports', 'ratings'].map((n) => [n, store.log(n)]));
      await Promise.all(counted(moved).map((c) => Promise.all([logs.get(c.log)!.append(c.record), two.count(c)])));
      const all: Records = { turns: [...old.turns, ...moved.turns], feedback: [...old.feedback, ...moved.feedback], reports: [...old.reports, ...moved.reports], ratings: [...old.ratings, ...moved.ratings, { at: '2026-03-01T00:00:00.000Z', sessionId: 'x', rating: 'good', comment: null, entryId: null }] };
      const year = { from: '2026-01-01', to: '2026-12-31' };
      // A later start builds nothing again.
      await createDashboardTotals(store, { now, graceMs: 0 }).build();
      expect(await one.dashboard(year.from, year.to, title, stepLabel)).toEqual(reference(all, year.from, year.to));
      await store.close();
    }, 60_000);
  builds('memory', async () => createMemoryStore());
  builds('lowdb', async () => createLowdbStore(await mkdtemp(join(tmpdir(), 'yici-dash-'))));
  if (postgresAvailable) builds('PostgreSQL', freshPostgresStore);

  it('a build stopped half-way (the store failing) is resumed by the next, each day counted once', async () => {
    const [old] = fc.sample(records, { numRuns: 1, seed: 11 }) as [Records];
    const store = createMemoryStore();
    await withOldLogs(store, old);
    const now = () => new Date('2026-03-01T00:00:00Z');
    let adds = 0;
    const failing: Store = {
      ...store,
      tallies: (name) => {
        const t = store.tallies(name);
        return { ...t, add: (counts) => (++adds === 4 ? Promise.reject(new Error('数据库断开')) : t.add(counts)) };
      },
    };
    await expect(createDashboardTotals(failing, { now, graceMs: 0 }).build()).rejects.toThrow('数据库断开');
    const totals = createDashboardTotals(store, { now, graceMs: 0 });
    expect(await totals.built()).toBe(false);
    await totals.build();
    expect(await totals.dashboard(day(0), day(DAYS), title, stepLabel)).toEqual(reference(old, day(0), day(DAYS)));
  });

  it('a new store, whose logs are empty, has nothing to build', async () => {
    const store = createMemoryStore();
    expect(await createDashboardTotals(store).built()).toBe(false);
    await createDashboardTotals(store).count({ log: 'feedback', record: { at: '2026-03-01T00:00:00.000Z', sessionId: 's', seq: 1, helpful: true, entryId: null, entryVersion: null, checklistId: null, comment: null } });
    expect(await createDashboardTotals(store).built()).toBe(true);
  });
});

describe('settled days, read once', () => {
  /** A memory store whose dashboard tally notes the buckets each read asks for. */
  const spied = () => {
    const store = createMemoryStore();
    const asked: string[][] = [];
    const spiedStore: Store = {
      ...store,
      tallies: (name) => {
        const t = store.tallies(name);
        return { ...t, read: (buckets) => (asked.push([...buckets]), t.read(buckets)), sum: (buckets) => (asked.push([...buckets]), t.sum(buckets)) };
      },
    };
    return { store: spiedStore, asked };
  };
  const questionAt = (at: string): CountedRecord => ({ log: 'turns', record: { at, sessionId: 's', kind: 'answered', entryId: 'item-a' } });

  it('keeps the counters of days that are over, reads the recent ones every time, and stays exact', async () => {
    const { store, asked } = spied();
    // 2026-03-10 12:00 in China: days up to 03-08 are over.
    const clock = () => new Date('2026-03-10T04:00:00Z');
    const totals = createDashboardTotals(store, { recordClock: clock });
    const written: Records = { turns: [], feedback: [], reports: [], ratings: [] };
    const write = async (at: string) => {
      const c = questionAt(at);
      written.turns.push(c.record as TurnRecord);
      await totals.count(c);
    };
    for (const at of ['2026-03-01T02:00:00Z', '2026-03-08T02:00:00Z', '2026-03-09T02:00:00Z', '2026-03-10T02:00:00Z']) await write(at);
    expect(await totals.dashboard('2026-03-01', '2026-03-10', title)).toEqual(reference(written, '2026-03-01', '2026-03-10'));
    asked.length = 0;
    // Today and yesterday go on being counted, and are read again.
    await write('2026-03-10T03:00:00Z');
    await write('2026-03-09T03:00:00Z');
    const again = await totals.dashboard('2026-03-01', '2026-03-10', title);
    expect(again).toEqual(reference(written, '2026-03-01', '2026-03-10'));
    expect(again.totals.questions).toBe(6);
    const daysRead = asked.flat().filter((b) => /^\d{4}-/.test(b));
    expect(daysRead.sort()).toEqual(['2026-03-09', '2026-03-10']);
  });

  it('keeps nothing until the old logs are counted: figures read before the build are not kept', async () => {
    const [old] = fc.sample(records, { numRuns: 1, seed: 23 }) as [Records];
    const store = createMemoryStore();
    for (const c of counted(old)) await store.log(c.log).append(c.record);
    const now = () => new Date('2026-03-01T00:00:00Z');
    const totals = createDashboardTotals(store, { now, graceMs: 0 });
    await totals.count({ log: 'ratings', record: { at: '2026-03-01T00:00:00.000Z', sessionId: 'x', rating: 'good', comment: null, entryId: null } });
    // Read before the build (the editor route answers 503 then; the totals themselves do not refuse).
    await totals.dashboard(day(0), day(DAYS), title, stepLabel);
    await totals.build();
    expect(await totals.dashboard(day(0), day(DAYS), title, stepLabel)).toEqual(reference(old, day(0), day(DAYS)));
  });
});
