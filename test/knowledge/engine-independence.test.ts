/**
 * A preview or publish-check engine never changes the live one (nodejieba's dictionary is
 * process-wide, so words must not be inserted into it).
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/knowledge/engine.js';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { realKb } from '../helpers/real-engine.js';

describe('engines are independent', () => {
  it('building a preview with a new alias leaves the live engine’s segmentation and ranking unchanged', async () => {
    const kb = await realKb();
    const tokenizer = createJiebaTokenizer();
    const live = createEngine(kb, tokenizer);
    const question = '我想开个糖水公司摊档';
    const alias = '糖水公司摊档';
    const wordsBefore = live.words(question);
    const before = live.search(question, 5);
    expect(wordsBefore).not.toContain(alias);

    const edited = {
      ...kb,
      entries: kb.entries.map((e) => (e.id === 'bundle-restaurant' ? { ...e, aliases: [...e.aliases, alias] } : e)),
    };
    const preview = createEngine(edited, tokenizer);
    expect(preview.words(question)).toContain(alias);
    expect(preview.search(question, 1).results[0]?.entry.id).toBe('bundle-restaurant');

    expect(live.words(question)).toEqual(wordsBefore);
    const after = live.search(question, 5);
    expect(after.results.map((r) => [r.entry.id, r.score])).toEqual(before.results.map((r) => [r.entry.id, r.score]));
    expect(after.band).toBe(before.band);
  });
});
