/**
 * The knowledge cache (adapters/knowledge-cache.ts) as a start uses it: loaded when the files,
 * code and options are those it was built from; rebuilt when any of them changed, when the
 * published version in a shared store is another, or when the file is damaged. On the small
 * fixture knowledge base, so each start takes a moment.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { createKnowledgeCache, type KnowledgeCache } from '../../src/adapters/knowledge-cache.js';
import { readYamlFiles } from '../../src/adapters/load-knowledge.js';
import { silentLogger } from '../../src/core/logger.js';
import type { SourceFile } from '../../src/knowledge/parse-knowledge.js';
import { cacheKeyOf, loadLiveKnowledge, type KnowledgeSharing, type LiveKnowledge } from '../../src/server/live-knowledge.js';
import { createLocalBus } from '../../src/storage/local-bus.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { FIXTURE_FILES, knowledgeFolders } from '../helpers/fixture-kb.js';

const running: LiveKnowledge[] = [];
afterEach(() => {
  for (const k of running.splice(0)) k.close();
});

const folders = (files: SourceFile[] = FIXTURE_FILES) => knowledgeFolders(files, 'yici-kcache-');
const local = (): KnowledgeSharing => ({ store: createMemoryStore(), bus: createLocalBus(), shared: false });
async function start(dirs: { knowledgeDir: string; flowsDir: string }, cache: KnowledgeCache, sharing: KnowledgeSharing = local()) {
  const k = await loadLiveKnowledge(dirs, createJiebaTokenizer, silentLogger, sharing, cache);
  running.push(k);
  await k.cache.saved;
  return k;
}
const QUESTIONS = ['个体户营业执照怎么办', '身份证丢了怎么补', '社保卡', '营业执照要多少钱', '明天天气怎么样'];
const answers = (k: LiveKnowledge) =>
  QUESTIONS.map((q) => {
    const r = k.engine().search(q, 3);
    return { q, band: r.band, probability: r.probability, results: r.results.map((x) => [x.entry.id, x.score]), features: r.features };
  });

describe('the knowledge cache at start-up', () => {
  it('is written after a start that built the engine and loaded by the next start, with the same answers', async () => {
    const dirs = await folders();
    const cache = createKnowledgeCache(dirs.cacheDir);
    const first = await start(dirs, cache);
    expect(first.cache.outcome).toBe('miss');
    expect((await readdir(dirs.cacheDir)).filter((n) => n.endsWith('.v8'))).toHaveLength(1);
    const second = await start(dirs, cache);
    expect(second.cache.outcome).toBe('hit');
    expect(answers(second)).toEqual(answers(first));
    expect(second.kb()).toEqual(first.kb());
  });

  it('serves what the cache holds when the key matches (it is not parsed or built again)', async () => {
    const dirs = await folders();
    const cache = createKnowledgeCache(dirs.cacheDir);
    const first = await start(dirs, cache);
    // A cache written under this folder's key whose knowledge base says something the files do not:
    // a start that used the files would not serve it.
    const key = cache.keyOf(await readYamlFiles(dirs.knowledgeDir));
    const kb = first.kb();
    await cache.save(key, { kb: { ...kb, entries: kb.entries.map((e) => (e.id === 'item-licence' ? { ...e, title: '缓存里的标题' } : e)) }, snapshot: first.engine().snapshot() });
    const second = await start(dirs, cache);
    expect(second.cache.outcome).toBe('hit');
    expect(second.engine().entry('item-licence')!.title).toBe('缓存里的标题');
  });

  it('is rebuilt when a knowledge file changed', async () => {
    const dirs = await folders();
    const cache = createKnowledgeCache(dirs.cacheDir);
    await start(dirs, cache);
    const file = join(dirs.knowledgeDir, 'items/licence.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('aliases: [个体户营业执照, 办个体户]', 'aliases: [个体户营业执照, 办个体户, 夜市摆摊登记]'));
    const edited = await start(dirs, cache);
    expect(edited.cache.outcome).toBe('miss');
    expect(edited.engine().entry('item-licence')!.aliases).toContain('夜市摆摊登记');
    expect(edited.engine().search('夜市摆摊登记').results[0]!.entry.id).toBe('item-licence');
    // The older file is gone: one cache file is kept.
    expect((await readdir(dirs.cacheDir)).filter((n) => n.endsWith('.v8'))).toHaveLength(1);
    expect((await start(dirs, cache)).cache.outcome).toBe('hit');
  });

  it('keeps the walkthroughs parsed with the knowledge base, and is rebuilt when a walkthrough file changed', async () => {
    const dirs = await folders();
    const flow = (intro: string) => `id: shop
title: 开办小商店一件事
entry: bundle-shop
intro: ${intro}
slots:
  tobacco: { type: choice, values: [yes, no] }
start: tobacco
steps:
  tobacco:
    ask: 要卖烟吗？
    why: 卖烟要另办烟草专卖零售许可证。
    slot: tobacco
    choices:
      - { label: 要卖烟, value: yes }
      - { label: 不卖烟, value: no }
    next: done
  done:
    checklist:
      title: 开办小商店 办事清单
      items:
        - { id: item-licence }
        - { id: item-tobacco, when: tobacco == "yes" }
`;
    await writeFile(join(dirs.flowsDir, 'shop.yaml'), flow('好的，我来帮您理一理开小商店要办的证。'));
    const cache = createKnowledgeCache(dirs.cacheDir);
    const first = await start(dirs, cache);
    expect(first.cache.outcome).toBe('miss');
    expect(first.flows().map((f) => f.id)).toEqual(['shop']);
    const second = await start(dirs, cache);
    expect(second.cache.outcome).toBe('hit');
    expect(second.flows()).toEqual(first.flows());
    expect(second.flows()[0]!.conditions.size).toBeGreaterThan(0);
    // What a start from the cache serves is the walkthrough as the cache holds it, not parsed again:
    // written under the same key with another intro, that intro is served.
    const key = cacheKeyOf(cache, await readYamlFiles(dirs.knowledgeDir), await readYamlFiles(dirs.flowsDir));
    await cache.save(key, { kb: first.kb(), snapshot: first.engine().snapshot(), flows: first.flows().map((f) => ({ ...f, intro: '缓存里的开场白' })) });
    expect((await start(dirs, cache)).flows()[0]!.intro).toBe('缓存里的开场白');
    // A changed walkthrough file is another key: parsed again and served as changed.
    await writeFile(join(dirs.flowsDir, 'shop.yaml'), flow('您好，开小商店要办哪些证，我一项项告诉您。'));
    const third = await start(dirs, cache);
    expect(third.cache.outcome).toBe('miss');
    expect(third.flows()[0]!.intro).toBe('您好，开小商店要办哪些证，我一项项告诉您。');
    expect((await start(dirs, cache)).cache.outcome).toBe('hit');
  });

  it('is rebuilt when the code or the engine options are others (another key)', async () => {
    const dirs = await folders();
    const files = await readYamlFiles(dirs.knowledgeDir);
    const keys = [
      createKnowledgeCache(dirs.cacheDir, { code: 'a' }).keyOf(files),
      createKnowledgeCache(dirs.cacheDir, { code: 'b' }).keyOf(files),
      createKnowledgeCache(dirs.cacheDir, { code: 'a', engineOptions: { retrieval: { candidates: 10 } } }).keyOf(files),
      createKnowledgeCache(dirs.cacheDir).keyOf(files),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    // The same inputs give the same key, in any file order.
    expect(createKnowledgeCache(dirs.cacheDir, { code: 'a' }).keyOf([...files].reverse())).toBe(keys[0]);
    await start(dirs, createKnowledgeCache(dirs.cacheDir, { code: 'a' }));
    expect((await start(dirs, createKnowledgeCache(dirs.cacheDir, { code: 'b' }))).cache.outcome).toBe('miss');
  });

  it('a damaged or cut-short file is ignored, the engine built as without it, and the file written again', async () => {
    for (const damage of [(b: Buffer) => b.subarray(0, b.length >> 1), (b: Buffer) => {
      const flipped = Buffer.from(b);
      flipped.writeUInt8(flipped.readUInt8(flipped.length >> 1) ^ 0xff, flipped.length >> 1);
      return flipped;
    }, () => Buffer.from('not a cache')]) {
      const dirs = await folders();
      const cache = createKnowledgeCache(dirs.cacheDir);
      const first = await start(dirs, cache);
      const [name] = (await readdir(dirs.cacheDir)).filter((n) => n.endsWith('.v8'));
      const file = join(dirs.cacheDir, name!);
      await writeFile(file, damage(await readFile(file)));
      const second = await start(dirs, cache);
      expect(second.cache.outcome).toBe('unreadable');
      expect(answers(second)).toEqual(answers(first));
      expect((await start(dirs, cache)).cache.outcome).toBe('hit');
    }
  });

  it('shared store: follows the published version, never the cache of an older one', async () => {
    const dirs = await folders();
    const store = createMemoryStore();
    const bus = createLocalBus();
    const sharing = { store, bus, shared: true };
    const a = await start(dirs, createKnowledgeCache(dirs.cacheDir), sharing);
    expect(a.cache.outcome).toBe('miss');
    const kb = a.kb();
    const licence = kb.entries.find((e) => e.id === 'item-licence')!;
    const entry = { ...licence, aliases: [...licence.aliases, '夜市摆摊登记'] };
    expect(await a.runtime.exclusive(() => a.runtime.publish({ ...kb, entries: kb.entries.map((e) => (e.id === entry.id ? entry : e)) }, entry))).toEqual([]);
    // Another instance with the same data folder (so the cache of version 1) starts from the store's version 2.
    const b = await start(dirs, createKnowledgeCache(dirs.cacheDir), sharing);
    expect(b.version()).toBe(2);
    expect(b.cache.outcome).toBe('miss');
    expect(b.engine().entry('item-licence')!.aliases).toContain('夜市摆摊登记');
    expect((await start(dirs, createKnowledgeCache(dirs.cacheDir), sharing)).cache.outcome).toBe('hit');
  });

  it('without a cache nothing is read or written', async () => {
    const dirs = await folders();
    const k = await loadLiveKnowledge(dirs, createJiebaTokenizer, silentLogger, local());
    running.push(k);
    expect(k.cache.outcome).toBe('off');
    await expect(readdir(dirs.cacheDir)).rejects.toThrow();
  });
});
