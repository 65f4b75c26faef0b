/**
 * The nouns jieba's tagger finds in a question (what a follow-up is about, step.ts): names of
 * things, its unknown words included, but not a modal verb joined to a one-character verb.
 */
import { describe, expect, it } from 'vitest';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';

const tokenizer = createJiebaTokenizer();

describe('jieba nouns', () => {
  it('keeps unknown words that name something (婚假)', () => {
    expect(tokenizer.nouns?.('婚假有几天')).toEqual(['婚假']);
  });

  it.each(['多久能批下来', '能领吗', '需交吗', '要批吗'])('finds no noun in 「%s」 (a modal and a verb)', (q) => {
    expect(tokenizer.nouns?.(q)).toEqual([]);
  });
});
