/**
 * The dashboard's running totals (see dashboard.ts): added to as analytics.ts writes each record,
 * read by the editor routes, and built once from the logs a deployment already has.
 *
 * Which records the totals count live, and which the one-off build counts, is decided once per
 * store by a marker document `dashboard-totals/marker` = `{ liveFrom }`, written by the first
 * instance that needs it (under the store's lock, so instances agree):
 * - logs empty when the marker is made: `liveFrom` is '' — every record is counted live, nothing
 *   is left to build;
 * - logs already there (a deployment upgraded): `liveFrom` is the time the marker was made. Records
 *   at or after it are counted live; those before it are counted by the build, which starts
 *   BUILD_GRACE_MS later (so a record stamped just before `liveFrom` and written just after it is
 *   in the log by then), reads the logs newest first a page at a time, yielding to the event loop
 *   every few milliseconds, sums the counts per day in memory (a year's counters, not its records),
 *   then adds them one day at a time, each day in one atomic add together with a counter saying
 *   that day is in — a build that dies half-way is resumed by the next start, skipping those days.
 * Until the build is done the dashboard says so (503) rather than show figures missing the old days.
 * Instances still running an older version during an upgrade do not count what they write:
 * upgrade them together.
 */
import { dashboardFromTotals, dayBlocks, rangeBlocks, recordCounts, type Dashboard, type RecordCounts } from '../editor/dashboard.js';
import type { Store, TallyCount } from '../storage/ports.js';
import type { FeedbackRecord, ProcessReport, RatingRecord, TurnRecord } from './analytics.js';

/**
 * One tally holds it all, so that one add — a record's counts, or the whole build — is atomic:
 * day buckets 'YYYY-MM-DD', entry blocks 'level:index' (dashboard.ts) and the state bucket.
 */
export const TALLY = 'dashboard';
/** The bucket holding the counter `built` (1 once the old logs are counted). */
const STATE_BUCKET = '-';
const MARKER = { collection: 'dashboard-totals', key: 'marker' } as const;
export const BUILD_GRACE_MS = 60_000;
const PAGE = 2000;
/** Work in one go before yielding to the event loop. */
const SLICE_MS = 5;

export type CountedRecord = Parameters<typeof recordCounts>[0];
const LOGS = ['turns', 'feedback', 'process-reports', 'ratings'] as const;

interface Marker {
  liveFrom: string;
}

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The tally counts of some records' counts, added together. */
function tallyCounts(all: Iterable<RecordCounts>): TallyCount[] {
  const days = new Map<string, Map<string, number>>();
  const entries = new Map<string, Map<string, number>>();
  const add = (into: Map<string, Map<string, number>>, bucket: string, from: Map<string, number>) => {
    let b = into.get(bucket);
    if (!b) into.set(bucket, (b = new Map()));
    for (const [k, n] of from) b.set(k, (b.get(k) ?? 0) + n);
  };
  for (const c of all) {
    add(days, c.day, c.days);
    if (c.entries.size > 0) for (const block of dayBlocks(c.day)) add(entries, block, c.entries);
  }
  const flat = (m: Map<string, Map<string, number>>) => [...m].flatMap(([bucket, keys]) => [...keys].map(([key, n]) => ({ bucket, key, n })));
  return [...flat(days), ...flat(entries)];
}

export type DashboardTotals = ReturnType<typeof createDashboardTotals>;

