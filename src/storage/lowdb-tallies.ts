/**
 * The lowdb store's tallies: counters held in memory and journalled to one append-only file per
 * tally, `<dir>/tallies/<name>.jsonl`, one line per `add` (its counts, `[bucket, key, n]` triples).
 *
 * - An add is one line, written by one append: it lands whole or, after a crash half-way through
 *   the write, as a torn last line, which the replay at start-up skips (that add was never
 *   acknowledged); the next append then starts on a line of its own. Adds waiting while a write
 *   is in flight go out together in the next append, so under load the journal costs one small
 *   append per batch, not per add.
 * - Counts reach the in-memory totals only once their line is written, so a reader never sees a
 *   count a crash could take back.
 * - When the journal holds many more lines than counters it is compacted: the totals are written,
 *   one line per bucket, to a temporary file that replaces the journal (rename is atomic). It runs
 *   between two appends, so the totals it writes are exactly the lines it replaces.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AppendFiles } from './append-files.js';
import { lineBatches } from './line-batches.js';
import type { TallyCount, TallyStore } from './ports.js';
import { checkCounts, createTallyMaps } from './tally-maps.js';

/** Compact when the journal has this many lines more than there are buckets. */
const COMPACT_AFTER_LINES = 20_000;

type Line = [bucket: string, key: string, n: number][];

export interface JournalledTallies extends TallyStore {
  /** Resolves when every add made so far is written. */
  flush(): Promise<void>;
}

/** Whether the file's last byte is not a newline (false for an empty or missing file). */
async function endsMidLine(file: string): Promise<boolean> {
  const fh = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!fh) return false;
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

/** Opens (and replays) the journal of tally `name` under `dir`, appended to through the store's kept handles (closed with the store). */
export async function openLowdbTallies(dir: string, name: string, appends: AppendFiles): Promise<JournalledTallies> {
  const folder = join(dir, 'tallies');
  await mkdir(folder, { recursive: true });
  // The name is the caller's; keep it to a safe file name.
  const file = join(folder, `${encodeURIComponent(name)}.jsonl`);
  const maps = createTallyMaps();
  let lines = 0;
  try {
    const input = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const text of input) {
      if (text.length === 0) continue;
      let parsed: Line;
      try {
        parsed = JSON.parse(text) as Line;
      } catch {
        continue; // a torn last line: its add was never acknowledged
      }
      maps.apply(parsed.map(([bucket, key, n]) => ({ bucket, key, n })));
      lines++;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }

  // A journal ending in the middle of a line (a crash or a failed write during an append): the next
  // append starts on a line of its own, or its add would be glued to the torn one and skipped with
  // it at the next replay.
  let midLine = await endsMidLine(file);
  const compact = async () => {
    const text = [...maps.buckets()].map(([bucket, counters]) => `${JSON.stringify([...counters].map(([key, n]) => [bucket, key, n]))}\n`).join('');
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, text);
    // The kept handle would go on appending to the journal this rename replaces.
    await appends.release(file);
    await rename(temp, file);
    midLine = false;
    lines = maps.size();
  };
  const journal = lineBatches<readonly TallyCount[]>(
    async (batch, adds) => {
      try {
        await appends.append(file, (midLine ? '\n' : '') + batch);
        midLine = false;
      } catch (err) {
        midLine = true; // part of the batch may have been written
        throw err;
      }
      for (const counts of adds) maps.apply(counts);
      lines += adds.length;
    },
    // The journal stays valid if compaction fails.
    async () => {
      if (lines > maps.size() + COMPACT_AFTER_LINES) await compact().catch(() => {});
    },
  );

  return {
    add(counts) {
      checkCounts(counts);
      if (counts.length === 0) return Promise.resolve();
      return journal.add(`${JSON.stringify(counts.map((c) => [c.bucket, c.key, c.n]))}\n`, counts);
    },
    read: async (buckets) => maps.read(buckets),
    sum: async (buckets) => maps.sum(buckets),
    flush: () => journal.idle(),
  };
}
