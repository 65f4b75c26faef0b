/**
 * The lowdb store's kept append handles (src/storage/append-files.ts): lines land in order and
 * whole, the least recently used handle is closed past the limit, and a file released before it is
 * removed or replaced gets its next line in the new file, not in the unlinked one.
 */
import { mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppendFiles } from '../../src/storage/append-files.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'yici-append-'));
/** The process's open descriptors that point into `dir`. */
const openIn = async (dir: string) => {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(dir)) n++;
  }
  return n;
};

describe('append files kept open', () => {
  it('appends lines in call order, each whole, and creates a missing file', async () => {
    const dir = await tempDir();
    const files = createAppendFiles();
    const path = join(dir, 'a.jsonl');
    for (let i = 0; i < 50; i++) await files.append(path, `${JSON.stringify({ i, text: '办'.repeat(i) })}\n`);
    await files.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { i: number });
    expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps at most `max` files open, closing the least recently used, and reopens it on its next line', async () => {
    const dir = await tempDir();
    const files = createAppendFiles(3);
    for (const name of ['a', 'b', 'c', 'd', 'e']) await files.append(join(dir, name), `${name}1\n`);
    // Closing an evicted handle is not awaited by the append that evicted it: give it a turn.
    await new Promise((r) => setTimeout(r, 20));
    expect(await openIn(dir)).toBe(3);
    await files.append(join(dir, 'a'), 'a2\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(await openIn(dir)).toBe(3);
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('a1\na2\n');
    await files.close();
    expect(await openIn(dir)).toBe(0);
  });

  it('never closes a handle under its append: with more files in use at once than the limit, every line lands, and the limit holds again after', async () => {
    const dir = await tempDir();
    const files = createAppendFiles(3);
    const names = Array.from({ length: 20 }, (_, i) => `f${i}`);
    for (let round = 0; round < 3; round++) await Promise.all(names.map((n) => files.append(join(dir, n), `${n}-${round}\n`)));
    await new Promise((r) => setTimeout(r, 20));
    expect(await openIn(dir)).toBeLessThanOrEqual(3);
    for (const n of names) expect(await readFile(join(dir, n), 'utf8')).toBe(`${n}-0\n${n}-1\n${n}-2\n`);
    await files.close();
  });

  it('after release, the next line goes to the file now at that path (removed, or renamed over)', async () => {
    const dir = await tempDir();
    const files = createAppendFiles();
    const path = join(dir, 'journal.jsonl');
    await files.append(path, 'old\n');
    await files.release(path);
    await rm(path);
    await files.append(path, 'new\n');
    expect(await readFile(path, 'utf8')).toBe('new\n');

    await writeFile(`${path}.tmp`, 'compacted\n');
    await files.release(path);
    await rename(`${path}.tmp`, path);
    await files.append(path, 'after\n');
    expect(await readFile(path, 'utf8')).toBe('compacted\nafter\n');
    await files.close();
  });

  it('needs no release to truncate: the next line goes to the new end', async () => {
    const dir = await tempDir();
    const files = createAppendFiles();
    const path = join(dir, 'journal.jsonl');
    await files.append(path, 'kept\n');
    await files.append(path, 'torn');
    await truncate(path, 'kept\n'.length);
    await files.append(path, 'next\n');
    expect(await readFile(path, 'utf8')).toBe('kept\nnext\n');
    await files.close();
  });

  it('without release a kept handle would write to the removed file: the reason release exists', async () => {
    const dir = await tempDir();
    const files = createAppendFiles();
    const path = join(dir, 'journal.jsonl');
    await files.append(path, 'old\n');
    await rm(path);
    await files.append(path, 'lost\n');
    await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    await files.close();
  });

  it('rejects an append it cannot make, and appends again once it can', async () => {
    const dir = await tempDir();
    const files = createAppendFiles();
    const path = join(dir, 'missing-folder', 'a.jsonl');
    await expect(files.append(path, 'x\n')).rejects.toMatchObject({ code: 'ENOENT' });
    await mkdir(join(dir, 'missing-folder'));
    await files.append(path, 'y\n');
    expect(await readFile(path, 'utf8')).toBe('y\n');
    await files.close();
  });
});
