/**
 * The embedded default store, on lowdb.
 *
 * lowdb rewrites a whole file on every write, so the layout keeps files small and independent:
 * - a document (one conversation) is one snapshot file, `<dir>/<collection>/<ab>/<sha1(key)>.json`,
 *   so the cost of saving a message depends on that conversation only, never on how many exist;
 * - a commit (DocumentStore.commit with a change: one chat message) appends one line with that
 *   change and its version to the document's journal, `<sha1(key)>.journal.jsonl`, instead of
 *   rewriting the snapshot: the cost is the message, not the document. Every JOURNAL_LIMIT lines the
 *   next commit rewrites the snapshot (atomically) and then removes the journal; lines whose version
 *   the snapshot already holds are skipped on reading (a crash in between), and an incomplete last
 *   line (a crash during its append, never acknowledged) is ignored and cut before the next append.
 *   A commit resolves once its line is written, as a write does once its file is renamed: an
 *   acknowledged message survives the process being killed (test/server/kill-restart.test.ts);
 * - a log is a series of segment files of at most SEGMENT_SIZE records (JSON Lines); a record is
 *   appended as one line, never rewriting the segment, and a line torn by a crash during its
 *   append (never acknowledged) is skipped on reading and cut before the next append.
 * Journals and log segments are appended to through kept file handles (append-files.ts); log
 * records arriving while a segment's write is in flight go out together in the next one.
 * The chat service pages transcripts for the same reason (see chat-service.ts).
 * Snapshot writes are atomic (lowdb's steno writes a temporary file and renames it) and coalesced
 * (while a file is being written, further writes to it collapse into one).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rm, truncate, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { createAppendFiles } from './append-files.js';
import { lineBatches, type LineBatches } from './line-batches.js';
import { applyChange, JOURNAL_LIMIT } from './document-change.js';
import { inRange, localCoordination } from './local-coordination.js';
import { openLowdbTallies, type JournalledTallies } from './lowdb-tallies.js';
import { checkCounts } from './tally-maps.js';
import { keyedSerializer } from '../core/serialize.js';
import type { DocumentChange, DocumentStore, LogStore, Store, TallyStore, Versioned } from './ports.js';

/** The value kept under `key`, opened (and kept) on first use. */
function opened<K, V>(kept: Map<K, V>, key: K, open: () => V): V {
  let v = kept.get(key);
  if (v === undefined) kept.set(key, (v = open()));
  return v;
}

export const SEGMENT_SIZE = 100;
/** Documents kept in memory (count, and characters of JSON text); older ones are dropped and re-read on demand. */
const HANDLE_CACHE = 500;
const CACHE_CHARS = 4 * 1024 * 1024;

/** Journal lines a document collects before the next commit rewrites its snapshot (compaction; document-change.ts). */
export { JOURNAL_LIMIT };

interface Snapshot<T> {
  key: string;
  value: T;
  /** Absent in files written before versions: 1. */
  version?: number;
}

/** One commit in a document's journal: the version it made and what it changed. */
interface JournalLine extends DocumentChange {
  v: number;
}

/** A document as cached: its value parsed once, or its snapshot text and journal lines until first read. */
interface Entry {
  /** Writes the snapshot file (its `data` is set just before each write). */
  db: Low<string>;
  paths: { folder: string; file: string; journal: string };
  /** Whether the snapshot file exists (a document is stored under this file). */
  exists: boolean;
  /** The snapshot's JSON text while it has not been parsed (dropped once `parsed` holds it). */
  text: string | undefined;
  /**
   * The document's value parsed from `text` with the lines of `changes` before it applied, or
   * `null` when the file holds another key's document; undefined until first read. Never handed
   * out: a read gets a copy (cloneJson), so a caller cannot change what is stored.
   */
  parsed: { value: Record<string, unknown> } | null | undefined;
  /** Characters of the snapshot's JSON (the cache's budget counts text). */
  snapshotChars: number;
  /** The version of the snapshot plus the journal lines after it; 0 for no document. */
  version: number;
  /** Journal lines (text) newer than what `parsed` holds, applied in order on read. */
  changes: string[];
  /** Lines in the journal file, older ones included; compaction is due at JOURNAL_LIMIT. */
  journalLines: number;
  journalChars: number;
  /** Bytes of the journal up to the end of its last whole line. */
  validLength: number;
  /** Where an incomplete last line (a crash during an append) starts; cut before the next append. */
  tornAt?: number;
}

