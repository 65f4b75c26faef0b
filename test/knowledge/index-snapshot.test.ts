/**
 * An engine's snapshot (its search index and segmenter words as data) stored the way the
 * knowledge cache stores it and loaded again must answer exactly as the engine it came from: on
 * the shipped knowledge base, for every question of the main eval set. A field added to the index
 * that the storing loses or changes shows up here as a different result.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { decodeCache, encodeCache } from '../../src/adapters/knowledge-cache.js';
import { createEngine, type Engine } from '../../src/knowledge/engine.js';
import type { Entry } from '../../src/knowledge/schema.js';
import { realKb, root } from '../helpers/real-engine.js';

const view = (engine: Engine, q: string) => {
  const r = engine.search(q, 5);
  return {
    band: r.band,
    probability: r.probability,
    appeal: r.appeal,
    results: r.results.map((x) => [x.entry.id, x.score]),
    ambiguous: r.ambiguous?.map((x) => [x.entry.id, x.score]) ?? null,
    suggestions: r.suggestions.map((x) => [x.entry.id, x.score]),
    features: r.features,
    tokens: r.analyzed.tokens,
  };
};

describe('engine snapshot round trip', () => {
  it('answers every eval question exactly as the engine it was taken from', async () => {
    const kb = await realKb();
    const built = createEngine(kb, createJiebaTokenizer(), { today: '2026-11-30' });
    const bytes = encodeCache('k', { kb, snapshot: built.snapshot() });
    const stored = decodeCache(bytes, 'k')!;
    expect(stored).not.toBeNull();
    const loaded = createEngine(stored.kb, createJiebaTokenizer(), { today: '2026-11-30', snapshot: stored.snapshot });
    const questions = (parse(await readFile(join(root, 'eval/questions.yaml'), 'utf8')) as { q: string }[]).map((x) => x.q);
    expect(questions.length).toBeGreaterThan(500);
    for (const q of [...questions, 'shebaoka zenme ban', 'fapiao zenme ling']) expect(view(loaded, q), q).toEqual(view(built, q));
    // Results hold the knowledge base's own entries.
    expect(loaded.search('社保卡').results[0]!.entry).toBe(stored.kb.entries.find((e) => e.id === loaded.search('社保卡').results[0]!.entry.id));
  });

  it("keeps the analyzer's sound tables, so a start from it does not work them out again", async () => {
    const kb = await realKb();
    const built = createEngine(kb, createJiebaTokenizer(), { today: '2026-11-30' });
    const taken = built.snapshot();
    // Worked out when the engine was built (prepare): pinyin of the names, of the other words, and the homophone table.
    expect(taken.sounds?.bySound.size).toBeGreaterThan(500);
    expect(taken.sounds?.more?.size).toBeGreaterThan(1000);
    expect(taken.sounds?.correction?.bySound.size).toBeGreaterThan(100);
    const stored = decodeCache(encodeCache('k', { kb, snapshot: taken }), 'k')!;
    const loaded = createEngine(stored.kb, createJiebaTokenizer(), { today: '2026-11-30', snapshot: stored.snapshot });
    // The tables read back are the ones in use, not copies worked out again.
    expect(loaded.snapshot().sounds?.more).toBe(stored.snapshot.sounds?.more);
    expect(loaded.snapshot().sounds?.correction).toBe(stored.snapshot.sounds?.correction);
    // And they read typed pinyin and a homophone slip as the built engine does.
    for (const q of ['kai xiao mai bu yao ban na xie zheng', 'fapiao zenme ling', '公基金怎么提取', '营业执招怎么办']) expect(view(loaded, q), q).toEqual(view(built, q));
  });

  it('is not used for a day on which other entries are in effect', async () => {
    const kb = await realKb();
    const first = kb.entries.find((e) => e.kind === 'item')!;
    const dated: Entry = { ...first, expiresOn: '2026-12-01' };
    const kbDated = { ...kb, entries: kb.entries.map((e) => (e.id === first.id ? dated : e)) };
    const before = createEngine(kbDated, createJiebaTokenizer(), { today: '2026-11-30' });
    const after = createEngine(kbDated, createJiebaTokenizer(), { today: '2026-12-02', snapshot: before.snapshot() });
    expect(after.snapshot().served).not.toContain(first.id);
    expect(after.search(first.title, 5).results.map((r) => r.entry.id)).not.toContain(first.id);
    expect(before.search(first.title, 5).results[0]!.entry.id).toBe(first.id);
  });
});
