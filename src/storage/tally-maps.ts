/**
 * Tallies held in process memory: the memory store's, and the lowdb store's (which also journals
 * them to a file, lowdb-tallies.ts). A bucket is a Map from key to count.
 */
import type { TallyCount } from './ports.js';

export interface TallyMaps {
  apply(counts: readonly TallyCount[]): void;
  read(buckets: readonly string[]): TallyCount[];
  sum(buckets: readonly string[]): Map<string, number>;
  /** Every counter, one bucket at a time (for a snapshot). */
  buckets(): IterableIterator<[string, Map<string, number>]>;
  /** How many buckets hold a counter. */
  size(): number;
}

export function createTallyMaps(): TallyMaps {
  const buckets = new Map<string, Map<string, number>>();
  /**
   * One string per distinct key, shared by every bucket that counts it: the same entry counter
   * (「["item-…","questions"]」) is in hundreds of buckets, and each count arrives as a string of its
   * own (a parsed journal line, a record's counts). With 1,000,000 logged questions the copies
   * were a fifth of the process's live heap, and a full collection holds the event loop in
   * proportion to it (npm run bench -- --dashboard: 100 → 81 MB, its full collection 77 → 55 ms).
   */
  const keys = new Map<string, string>();
  const shared = (key: string): string => {
    const known = keys.get(key);
    if (known !== undefined) return known;
    keys.set(key, key);
    return key;
  };
  return {
    apply(counts) {
      for (const { bucket, key, n } of counts) {
        if (!Number.isSafeInteger(n)) throw new RangeError(`tally ${bucket} ${key}: ${n} is not an integer`);
        let b = buckets.get(bucket);
        if (!b) buckets.set(bucket, (b = new Map()));
        const total = (b.get(key) ?? 0) + n;
        if (total === 0) b.delete(key);
        else b.set(b.has(key) ? key : shared(key), total);
      }
    },
    read(wanted) {
      const out: TallyCount[] = [];
      for (const bucket of new Set(wanted)) for (const [key, n] of buckets.get(bucket) ?? []) out.push({ bucket, key, n });
      return out;
    },
    sum(wanted) {
      const out = new Map<string, number>();
      for (const bucket of new Set(wanted)) for (const [key, n] of buckets.get(bucket) ?? []) out.set(key, (out.get(key) ?? 0) + n);
      for (const [key, n] of out) if (n === 0) out.delete(key);
      return out;
    },
    buckets: () => buckets.entries(),
    size: () => buckets.size,
  };
}

/** Checks counts before any is applied, so a bad one leaves the totals as they were. */
export function checkCounts(counts: readonly TallyCount[]): void {
  for (const c of counts) {
    if (typeof c.bucket !== 'string' || typeof c.key !== 'string' || !Number.isSafeInteger(c.n)) throw new RangeError(`tally count ${JSON.stringify(c)}: bucket and key must be strings, n an integer`);
  }
}