/** A log's segment file as kept: its whole lines, and the lines waiting to be appended. */
interface Segment {
  index: number;
  /** The segment's records as written (whole lines only). */
  text: string;
  /** Records written or waiting: the segment is full at SEGMENT_SIZE. */
  count: number;
  /** Where a line torn by a crash starts; cut before the next append. */
  tornAt?: number;
  /** Appends its lines, a batch at a time; a line is readable once written. */
  appends: LineBatches<undefined>;
}

/**
 * A copy of a value parsed from JSON (plain objects, arrays, strings, numbers, booleans, null).
 * Only objects and arrays are copied — strings are immutable and shared — which is several times
 * cheaper than parsing the document's text again for every read.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in value) {
    const v = cloneJson((value as Record<string, unknown>)[k]);
    // JSON.parse makes "__proto__" an own property; an assignment would set the prototype instead.
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out as T;
}

/** Reads a journal's text into `e` (whose version is its snapshot's). */
function readJournal(e: Entry, text: string): void {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  for (const [i, line] of lines.entries()) {
    let parsed: JournalLine;
    try {
      parsed = JSON.parse(line) as JournalLine;
    } catch {
      throw new Error(`${e.paths.journal} 第 ${i + 1} 行不是有效的 JSON：日志文件已损坏，请从备份恢复或删除该行之后的内容。`);
    }
    e.journalLines += 1;
    if (parsed.v <= e.version) continue; // already in the snapshot (a crash before the journal was emptied)
    if (parsed.v !== e.version + 1) throw new Error(`${e.paths.journal} 第 ${i + 1} 行的版本 ${parsed.v} 不接续 ${e.version}：日志文件已损坏。`);
    e.changes.push(line);
    e.journalChars += line.length + 1;
    e.version = parsed.v;
  }
  e.validLength = Buffer.byteLength(text) - Buffer.byteLength(tail);
  // A last line without its newline was torn by a crash during its append: its commit was never acknowledged.
  if (tail !== '') e.tornAt = e.validLength;
}

/**
 * Cuts an append-only file back to `at` bytes (what a crash or a failed write tore off its end); a
 * missing file has nothing to cut. A handle kept open in append mode goes on writing at the new end.
 */
