/**
 * The retrieval constants as one options object (src/knowledge/retrieval-options.ts): defaults,
 * partial overrides one level deep, unknown names refused, and an override reaching the ranking.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/knowledge/engine.js';
import { DEFAULT_RETRIEVAL_OPTIONS, resolveRetrievalOptions } from '../../src/knowledge/retrieval-options.js';
import { AMBIGUITY_MARGIN, ANSWER_THRESHOLD } from '../../src/knowledge/search-index.js';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { fixtureKb } from '../helpers/fixture-kb.js';

describe('retrieval options', () => {
  it('resolves to the defaults without overrides, and the exported thresholds are the defaults', () => {
    expect(resolveRetrievalOptions()).toEqual(DEFAULT_RETRIEVAL_OPTIONS);
    expect(ANSWER_THRESHOLD).toBe(DEFAULT_RETRIEVAL_OPTIONS.answerThreshold);
    expect(AMBIGUITY_MARGIN).toBe(DEFAULT_RETRIEVAL_OPTIONS.ambiguityMargin);
  });

  it('merges a group field by field and leaves the defaults unchanged', () => {
    const o = resolveRetrievalOptions({ bm25: { k1: 1.5 }, candidates: 20 });
    expect(o.bm25).toEqual({ k1: 1.5, b: DEFAULT_RETRIEVAL_OPTIONS.bm25.b });
    expect(o.candidates).toBe(20);
    expect(DEFAULT_RETRIEVAL_OPTIONS.bm25.k1).toBe(1.2);
    expect(Object.isFrozen(DEFAULT_RETRIEVAL_OPTIONS.bm25)).toBe(true);
  });

  it('refuses unknown names and a number in place of a group', () => {
    expect(() => resolveRetrievalOptions({ nope: 1 } as never)).toThrow(/unknown retrieval option: nope/);
    expect(() => resolveRetrievalOptions({ bm25: { k2: 1 } } as never)).toThrow(/bm25\.k2/);
    expect(() => resolveRetrievalOptions({ bm25: 1 } as never)).toThrow(/group/);
  });

  it('reaches the ranking: the same question, other BM25 and confidence with other constants', () => {
    const kb = fixtureKb();
    const tokenizer = createJiebaTokenizer();
    // Two characters typed by sound (涉报卡 for 社保卡): a sound match, not a one-character slip put right.
    const q = '涉报卡怎么申请';
    const base = createEngine(kb, tokenizer, { gate: null }).search(q, 3);
    const other = createEngine(kb, tokenizer, { gate: null, retrieval: { channelWeight: { word: 2 }, matchStrength: { sound: 0.5 } } }).search(q, 3);
    expect(other.results[0]?.entry.id).toBe(base.results[0]?.entry.id);
    expect(other.results[0]!.score).toBeLessThan(base.results[0]!.score);
    expect(other.features).not.toEqual(base.features);
  });
});
