/**
 * The nouns jieba's tagger finds in a question (what a follow-up is about, step.ts): names of
 * things, its unknown words included, but not a modal verb joined to a one-character verb, nor a
 * one-character thing joined to its modal, nor 几 and a measure.
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

  it.each(['窗口在几楼', '在几号窗口'])('finds no noun in 「%s」 (几 and a measure ask which)', (q) => {
    expect(tokenizer.nouns?.(q)).not.toContainEqual(expect.stringMatching(/^几/));
  });

  it('finds no noun in 「证要多久」 (a one-character thing and the modal its HMM joined)', () => {
    expect(tokenizer.nouns?.('证要多久')).toEqual([]);
  });
});