async function cutAt(path: string, at: number): Promise<void> {
  await truncate(path, at).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

export async function createLowdbStore(dir: string): Promise<Store> {
  await mkdir(dir, { recursive: true });
  const madeDirs = new Set<string>();
  // Document journals, log segments and tally journals are appended to through kept handles
  // (append-files.ts), not opened and closed per line; closed with the store.
  const journalFiles = createAppendFiles();
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

  // One DocumentStore per collection: each keeps the cache of open documents and the order of their
  // writes, which two instances over the same files would not share.
  const collections = new Map<string, DocumentStore<unknown>>();
  const documents = <T>(collection: string) => opened(collections, collection, () => openDocuments<unknown>(collection)) as DocumentStore<T>;

  function openDocuments<T>(collection: string): DocumentStore<T> {
    const base = join(dir, collection);
    // A document is its snapshot `<h>.json` ({ key, value, version }, rewritten atomically by
    // lowdb) plus its journal `<h>.journal.jsonl`: one line per commit since the snapshot, holding
    // that commit's change and version. Both are kept as text: a read parses fresh copies, so
    // callers never alias stored values.
    // Promises, not entries: concurrent first uses of a key must share one file writer.
    const handles = new Map<string, Promise<Entry>>();
    const sizes = new Map<string, number>();
    const busy = new Map<string, number>();
    // Changes of one key go one at a time, in call order (an append must not overtake a compaction).
    const line = keyedSerializer();
    let cachedBytes = 0;
    const pathOf = (key: string) => {
      const h = createHash('sha1').update(key).digest('hex');
      const folder = join(base, h.slice(0, 2));
      return { folder, file: join(folder, `${h}.json`), journal: join(folder, `${h}.journal.jsonl`) };
    };
    const account = (key: string, e: Entry) => {
      const bytes = e.snapshotChars + e.journalChars;
      cachedBytes += bytes - (sizes.get(key) ?? 0);
      sizes.set(key, bytes);
    };
    // Keep the cache within its budget, oldest first. An entry with a change in flight stays:
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
    const open = async (key: string): Promise<Entry> => {
      const paths = pathOf(key);
      // '' stands for a document not written yet (TextFile reads a missing file as null, Low keeps the default).
      const db = new Low<string>(new TextFile(paths.file), '');
      await db.read();
      const text = db.data;
      db.data = '';
      const snapshot = text === '' ? undefined : (JSON.parse(text) as Snapshot<T>);
      const entry: Entry = {
        db,
        paths,
        exists: snapshot !== undefined,
        text: undefined,
        parsed: snapshot === undefined ? undefined : snapshot.key === key ? { value: snapshot.value as Record<string, unknown> } : null,
        snapshotChars: text.length,
        version: snapshot ? (snapshot.version ?? 1) : 0,
        changes: [],
        journalLines: 0,
        journalChars: 0,
        validLength: 0,
      };
      const journal = await readFile(paths.journal, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return '';
        throw err;
      });
      readJournal(entry, journal);
      return entry;
    };
    const handle = (key: string): Promise<Entry> => {
      const cached = handles.get(key);
      if (cached) {
        // Refresh recency for the LRU.
        handles.delete(key);
        handles.set(key, cached);
        return cached;
      }
      const opened = open(key).then((e) => {
        account(key, e);
        evict();
        return e;
      });
      handles.set(key, opened);
      opened.catch(() => handles.delete(key));
      return opened;
    };
    const change = <R>(key: string, task: (e: Entry) => Promise<R>): Promise<R> => {
      busy.set(key, (busy.get(key) ?? 0) + 1);
      return line(key, async () => {
        const e = await handle(key);
        try {
          return await task(e);
        } finally {
          account(key, e);
        }
      }).finally(() => {
        const n = (busy.get(key) ?? 1) - 1;
        if (n > 0) busy.set(key, n);
        else busy.delete(key);
        evict();
      });
    };
    const removeDocument = async (e: Entry) => {
      Object.assign(e, { exists: false, text: undefined, parsed: undefined, snapshotChars: 0 });
      await rm(e.paths.file, { force: true });
      await journalFiles.release(e.paths.journal);
      await rm(e.paths.journal, { force: true });
      Object.assign(e, { version: 0, changes: [], journalLines: 0, journalChars: 0, validLength: 0, tornAt: undefined });
    };
    /** Rewrites the snapshot with `value` at `version` and empties the journal. */
    const snapshot = async (key: string, e: Entry, value: T, version: number) => {
      // The new snapshot holds every change: a read from now on must not apply them again. It is
      // parsed from its text on the next read, so what a read gets is what the file holds.
      const text = JSON.stringify({ key, value, version } satisfies Snapshot<T>);
      Object.assign(e, { exists: true, text, parsed: undefined, snapshotChars: text.length, version, changes: [] });
      e.db.data = text;
      await ensureDir(e.paths.folder);
      try {
        await track(e.db.write());
      } finally {
        e.db.data = '';
      }
      // The snapshot is durable first: a crash before the journal is emptied leaves lines whose
      // versions the snapshot already holds, and those are skipped when read.
      if (e.journalLines > 0 || e.validLength > 0) {
        await journalFiles.release(e.paths.journal);
        await track(rm(e.paths.journal, { force: true }));
      }
      Object.assign(e, { journalLines: 0, journalChars: 0, validLength: 0, tornAt: undefined });
    };
    // Parsed once, then copied for each read (the contract: callers never alias stored values).
    const valueOf = (key: string, e: Entry): Versioned<T> | undefined => {
      if (!e.exists) return undefined;
      if (e.parsed === undefined) {
        const doc = JSON.parse(e.text!) as Snapshot<T>;
        e.parsed = doc.key === key ? { value: doc.value as Record<string, unknown> } : null;
        e.text = undefined;
      }
      if (e.parsed === null) return undefined;
      if (e.changes.length > 0) {
        for (const line of e.changes) applyChange(e.parsed.value, JSON.parse(line) as JournalLine);
        e.changes = [];
      }
      return { value: cloneJson(e.parsed.value) as T, version: e.version };
    };
    return {
      async read(key) {
        return valueOf(key, await handle(key))?.value;
      },
      async readVersioned(key) {
        return valueOf(key, await handle(key));
      },
      write: (key, value) =>
        change(key, async (e) => {
          if (value === undefined) return removeDocument(e);
          await snapshot(key, e, value, e.version + 1);
        }),
      delete: (key) => change(key, removeDocument),
      async commit(key, { version, value, change: delta, appends = [], tally }) {
        if (tally) checkCounts(tally.counts);
        const done = await change(key, async (e) => {
          if (e.version !== version) return false;
          if (!delta || !e.exists || e.journalLines >= JOURNAL_LIMIT) {
            await snapshot(key, e, value, version + 1);
            return true;
          }
          const text = JSON.stringify({ v: version + 1, ...delta } satisfies JournalLine);
          // What a crash tore off the end of the journal goes before anything is added after it.
          if (e.tornAt !== undefined) {
            await cutAt(e.paths.journal, e.tornAt);
            e.tornAt = undefined;
          }
          await ensureDir(e.paths.folder);
          try {
            await track(journalFiles.append(e.paths.journal, `${text}\n`));
          } catch (err) {
            // A failed append may have left part of its line (a full disk): cut it before the next one.
            e.tornAt = e.validLength;
            throw err;
          }
          // Parsed on the next read and applied to the parsed value: what a read gets is what the line holds.
          e.changes.push(text);
          e.journalLines += 1;
          e.journalChars += text.length + 1;
          e.validLength += Buffer.byteLength(text) + 1;
          e.version = version + 1;
          return true;
        });
        // After the document's line, like the log records: a crash in between loses these counts (the
        // embedded store is one process; PostgreSQL does both in one statement).
        if (done) await Promise.all([...appends.map((a) => log(a.log).append(a.record)), ...(tally && tally.counts.length > 0 ? [tallies(tally.name).add(tally.counts)] : [])]);
        return done;
      },
    };
  }

  // One LogStore per name: two would each append to the current segment file and overwrite each other.
  const logs = new Map<string, LogStore<unknown>>();
  const log = <T>(name: string) => opened(logs, name, () => openLog<unknown>(name)) as LogStore<T>;

  function openLog<T>(name: string): LogStore<T> {
    const base = join(dir, name);
    // A segment is JSON Lines kept as text. A record is appended as its line through a kept
    // handle (journalFiles), records arriving while a write is in flight going out together in the
    // next one; a segment is never rewritten. A line torn by a crash during its append (never
    // acknowledged) is left out when the segment is read and cut off before the next append.
    let current: Promise<Segment> | null = null;
    const file = (index: number) => join(base, `${String(index).padStart(6, '0')}.jsonl`);
    const open = async (index: number): Promise<Segment> => {
      let text = await readFile(file(index), 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return '';
        throw new Error(`日志分段 ${file(index)} 无法读取：${err.message}`, { cause: err });
      });
      let tornAt: number | undefined;
      const whole = text.lastIndexOf('\n') + 1;
      if (whole < text.length) {
        text = text.slice(0, whole);
        tornAt = Buffer.byteLength(text);
      }
      const path = file(index);
      const seg: Segment = {
        index,
        text,
        count: lines(text).length,
        ...(tornAt !== undefined ? { tornAt } : {}),
        appends: lineBatches(async (batch, records) => {
          try {
            if (seg.tornAt !== undefined) {
              await cutAt(path, seg.tornAt);
              delete seg.tornAt;
            }
            await track(journalFiles.append(path, batch));
          } catch (err) {
            // A failed write may have left part of the batch (a full disk): cut back to what was acknowledged.
            seg.tornAt = Buffer.byteLength(seg.text);
            seg.count -= records.length;
            throw err;
          }
          seg.text += batch;
        }),
      };
      return seg;
    };
    const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);
    // The segment numbers, listed from the folder once and then kept: this store is the folder's
    // only writer, and adds a segment only in append below. (Listing and sorting 10,000 names —
    // 1,000,000 records — took several ms of the event loop on every read.)
    let listed: Promise<number[]> | null = null;
    const segments = (): Promise<number[]> =>
      (listed ??= (async () => {
        await ensureDir(base);
        return (await readdir(base))
          .map((f) => /^(\d{6})\.jsonl$/.exec(f)?.[1])
          .filter((x): x is string => !!x)
          .map(Number)
          .sort((a, b) => a - b);
      })().catch((err: unknown) => {
        listed = null;
        throw err;
      }));
    const segment = () => (current ??= segments().then((s) => open(s.at(-1) ?? 1)));
    return {
      async append(record) {
        for (;;) {
          const pending = segment();
          const seg = await pending;
          if (seg.count < SEGMENT_SIZE) {
            const line = `${JSON.stringify(record)}\n`;
            seg.count += 1;
            return track(seg.appends.add(line, undefined));
          }
          // Only the first append to find the segment full opens the next one; the others follow it.
          if (current === pending) {
            const next = seg.index + 1;
            const opening = open(next);
            current = opening;
            // A next segment that cannot be opened fails this append; the next one tries again.
            opening.catch(() => {
              if (current === opening) current = pending;
            });
            // The full segment may be the folder's first (made since the listing): listed now.
            const list = await segments();
            for (const i of [seg.index, next]) if (!list.includes(i)) list.push(i);
            list.sort((a, b) => a - b);
          }
        }
      },
      async recent(limit) {
        const seg = await segment();
        const out: T[] = lines(seg.text).reverse().map((l) => JSON.parse(l) as T);
        const older = (await segments()).filter((i) => i < seg.index).reverse();
        for (const i of older) {
          if (out.length >= limit) break;
          const { text } = await open(i);
          out.push(...lines(text).reverse().map((l) => JSON.parse(l) as T));
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
        if (take(seg.text)) return out;
        for (const i of (await segments()).filter((i) => i < seg.index).reverse()) {
          const { text } = await open(i);
          if (take(text)) break;
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
          const text = k < 0 ? seg.text : (await open(older[k]!)).text;
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
    // A failed opening is forgotten, so the next use tries again.
    const file = () =>
      opened(tallyFiles, name, () => {
        const t = openLowdbTallies(dir, name, journalFiles);
        t.catch(() => tallyFiles.delete(name));
        return t;
      });
    return {
      add: async (counts) => (await file()).add(counts),
      read: async (buckets) => (await file()).read(buckets),
      sum: async (buckets) => (await file()).sum(buckets),
    };
  }
  const flushTallies = async () => {
    for (const t of tallyFiles.values()) await (await t.catch(() => null))?.flush();
  };

  return {
    kind: 'lowdb',
    ...localCoordination(),
    documents,
    readTogether: (items) => Promise.all(items.map((i) => documents(i.collection).readVersioned(i.key))),
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
      await journalFiles.close();
    },
  };
}
