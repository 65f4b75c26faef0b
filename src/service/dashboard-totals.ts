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
 *
 * Counters of days that are over are not added to any more (a record is counted as it is
 * written, stamped with the time it is made), so once the build is done, the dashboard keeps what
 * it has read of *settled* days — a day counter, or the sum of a range's entry blocks that all end
 * on such days — and reads from the store only the days since. A day is settled when it ended at
 * least a whole day ago (China time, by the same clock that stamps the records), which leaves a
 * day's margin for a message stamped before midnight and written after it. Every instance keeps
 * its own copy; since settled counters no longer change, the copies agree.
 * Instances still running an older version during an upgrade do not count what they write:
 * upgrade them together.
 */
import { chinaDay } from '../core/china-time.js';
import { nextTurn } from '../core/event-loop.js';
import { blockLastDay, dashboardFromTotals, dayBlocks, rangeBlocks, recordCounts, type Dashboard, type RecordCounts } from '../editor/dashboard.js';
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

const yieldNow = nextTurn;

const DAY_MS = 86_400_000;
/** Settled day counters kept (about two years of days), and settled entry sums (one per range asked lately). */
const SETTLED_DAYS_KEPT = 800;
const SETTLED_SUMS_KEPT = 16;

/** A map kept to `max` entries, the least recently used dropped first. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value!);
}

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

export function createDashboardTotals(store: Store, options: { now?: () => Date; graceMs?: number; recordClock?: () => Date } = {}) {
  const now = options.now ?? (() => new Date());
  /** The clock that stamps the records (the service's): it decides which days are over. */
  const recordClock = options.recordClock ?? now;
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

  // What the dashboard has read of settled days (see above): only once the build is done.
  const settledDays = new Map<string, Map<string, number>>();
  const settledSums = new Map<string, Map<string, number>>();
  /** Days on or before this one are settled. */
  const lastSettled = () => chinaDay(new Date(recordClock().getTime() - 2 * DAY_MS));

  /** The day counters of these days: settled ones kept from an earlier read, the rest read. */
  const dayCounts = async (dayNames: readonly string[]): Promise<Map<string, Map<string, number>>> => {
    const keep = builtSeen;
    const settled = lastSettled();
    const out = new Map<string, Map<string, number>>();
    const missing: string[] = [];
    for (const d of dayNames) {
      const known = keep ? settledDays.get(d) : undefined;
      if (known) out.set(d, known);
      else missing.push(d);
    }
    const fresh = new Map<string, Map<string, number>>(missing.map((d) => [d, new Map()]));
    if (missing.length > 0) for (const r of await tally.read(missing)) fresh.get(r.bucket)?.set(r.key, r.n);
    for (const [d, counts] of fresh) {
      out.set(d, counts);
      if (keep && d <= settled) remember(settledDays, d, counts, SETTLED_DAYS_KEPT);
    }
    return out;
  };

  /** The entry counters summed over a range's blocks: the sum of its settled blocks kept from an earlier read. */
  const entryCounts = async (from: string, to: string): Promise<Map<string, number>> => {
    const blocks = rangeBlocks(from, to);
    const settled = lastSettled();
    const done = builtSeen ? blocks.filter((b) => blockLastDay(b) <= settled) : [];
    const rest = blocks.filter((b) => !done.includes(b));
    const key = done.join(',');
    let base = done.length > 0 ? settledSums.get(key) : new Map<string, number>();
    if (!base) base = await tally.sum(done);
    if (done.length > 0) remember(settledSums, key, base, SETTLED_SUMS_KEPT);
    if (rest.length === 0) return base;
    await yieldNow();
    const sum = new Map(base);
    for (const [k, n] of await tally.sum(rest)) {
      const total = (sum.get(k) ?? 0) + n;
      if (total === 0) sum.delete(k);
      else sum.set(k, total);
    }
    return sum;
  };

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
      for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += DAY_MS) dayNames.push(new Date(t).toISOString().slice(0, 10));
      // One after the other, with a turn for the event loop between: on the embedded stores each
      // is synchronous work (a year is thousands of counters), and together they would hold it longer.
      await isBuilt();
      const days = await dayCounts(dayNames);
      await yieldNow();
      const entries = await entryCounts(from, to);
      await yieldNow();
      return dashboardFromTotals({ days: [...days].filter(([, counts]) => counts.size > 0).map(([day, counts]) => ({ day, counts })), entries, title, ...(stepLabel ? { stepLabel } : {}), from, to });
    },
  };
}

export type { TurnRecord, FeedbackRecord, ProcessReport, RatingRecord };
