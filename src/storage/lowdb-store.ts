/**
 * The embedded default store, on lowdb.
 *
 * lowdb rewrites a whole file on every write, so the layout keeps files small and independent:
 * - a document (one conversation) is one file, `<dir>/<collection>/<ab>/<sha1(key)>.json`, so
 *   the cost of saving a message depends on that conversation only, never on how many exist;
 * - a log is a series of segment files of at most SEGMENT_SIZE records, so appending rewrites
 *   one bounded segment, never the whole history.
 * Writes are atomic (lowdb's steno writes a temporary file and renames it) and coalesced
 * (while a file is being written, further writes to it collapse into one).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { DocumentStore, LogStore, Store } from './ports.js';

const SEGMENT_SIZE = 500;
/** Open document handles kept in memory; older ones are closed and re-read on demand. */
const HANDLE_CACHE = 5000;

const compact = { parse: JSON.parse, stringify: (d: unknown) => JSON.stringify(d) };

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
    // Promises, not handles: concurrent first uses of a key must share one file writer.
    const handles = new Map<string, Promise<Low<Doc<T> | null>>>();
    const pathOf = (key: string) => {
      const h = createHash('sha1').update(key).digest('hex');
      return { folder: join(base, h.slice(0, 2)), file: join(base, h.slice(0, 2), `${h}.json`) };
    };
    const handle = (key: string): Promise<Low<Doc<T> | null>> => {
      const cached = handles.get(key);
      if (cached) {
        // Refresh recency for the LRU.
        handles.delete(key);
        handles.set(key, cached);
        return cached;
      }
      const { file } = pathOf(key);
      const db = new Low<Doc<T> | null>(new DataFile<Doc<T> | null>(file, compact), null);
      const opened = db.read().then(() => db);
      handles.set(key, opened);
      opened.catch(() => handles.delete(key));
      if (handles.size > HANDLE_CACHE) {
        const oldest = handles.keys().next().value;
        if (oldest !== undefined) handles.delete(oldest);
      }
      return opened;
    };
    return {
      async read(key) {
        const db = await handle(key);
        return db.data && db.data.key === key ? structuredClone(db.data.value) : undefined;
      },
      async write(key, value) {
        const db = await handle(key);
        // Set the data before any further await, so concurrent writes land in call order.
        db.data = { key, value: structuredClone(value) };
        await ensureDir(pathOf(key).folder);
        await track(db.write());
      },
      async delete(key) {
        handles.delete(key);
        await rm(pathOf(key).file, { force: true });
      },
    };
  }

  function log<T>(name: string): LogStore<T> {
    const base = join(dir, name);
    let current: Promise<{ index: number; db: Low<{ records: T[] }> }> | null = null;
    const open = (index: number) => {
      const db = new Low<{ records: T[] }>(
        new DataFile<{ records: T[] }>(join(base, `${String(index).padStart(6, '0')}.json`), compact),
        { records: [] },
      );
      return db.read().then(() => ({ index, db }));
    };
    const segments = async (): Promise<number[]> => {
      await ensureDir(base);
      return (await readdir(base))
        .map((f) => /^(\d{6})\.json$/.exec(f)?.[1])
        .filter((x): x is string => !!x)
        .map(Number)
        .sort((a, b) => a - b);
    };
    const segment = () => (current ??= segments().then((s) => open(s.at(-1) ?? 1)));
    return {
      async append(record) {
        let seg = await segment();
        if (seg.db.data.records.length >= SEGMENT_SIZE) {
          current = open(seg.index + 1);
          seg = await current;
        }
        seg.db.data.records.push(structuredClone(record));
        await track(seg.db.write());
      },
      async recent(limit) {
        const out: T[] = [];
        const seg = await segment();
        out.push(...[...seg.db.data.records].reverse());
        const older = (await segments()).filter((i) => i < seg.index).reverse();
        for (const i of older) {
          if (out.length >= limit) break;
          const { db } = await open(i);
          out.push(...[...db.data.records].reverse());
        }
        return structuredClone(out.slice(0, limit));
      },
    };
  }

  return {
    documents,
    log,
    async writable() {
      const probe = join(dir, `.probe-${process.pid}`);
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
    },
    async close() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
