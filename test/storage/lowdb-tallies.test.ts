/**
 * The lowdb store's tallies survive a restart: the journal is replayed, a torn last line (a crash
 * in the middle of a write) is skipped, and compaction keeps the totals exactly.
 */
import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../src/storage/lowdb-store.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'yici-tallies-'));
const total = async (dir: string, bucket: string) => {
  const store = await createLowdbStore(dir);
  const rows = await store.tallies('dash').read([bucket]);
  await store.close();
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
};

describe('lowdb tallies', () => {
  it('keeps totals across a restart, and skips a torn last line', async () => {
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    const t = store.tallies('dash');
    await Promise.all(Array.from({ length: 300 }, (_, i) => t.add([{ bucket: 'd1', key: 'q', n: 1 }, { bucket: 'd1', key: `e${i % 4}`, n: 2 }])));
    await store.close();
    expect(await total(dir, 'd1')).toEqual({ q: 300, e0: 150, e1: 150, e2: 150, e3: 150 });
    // A crash while a line was being appended leaves part of it: that add was never acknowledged.
    await appendFile(join(dir, 'tallies', 'dash.jsonl'), '[["d1","q",1000],["d1"');
    expect(await total(dir, 'd1')).toEqual({ q: 300, e0: 150, e1: 150, e2: 150, e3: 150 });
  });

  it('keeps the adds made after a torn last line: they are not glued to it and lost at the next restart', async () => {
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    await store.tallies('dash').add([{ bucket: 'd1', key: 'q', n: 1 }]);
    await store.close();
    await appendFile(join(dir, 'tallies', 'dash.jsonl'), '[["d1","q",1000],["d1"');
    const after = await createLowdbStore(dir);
    await after.tallies('dash').add([{ bucket: 'd1', key: 'q', n: 2 }]);
    expect(await after.tallies('dash').read(['d1'])).toEqual([{ bucket: 'd1', key: 'q', n: 3 }]);
    await after.close();
    expect(await total(dir, 'd1')).toEqual({ q: 3 });
  });

  it('compacts a long journal into one line per bucket, with the same totals', async () => {
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    const t = store.tallies('dash');
    for (let round = 0; round < 6; round++) {
      await Promise.all(Array.from({ length: 3999 }, (_, i) => t.add([{ bucket: `d${i % 3}`, key: 'q', n: 1 }])));
    }
    await store.flush();
    const lines = (await readFile(join(dir, 'tallies', 'dash.jsonl'), 'utf8')).split('\n').filter(Boolean).length;
    expect(lines).toBeLessThan(6 * 3999);
    expect(await t.read(['d0', 'd1', 'd2'])).toHaveLength(3);
    await store.close();
    for (const b of ['d0', 'd1', 'd2']) expect(await total(dir, b)).toEqual({ q: 7998 });
  });
});
