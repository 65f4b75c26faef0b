/**
 * The dashboard reads the days asked for from the running totals, never a log; the unanswered
 * inbox reads the turns of those days — from the first instant of the first day to the first
 * instant after the last (China time) — newest first, and stops once it has enough. Days are
 * China days at both ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackRecord, TurnRecord } from '../../src/service/analytics.js';
import { createDashboardTotals } from '../../src/service/dashboard-totals.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { LogStore, Store } from '../../src/storage/ports.js';
import { staffHttp } from '../helpers/staff-http.js';
import { startEditorReadApp } from '../helpers/editor-read-app.js';
import type { startTestApp } from '../helpers/test-app.js';

/** A memory store that notes every read of a log: [method, log, arguments…]. */
function spiedStore(): { store: Store; reads: string[][] } {
  const inner = createMemoryStore();
  const reads: string[][] = [];
  const store: Store = {
    ...inner,
    log<T>(name: string): LogStore<T> {
      const log = inner.log<T>(name);
      return {
        append: (record) => log.append(record),
        recent: (limit) => (reads.push(['recent', name, String(limit)]), log.recent(limit)),
        between: (from, to) => (reads.push(['between', name, from, to]), log.between(from, to)),
        newestFirst: (from, to, size) => (reads.push(['newestFirst', name, from, to]), log.newestFirst(from, to, size)),
      };
    },
    tallies(name) {
      const tally = inner.tallies(name);
      return { add: (counts) => tally.add(counts), read: (buckets) => (reads.push(['tallies', name]), tally.read(buckets)), sum: (buckets) => (reads.push(['tallies', name]), tally.sum(buckets)) };
    },
  };
  return { store, reads };
}

const { store, reads } = spiedStore();
const clock = () => new Date('2026-11-27T04:00:00.000Z');
const totals = createDashboardTotals(store, { recordClock: clock });
let app: Awaited<ReturnType<typeof startTestApp>>;
const http = staffHttp(() => app.url);
const get = async <T>(path: string) => {
  const res = await http.json('GET', path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

beforeAll(async () => {
  // 2026-11-27 12:00 in China.
  app = await startEditorReadApp(store, totals, clock);
  // Around the range 2026-11-25 … 2026-11-26 in China: [2026-11-24T16:00Z, 2026-11-26T16:00Z).
  const turns = store.log<TurnRecord>('turns');
  const feedback = store.log<FeedbackRecord>('feedback');
  const turn = (at: string, kind: TurnRecord['kind'], text: string): TurnRecord => ({ at, sessionId: 's', kind, entryId: kind === 'answered' ? 'item-licence' : null, ...(kind === 'unanswered' ? { text } : {}) });
  const fb = (at: string, helpful: boolean): FeedbackRecord => ({ at, sessionId: 's', seq: 2, helpful, entryId: 'item-licence', entryVersion: null, checklistId: null, comment: null });
  // Written and counted as analytics.ts does.
  const writeTurn = (t: TurnRecord) => Promise.all([turns.append(t), totals.count({ log: 'turns', record: t })]);
  const writeFeedback = (f: FeedbackRecord) => Promise.all([feedback.append(f), totals.count({ log: 'feedback', record: f })]);
  await writeTurn(turn('2026-11-24T15:59:59.999Z', 'unanswered', '护照在哪里办理（前一天）'));
  await writeTurn(turn('2026-11-24T16:00:00.000Z', 'unanswered', '护照怎么办理'));
  await writeTurn(turn('2026-11-25T08:00:00.000Z', 'answered', ''));
  await writeTurn(turn('2026-11-26T15:59:59.999Z', 'unanswered', '办护照要什么材料'));
  await writeTurn(turn('2026-11-26T16:00:00.000Z', 'unanswered', '护照加急怎么办（后一天）'));
  await writeFeedback(fb('2026-11-24T16:00:00.000Z', false));
  await writeFeedback(fb('2026-11-26T16:00:00.000Z', true));
});
afterAll(() => app.close());

describe('dashboard and inbox by date range', () => {
  it('the dashboard and its CSV read the running totals, never a log', async () => {
    for (const path of ['/api/kb/dashboard?from=2026-11-25&to=2026-11-26', '/api/kb/dashboard/weak-spots.csv?from=2026-11-25&to=2026-11-26', '/api/kb/dashboard?from=2025-11-25&to=2026-11-26']) {
      reads.length = 0;
      expect((await http.json('GET', path)).status).toBe(200);
      expect(reads.filter((r) => r[0] !== 'tallies')).toEqual([]);
      // The first request of a range reads the totals; a settled day read once may be kept (dashboard-totals.ts).
      if (!path.includes('weak-spots')) expect(reads.length).toBeGreaterThan(0);
    }
  });

  it('counts records from the first instant of the range, and none from the instant after it', async () => {
    const d = await get<{ totals: { questions: number; answered: number; unanswered: number; helpful: number; notHelpful: number }; days: { day: string }[] }>(
      '/api/kb/dashboard?from=2026-11-25&to=2026-11-26',
    );
    expect(d.totals).toMatchObject({ questions: 3, answered: 1, unanswered: 2, notHelpful: 1, helpful: 0 });
    expect(d.days.map((x) => x.day)).toEqual(['2026-11-25', '2026-11-26']);
  });

  it('the inbox reads the last 30 days by default, or the range asked for, with the same bounds', async () => {
    reads.length = 0;
    const recent = await get<{ from: string; to: string; questions: number }>('/api/kb/inbox');
    expect(recent).toMatchObject({ from: '2026-10-29', to: '2026-11-27', questions: 4 });
    expect(reads).toEqual([['newestFirst', 'turns', '2026-10-28T16:00:00.000Z', '2026-11-27T16:00:00.000Z']]);

    const ranged = await get<{ questions: number; clusters: { examples: string[] }[] }>('/api/kb/inbox?from=2026-11-25&to=2026-11-26');
    expect(ranged.questions).toBe(2);
    expect(ranged.clusters.flatMap((c) => c.examples).sort()).toEqual(['办护照要什么材料', '护照怎么办理']);
  });

  it('refuses a day that does not exist, or a range that ends before it starts', async () => {
    for (const q of ['from=2026-02-30&to=2026-03-02', 'from=2026-11-26&to=2026-11-25', 'to=2026-13-01']) {
      expect((await http.json('GET', `/api/kb/dashboard?${q}`)).status).toBe(400);
      expect((await http.json('GET', `/api/kb/inbox?${q}`)).status).toBe(400);
    }
  });
});
