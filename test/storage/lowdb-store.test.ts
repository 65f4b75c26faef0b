import { mkdtemp, readdir, readFile, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLowdbStore, SEGMENT_SIZE } from '../../src/storage/lowdb-store.js';
import { concurrentLogContract, storeContract } from './contract.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'yici-lowdb-'));

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

  it('reports a read-only folder as not writable', async () => {
    if (process.getuid?.() === 0) return; // root can write anywhere; the check is meaningless there
    const dir = await tempDir();
    const store = await createLowdbStore(dir);
    await chmod(dir, 0o500);
    expect(await store.writable()).toBe(false);
    await chmod(dir, 0o700);
  });
});
concurrentLogContract('lowdb store', async () => createLowdbStore(await tempDir()));
