/**
 * The embedded default store, on lowdb.
 *
 * lowdb rewrites a whole file on every write, so the layout keeps files small and independent:
 * - a document (one conversation) is one file, `<dir>/<collection>/<ab>/<sha1(key)>.json`, so
 *   the cost of saving a message depends on that conversation only, never on how many exist;
 * - a log is a series of segment files of at most SEGMENT_SIZE records, so appending rewrites
 *   one bounded segment, never the whole history.
 * The chat service pages transcripts for the same reason (see chat-service.ts).
 * Writes are atomic (lowdb's steno writes a temporary file and renames it) and coalesced
 * (while a file is being written, further writes to it collapse into one).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { inRange, localCoordination } from './local-coordination.js';
import { openLowdbTallies, type JournalledTallies } from './lowdb-tallies.js';
import type { DocumentStore, LogStore, Store, TallyStore } from './ports.js';

export const SEGMENT_SIZE = 100;
/** Documents kept in memory (count, and characters of JSON text); older ones are dropped and re-read on demand. */
const HANDLE_CACHE = 500;
const CACHE_CHARS = 4 * 1024 * 1024;

interface Doc<T> {
  key: string;
  value: T;
}

export async function createLowdbStore(dir: string): Promise<Store> {
  await mkdir(dir, { recursive: true });
  const madeDirs = new Set<string>();
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => {});
    return p;
  };
  const ensureDir = async (d: string) => {
    if (madeDirs.has(d)) return;
    await mkdir(d, { recursive: true });
    madeDirs.add(d);
  };

  function documents<T>(collection: string): DocumentStore<T> {
    const base = join(dir, collection);
    // Each document is kept as its JSON text: one stringify per write serves both the file and
    // the cache, and a read parses a fresh copy, so callers never alias stored values.
    // Promises, not handles: concurrent first uses of a key must share one file writer.
    // Promises, not handles: concurrent first uses of a key must share one file writer.
    const handles = new Map<string, Promise<Low<string>>>();
    const sizes = new Map<string, number>();
    const busy = new Map<string, number>();
    let cachedBytes = 0;
    const pathOf = (key: string) => {
      const h = createHash('sha1').update(key).digest('hex');
      return { folder: join(base, h.slice(0, 2)), file: join(base, h.slice(0, 2), `${h}.json`) };
    };
    const account = (key: string, bytes: number) => {
      cachedBytes += bytes - (sizes.get(key) ?? 0);
      sizes.set(key, bytes);
    };
    // Keep the cache within its budget, oldest first. A handle with a write in flight stays:
    // a second writer on the same file would race it for the same temporary file.
    const evict = () => {
      for (const key of handles.keys()) {
        if (cachedBytes <= CACHE_CHARS && handles.size <= HANDLE_CACHE) break;
        if (busy.has(key)) continue;
        handles.delete(key);
        cachedBytes -= sizes.get(key) ?? 0;
        sizes.delete(key);
      }
    };
    const handle = (key: string): Promise<Low<string>> => {
      const cached = handles.get(key);
      if (cached) {
        // Refresh recency for the LRU.
        handles.delete(key);
        handles.set(key, cached);
        return cached;
      }
      // '' stands for a document not written yet (TextFile reads a missing file as null, Low keeps the default).
      const db = new Low<string>(new TextFile(pathOf(key).file), '');
      const opened = db.read().then(() => {
        account(key, db.data.length);
        evict();
        return db;
      });
      handles.set(key, opened);
      opened.catch(() => handles.delete(key));
      return opened;
    };
    return {
      async read(key) {
        const db = await handle(key);
        if (db.data === '') return undefined;
        const doc = JSON.parse(db.data) as Doc<T>;
        return doc.key === key ? doc.value : undefined;
      },
      async write(key, value) {
        const db = await handle(key);
        // Set the data before any further await, so concurrent writes land in call order.
        db.data = JSON.stringify({ key, value } satisfies Doc<T>);
        account(key, db.data.length);
        busy.set(key, (busy.get(key) ?? 0) + 1);
        try {
          await ensureDir(pathOf(key).folder);
          await track(db.write());
        } finally {
          const n = (busy.get(key) ?? 1) - 1;
          if (n > 0) busy.set(key, n);
          else busy.delete(key);
          evict();
        }
      },
      async delete(key) {
        const db = await handle(key);
        db.data = '';
        await rm(pathOf(key).file, { force: true });
      },
    };
  }

  function log<T>(name: string): LogStore<T> {
    const base = join(dir, name);
    // A segment is JSON Lines kept as text: appending adds one line instead of re-serialising
    // every record of the segment.
    let current: Promise<{ index: number; db: Low<string>; count: number }> | null = null;
    const file = (index: number) => join(base, `${String(index).padStart(6, '0')}.jsonl`);
    const open = async (index: number) => {
      const db = new Low<string>(new TextFile(file(index)), '');
      await db.read();
      return { index, db, count: lines(db.data).length };
    };
    const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);
    const segments = async (): Promise<number[]> => {
      await ensureDir(base);
      return (await readdir(base))
        .map((f) => /^(\d{6})\.jsonl$/.exec(f)?.[1])
        .filter((x): x is string => !!x)
        .map(Number)
        .sort((a, b) => a - b);
    };
    const segment = () => (current ??= segments().then((s) => open(s.at(-1) ?? 1)));
    return {
      async append(record) {
        for (;;) {
          const pending = segment();
          const seg = await pending;
          if (seg.count < SEGMENT_SIZE) {
            seg.db.data += `${JSON.stringify(record)}\n`;
            seg.count += 1;
            await track(seg.db.write());
            return;
          }
          // Only the first append to find the segment full opens the next one; the others follow it.
          if (current === pending) current = open(seg.index + 1);
        }
      },
      async recent(limit) {
        const seg = await segment();
        const out: T[] = lines(seg.db.data).reverse().map((l) => JSON.parse(l) as T);
        const older = (await segments()).filter((i) => i < seg.index).reverse();
        for (const i of older) {
          if (out.length >= limit) break;
          const { db } = await open(i);
          out.push(...lines(db.data).reverse().map((l) => JSON.parse(l) as T));
        }
        return out.slice(0, limit);
      },
      async between(from, to) {
        // Segments are in time order: read from the newest back to the first one that starts before `from`.
        const seg = await segment();
        const out: T[] = [];
        const take = (text: string): boolean => {
          const records = lines(text).map((l) => JSON.parse(l) as T); // oldest first
          out.unshift(...inRange([...records].reverse(), from, to));
          const first = (records[0] as { at?: unknown } | undefined)?.at;
          return typeof first === 'string' && first < from;
        };
        if (take(seg.db.data)) return out;
        for (const i of (await segments()).filter((i) => i < seg.index).reverse()) {
          const { db } = await open(i);
          if (take(db.data)) break;
        }
        return out;
      },
      async *newestFirst(from, to, size) {
        // Newest segment first. A segment whose first record is at `to` or later (with a minute's
        // slack for records written slightly out of time order) is skipped unparsed; the walk ends
        // after the first segment that starts before `from`, as in `between`.
        const step = Math.max(1, size);
        const seg = await segment();
        const older = (await segments()).filter((i) => i < seg.index).reverse();
        const slack = new Date(Date.parse(to) + 60_000).toISOString();
        let page: T[] = [];
        for (let k = -1; k < older.length; k++) {
          const text = k < 0 ? seg.db.data : (await open(older[k]!)).db.data;
          const all = lines(text);
          if (all.length === 0) continue;
          const firstAt = (JSON.parse(all[0]!) as { at?: unknown }).at;
          if (typeof firstAt === 'string' && !Number.isNaN(Date.parse(to)) && firstAt >= slack) continue;
          for (let i = all.length - 1; i >= 0; i--) {
            const record = JSON.parse(all[i]!) as T;
            const at = (record as { at?: unknown }).at;
            if (typeof at !== 'string' || at < from || at >= to) continue;
            page.push(record);
            if (page.length >= step) {
              yield page;
              page = [];
            }
          }
          if (typeof firstAt === 'string' && firstAt < from) break;
        }
        if (page.length > 0) yield page;
      },
    };
  }

  // Tallies open (and replay their journal) on first use; every use shares the one opening.
  const tallyFiles = new Map<string, Promise<JournalledTallies>>();
  function tallies(name: string): TallyStore {
    const opened = () => {
      let t = tallyFiles.get(name);
      if (!t) {
        tallyFiles.set(name, (t = openLowdbTallies(dir, name)));
        t.catch(() => tallyFiles.delete(name));
      }
      return t;
    };
    return {
      add: async (counts) => (await opened()).add(counts),
      read: async (buckets) => (await opened()).read(buckets),
      sum: async (buckets) => (await opened()).sum(buckets),
    };
  }
  const flushTallies = async () => {
    for (const t of tallyFiles.values()) await (await t.catch(() => null))?.flush();
  };

  return {
    kind: 'lowdb',
    ...localCoordination(),
    documents,
    log,
    tallies,
    async writable() {
      // One probe file per call: concurrent health checks must not remove each other's probe.
      const probe = join(dir, `.probe-${process.pid}-${randomUUID()}`);
      try {
        await writeFile(probe, 'ok');
        await unlink(probe);
        return true;
      } catch {
        return false;
      }
    },
    async flush() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await flushTallies();
    },
    async close() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await flushTallies();
    },
  };
}