export function createDashboardTotals(store: Store, options: { now?: () => Date; graceMs?: number } = {}) {
  const now = options.now ?? (() => new Date());
  const graceMs = options.graceMs ?? BUILD_GRACE_MS;
  const tally = store.tallies(TALLY);
  const markers = store.documents<Marker>(MARKER.collection);
  let marker: Promise<Marker> | null = null;
  let builtSeen = false;

  const loadMarker = () =>
    (marker ??= store
      .exclusive('dashboard-totals', async () => {
        const found = await markers.read(MARKER.key);
        if (found) return found;
        const empty = (await Promise.all(LOGS.map((l) => store.log(l).recent(1)))).every((r) => r.length === 0);
        const made: Marker = { liveFrom: empty ? '' : now().toISOString() };
        await markers.write(MARKER.key, made);
        if (empty) await tally.add([{ bucket: STATE_BUCKET, key: 'built', n: 1 }]);
        return made;
      })
      .catch((err: unknown) => {
        marker = null; // try again with the next record
        throw err;
      }));

  const isBuilt = async () => (builtSeen ||= (await tally.read([STATE_BUCKET])).some((c) => c.key === 'built' && c.n > 0));

  /** Adds the counts of records, in one atomic add. */
  const addCounts = (all: Iterable<RecordCounts>, extra: TallyCount[] = []) => tally.add([...tallyCounts(all), ...extra]);

  /**
   * What counting these records would add — for a caller that adds them in the same commit as the
   * records themselves (DocumentStore.commit's `tally`, under the name TALLY). Empty for records
   * the build will count.
   */
  const countsOf = async (records: readonly CountedRecord[]): Promise<TallyCount[]> => {
    const { liveFrom } = await loadMarker();
    return tallyCounts(records.filter((r) => r.record.at >= liveFrom).flatMap((r) => recordCounts(r) ?? []));
  };

  return {
    /** Counts a record just written (analytics.ts), unless the build will. */
    async count(record: CountedRecord): Promise<void> {
      const counts = await countsOf([record]);
      if (counts.length > 0) await tally.add(counts);
    },

    countsOf,

    /**
     * Counts the records the logs had before the totals existed, once (see above); resolves when
     * they are counted (by this instance or another). Safe to call from every instance.
     */
    async build(): Promise<void> {
      const { liveFrom } = await loadMarker();
      if (await isBuilt()) return;
      const wait = Date.parse(liveFrom) + graceMs - now().getTime();
      // The wait must not keep a process that is shutting down alive.
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      await store.exclusive('dashboard-totals build', async () => {
        if (await isBuilt()) return;
        // Summed in memory as it goes (a year's counters, not its records), added once at the end.
        const sum = new Map<string, RecordCounts>();
        const fold = (c: RecordCounts) => {
          let s = sum.get(c.day);
          if (!s) sum.set(c.day, (s = { day: c.day, days: new Map(), entries: new Map() }));
          for (const [k, n] of c.days) s.days.set(k, (s.days.get(k) ?? 0) + n);
          for (const [k, n] of c.entries) s.entries.set(k, (s.entries.get(k) ?? 0) + n);
        };
        for (const log of LOGS) {
          let slice = performance.now();
          for await (const page of store.log<{ at: string }>(log).newestFirst('0001-01-01T00:00:00.000Z', liveFrom, PAGE)) {
            for (const record of page) {
              const c = recordCounts({ log, record } as CountedRecord);
              if (c) fold(c);
              if (performance.now() - slice > SLICE_MS) {
                await yieldNow();
                slice = performance.now();
              }
            }
          }
        }
        // One atomic add per day, carrying the counter that says that day is in: a build stopped
        // half-way (a crash, the database away) is resumed by the next one, which skips those days.
        // Small adds also keep each step short for the event loop.
        const done = new Set((await tally.read([STATE_BUCKET])).filter((c) => c.key.startsWith('day:') && c.n > 0).map((c) => c.key.slice(4)));
        for (const c of sum.values()) {
          if (done.has(c.day)) continue;
          await addCounts([c], [{ bucket: STATE_BUCKET, key: `day:${c.day}`, n: 1 }]);
          await yieldNow();
        }
        await tally.add([{ bucket: STATE_BUCKET, key: 'built', n: 1 }]);
        builtSeen = true;
      });
    },

    /** Are the old logs counted (so every day's figures are whole)? */
    built: isBuilt,

    /** The dashboard of days `from` to `to` from the totals: reads the range's day buckets and a few blocks of entry counters. */
    async dashboard(from: string, to: string, title: (id: string) => string, stepLabel?: (step: string) => string): Promise<Dashboard> {
      const dayNames: string[] = [];
      for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += 86_400_000) dayNames.push(new Date(t).toISOString().slice(0, 10));
      // One after the other, with a turn for the event loop between: on the embedded stores each
      // is synchronous work (a year is thousands of counters), and together they would hold it longer.
      const rows = await tally.read(dayNames);
      await yieldNow();
      const entries = await tally.sum(rangeBlocks(from, to));
      await yieldNow();
      const days = new Map<string, Map<string, number>>();
      for (const r of rows) {
        let d = days.get(r.bucket);
        if (!d) days.set(r.bucket, (d = new Map()));
        d.set(r.key, r.n);
      }
      return dashboardFromTotals({ days: [...days].map(([day, counts]) => ({ day, counts })), entries, title, ...(stepLabel ? { stepLabel } : {}), from, to });
    },
  };
}

export type { TurnRecord, FeedbackRecord, ProcessReport, RatingRecord };
