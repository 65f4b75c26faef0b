import { mkdtemp, readdir, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloneJson, createLowdbStore, JOURNAL_LIMIT, SEGMENT_SIZE } from '../../src/storage/lowdb-store.js';
import { concurrentLogContract, storeContract } from './contract.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'yici-lowdb-'));

/** The document files under a collection's folder (one shard folder level). */
async function jsonFiles(base: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of await readdir(base)) {
    for (const f of await readdir(join(base, shard))) if (f.endsWith('.json')) out.push(join(base, shard, f));
  }
  return out;
}

storeContract('lowdb store', async () => createLowdbStore(await tempDir()));

describe('lowdb store layout', () => {
  it('survives a restart: a new store over the same folder reads what the old one wrote', async () => {
    const dir = await tempDir();
    const a = await createLowdbStore(dir);
    await a.documents<{ v: string }>('conversations').write('s1', { v: '你好' });
    await a.log<{ q: string }>('unanswered').append({ q: '天气' });
    await a.close();
    const b = await createLowdbStore(dir);
    expect(await b.documents<{ v: string }>('conversations').read('s1')).toEqual({ v: '你好' });
    expect(await b.log<{ q: string }>('unanswered').recent(10)).toEqual([{ q: '天气' }]);
    await b.close();
  });

  it('stores one file per document, so a write never rewrites other conversations', async () => {
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    const docs = store.documents<number>('conversations');
    for (let i = 0; i < 20; i++) await docs.write(`s${i}`, i);
    await store.close();
    const shards = await readdir(join(dir, 'conversations'));
    let files = 0;
    for (const s of shards) files += (await readdir(join(dir, 'conversations', s))).filter((f) => f.endsWith('.json')).length;
    expect(files).toBe(20);
  });

  it('splits a log into bounded segments', async () => {
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    const log = store.log<number>('unanswered');
    for (let i = 0; i < 2 * SEGMENT_SIZE + 7; i++) await log.append(i);
    await store.close();
    const segments = (await readdir(join(dir, 'unanswered'))).filter((f) => f.endsWith('.jsonl')).sort();
    expect(segments).toEqual(['000001.jsonl', '000002.jsonl', '000003.jsonl']);
    const first = (await readFile(join(dir, 'unanswered', '000001.jsonl'), 'utf8')).trim().split('\n');
    expect(first.length).toBe(SEGMENT_SIZE);
    expect(JSON.parse(first[0]!)).toBe(0);
  });

  it('continues the last segment after a restart', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'unanswered'), { recursive: true });
    await writeFile(join(dir, 'unanswered', '000007.jsonl'), '1\n2\n');
    const store = await createLowdbStore(dir);
    await store.log<number>('unanswered').append(3);
    expect(await store.log<number>('unanswered').recent(3)).toEqual([3, 2, 1]);
    await store.close();
  });

  // Failures are made with file types, not permissions: CI runs as root, and root ignores modes.
  it('reports a folder that cannot take a file as not writable, and writable again once it can', async () => {
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    expect(await store.writable()).toBe(true);
    // The data folder is gone and a regular file stands in its place (a volume not mounted, a
    // path mix-up): nobody, root included, can create a file inside it.
    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a folder');
    expect(await store.writable()).toBe(false);
    await rm(dir);
    await mkdir(dir);
    expect(await store.writable()).toBe(true);
    expect(await readdir(dir)).toEqual([]); // the probes leave nothing behind
  });

  it('rejects a write it cannot make, naming the file, and leaves the stored value whole', async () => {
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    const docs = store.documents<{ text: string }>('conversations');
    await docs.write('s1', { text: '第一版' });
    const files = await jsonFiles(join(dir, 'conversations'));
    expect(files).toHaveLength(1);
    const file = files[0]!;
    const before = await readFile(file, 'utf8');
    // Writes go to a temporary file beside the document, then replace it: a folder squatting on
    // the temporary file's name makes the write fail, as a full disk or an I/O error would.
    const temp = join(dirname(file), `.${basename(file)}.tmp`);
    await mkdir(temp);
    const failed = await docs.write('s1', { text: '第二版'.repeat(1000) }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(Error);
    expect(String((failed as Error).message)).toContain(basename(file));
    // Nothing half-written: the document on disk is the old one, whole, and a restart reads it.
    expect(await readFile(file, 'utf8')).toBe(before);
    await store.close();
    const again = await createLowdbStore(dir);
    expect(await again.documents<{ text: string }>('conversations').read('s1')).toEqual({ text: '第一版' });
    // Once the obstacle is gone, writing works again.
    await rm(temp, { recursive: true });
    await again.documents<{ text: string }>('conversations').write('s1', { text: '第三版' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ value: { text: '第三版' } });
    await again.close();
  });

  it('rejects a log append it cannot make, naming the file, keeps the records already written, and appends again once it can', async () => {
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    const log = store.log<number>('unanswered');
    for (let i = 1; i <= SEGMENT_SIZE; i++) await log.append(i);
    const segment = join(dir, 'unanswered', '000001.jsonl');
    const before = await readFile(segment, 'utf8');
    // The next record opens segment 2: a folder squatting on its name makes the append fail, as a
    // full disk or an I/O error would.
    await mkdir(join(dir, 'unanswered', '000002.jsonl'));
    await expect(log.append(SEGMENT_SIZE + 1)).rejects.toThrow('000002.jsonl');
    expect(await readFile(segment, 'utf8')).toBe(before);
    expect((await log.recent(2)).length).toBe(2);
    await rm(join(dir, 'unanswered', '000002.jsonl'), { recursive: true });
    await log.append(SEGMENT_SIZE + 2);
    await store.close();
    const again = await createLowdbStore(dir);
    expect(await again.log<number>('unanswered').recent(3)).toEqual([SEGMENT_SIZE + 2, SEGMENT_SIZE, SEGMENT_SIZE - 1]);
    await again.close();
  });

  it('skips a log line torn by a crash during its append, and appends after it cleanly', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'unanswered'), { recursive: true });
    const segment = join(dir, 'unanswered', '000001.jsonl');
    await writeFile(segment, '{"at":"2026-01-01T00:00:00.000Z","n":1}\n{"at":"2026-01-01T00:00:01.000Z","n":2}\n{"at":"2026-01-01T0');
    const store = await createLowdbStore(dir);
    const log = store.log<{ at: string; n: number }>('unanswered');
    expect((await log.recent(5)).map((r) => r.n)).toEqual([2, 1]);
    expect((await log.between('2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z')).map((r) => r.n)).toEqual([1, 2]);
    await log.append({ at: '2026-01-01T00:00:02.000Z', n: 3 });
    await store.close();
    expect((await readFile(segment, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([1, 2, 3]);
  });
});

concurrentLogContract('lowdb store', async () => createLowdbStore(await tempDir()));

describe('lowdb document journal (issue 16 part 1)', () => {
  type Conv = { n: number; items: number[] };
  const files = async (dir: string, collection: string) => {
    const out: { snapshot?: string; journal?: string } = {};
    for (const shard of await readdir(join(dir, collection))) {
      for (const f of await readdir(join(dir, collection, shard))) {
        if (f.endsWith('.journal.jsonl')) out.journal = join(dir, collection, shard, f);
        else if (f.endsWith('.json')) out.snapshot = join(dir, collection, shard, f);
      }
    }
    return out;
  };
  /** Commits n more changes (push i, set n = i) over what is stored. */
  const commitMany = async (docs: ReturnType<Awaited<ReturnType<typeof createLowdbStore>>['documents']>, from: number, to: number) => {
    for (let i = from; i <= to; i++) {
      const read = (await docs.readVersioned('c')) as { value: Conv; version: number };
      const value = { n: i, items: [...read.value.items, i] };
      expect(await docs.commit('c', { version: read.version, value, change: { set: { n: i }, push: { items: [i] } } })).toBe(true);
    }
  };

  /** A store in a fresh folder with conversation 'c' created empty (version 1). */
  const withConversation = async () => {
    const dir = await tempDir();
    const a = await createLowdbStore(dir);
    const docs = a.documents<Conv>('conversations');
    await docs.commit('c', { version: 0, value: { n: 0, items: [] } });
    return { dir, a, docs };
  };

  it('appends a commit to the journal and leaves the snapshot alone; a restart reads both', async () => {
    const { dir, a, docs } = await withConversation();
    const { snapshot } = await files(dir, 'conversations');
    const before = await readFile(snapshot!, 'utf8');
    await commitMany(docs, 1, 3);
    const { journal } = await files(dir, 'conversations');
    expect(await readFile(snapshot!, 'utf8')).toBe(before);
    expect((await readFile(journal!, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { v: 2, set: { n: 1 }, push: { items: [1] } },
      { v: 3, set: { n: 2 }, push: { items: [2] } },
      { v: 4, set: { n: 3 }, push: { items: [3] } },
    ]);
    await a.close();
    const b = await createLowdbStore(dir);
    expect(await b.documents<Conv>('conversations').readVersioned('c')).toEqual({ value: { n: 3, items: [1, 2, 3] }, version: 4 });
    await b.close();
  });

  it('compacts: the journal never holds more than JOURNAL_LIMIT lines', async () => {
    const { dir, a, docs } = await withConversation();
    let longest = 0;
    for (let i = 1; i <= 3 * JOURNAL_LIMIT; i += 8) {
      await commitMany(docs, i, i + 7);
      const { journal } = await files(dir, 'conversations');
      const text = journal ? await readFile(journal, 'utf8').catch(() => '') : '';
      longest = Math.max(longest, text.split('\n').filter(Boolean).length);
    }
    expect(longest).toBeLessThanOrEqual(JOURNAL_LIMIT);
    await a.close();
    const b = await createLowdbStore(dir);
    const read = await b.documents<Conv>('conversations').read('c');
    expect(read?.items).toEqual(Array.from({ length: 3 * JOURNAL_LIMIT }, (_, i) => i + 1));
    await b.close();
  });

  it('ignores a last line torn by a crash, and appends after it cleanly', async () => {
    const { dir, a, docs } = await withConversation();
    await commitMany(docs, 1, 2);
    await a.close();
    const { journal } = await files(dir, 'conversations');
    await writeFile(journal!, (await readFile(journal!, 'utf8')) + '{"v":4,"set":{"n":3},"pu');
    const b = await createLowdbStore(dir);
    expect(await b.documents<Conv>('conversations').readVersioned('c')).toEqual({ value: { n: 2, items: [1, 2] }, version: 3 });
    await commitMany(b.documents<Conv>('conversations'), 3, 4);
    await b.close();
    const c = await createLowdbStore(dir);
    expect(await c.documents<Conv>('conversations').readVersioned('c')).toEqual({ value: { n: 4, items: [1, 2, 3, 4] }, version: 5 });
    await c.close();
  });

  it('rejects a commit whose journal line cannot be written, keeps the document as it was, and commits again once it can', async () => {
    const { dir, a, docs } = await withConversation();
    const { snapshot } = await files(dir, 'conversations');
    const journal = snapshot!.replace(/\.json$/, '.journal.jsonl');
    // A folder where the journal goes makes the append fail, as a full disk or an I/O error would.
    await mkdir(journal);
    await expect(docs.commit('c', { version: 1, value: { n: 1, items: [1] }, change: { set: { n: 1 }, push: { items: [1] } } })).rejects.toThrow();
    expect(await docs.readVersioned('c')).toEqual({ value: { n: 0, items: [] }, version: 1 });
    await rm(journal, { recursive: true });
    await commitMany(docs, 1, 2);
    await a.close();
    const b = await createLowdbStore(dir);
    expect(await b.documents<Conv>('conversations').readVersioned('c')).toEqual({ value: { n: 2, items: [1, 2] }, version: 3 });
    await b.close();
  });

  it('skips journal lines the snapshot already holds (a crash between compaction and emptying the journal)', async () => {
    const { dir, a, docs } = await withConversation();
    await commitMany(docs, 1, JOURNAL_LIMIT);
    const { journal } = await files(dir, 'conversations');
    const full = await readFile(journal!, 'utf8');
    await commitMany(docs, JOURNAL_LIMIT + 1, JOURNAL_LIMIT + 1); // compacts: new snapshot, journal removed
    await a.close();
    await writeFile(journal!, full); // as if the crash came before the journal was removed
    const b = await createLowdbStore(dir);
    const read = await b.documents<Conv>('conversations').readVersioned('c');
    expect(read?.value.items).toEqual(Array.from({ length: JOURNAL_LIMIT + 1 }, (_, i) => i + 1));
    expect(read?.version).toBe(JOURNAL_LIMIT + 2);
    await b.close();
  });
});

describe('lowdb document journal under concurrent reads', () => {
  it('never shows a reader a change twice, compaction included', async () => {
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    const docs = store.documents<{ items: number[] }>('conversations');
    await docs.commit('c', { version: 0, value: { items: [] } });
    let stop = false;
    const bad: number[][] = [];
    const reader = (async () => {
      while (!stop) {
        const read = await docs.read('c');
        if (read && new Set(read.items).size !== read.items.length) bad.push(read.items);
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 1; i <= 2 * JOURNAL_LIMIT + 2; i++) {
      const read = (await docs.readVersioned('c'))!;
      await docs.commit('c', { version: read.version, value: { items: [...read.value.items, i] }, change: { push: { items: [i] } } });
    }
    stop = true;
    await reader;
    expect(bad).toEqual([]);
    await store.close();
  });
});

describe('lowdb parsed-value cache', () => {
  it('cloneJson copies objects and arrays, so changing a copy leaves the original', () => {
    const original = JSON.parse('{"a": [{"b": 1}], "__proto__": {"c": 2}}') as { a: { b: number }[] };
    const copy = cloneJson(original);
    expect(copy).toStrictEqual(original);
    copy.a[0]!.b = 9;
    copy.a.push({ b: 3 });
    expect(original.a).toEqual([{ b: 1 }]);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('reads in the running store what a restarted one reads from the files, whatever the change held', async () => {
    const dir = await tempDir();
    const a = await createLowdbStore(dir);
    type Doc = Record<string, unknown> & { list: unknown[] };
    const docs = a.documents<Doc>('conversations');
    await docs.commit('c', { version: 0, value: { list: [], at: new Date(0) } as Doc });
    const changes = [
      { set: { at: new Date(1000), gone: undefined, n: -0 }, push: { list: [{ when: new Date(2000), nothing: undefined }] } },
      { set: { big: Infinity }, push: { list: [undefined, 'text'] } },
      { push: { list: [{ deep: [1, { two: 2 }] }] } },
    ];
    for (const change of changes) {
      const read = (await docs.readVersioned('c'))!;
      expect(await docs.commit('c', { version: read.version, value: read.value, change: change as never })).toBe(true);
    }
    const live = await docs.readVersioned('c');
    await a.close();
    const b = await createLowdbStore(dir);
    const fromFiles = await b.documents<Doc>('conversations').readVersioned('c');
    expect(live).toStrictEqual(fromFiles);
    expect(fromFiles!.value.list).toEqual([{ when: new Date(2000).toISOString() }, null, 'text', { deep: [1, { two: 2 }] }]);
    await b.close();
  });
});
