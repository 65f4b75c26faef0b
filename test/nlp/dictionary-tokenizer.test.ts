import { describe, expect, it } from 'vitest';
import { withDictionary } from '../../src/nlp/dictionary-tokenizer.js';

/** A general segmenter that knows nothing: one character per token. */
const chars = (t: string) => [...t];

describe('withDictionary', () => {
  it('keeps known words whole, longest first, and cuts the rest with the general segmenter', () => {
    const tok = withDictionary(chars, ['个体户', '个体工商户', '营业执照']);
    expect(tok.cut('办个体工商户营业执照')).toEqual(['办', '个体工商户', '营业执照']);
  });

  it('returns a new tokenizer for more words and leaves itself unchanged', () => {
    const live = withDictionary(chars, ['社保卡']);
    const preview = live.withWords(['开民营医院']);
    expect(preview.cut('开民营医院')).toEqual(['开民营医院']);
    expect(live.cut('开民营医院')).toEqual(['开', '民', '营', '医', '院']);
    expect(preview.cut('社保卡')).toEqual(['社保卡']);
  });

  it('keeps the general segmenter\'s noun tagger through withWords, and has none without one', () => {
    const tagger = (t: string) => (t.includes('婚假') ? ['婚假'] : []);
    const tok = withDictionary(chars, ['结婚登记'], tagger).withWords(['离婚登记']);
    expect(tok.nouns?.('结婚登记后婚假几天')).toEqual(['婚假']);
    expect(withDictionary(chars, []).nouns).toBeUndefined();
  });

  it("keeps the general segmenter's dictionary-only cut through withWords, and has none without one", () => {
    const known = (t: string) => (t === '重点办理' ? ['重点', '办理'] : [...t]);
    expect(withDictionary(chars, [], undefined, known).withWords(['社保卡']).knownWords?.('重点办理')).toEqual(['重点', '办理']);
    expect(withDictionary(chars, []).knownWords).toBeUndefined();
  });

  it('does not cut a domain word out of a longer word the general dictionary knows', () => {
    // The general dictionary knows 亚里士多德 (Aristotle): 士多 (a shop, in Cantonese) is not in it.
    const known = (t: string) => (t.startsWith('亚里士多德') ? ['亚里士多德', ...t.slice(5)] : [...t]);
    const tok = withDictionary(chars, ['士多', '开士多'], undefined, known);
    expect(tok.cut('亚里士多德说')).not.toContain('士多');
    expect(tok.cut('开士多要什么证')).toContain('开士多');
    expect(tok.cut('士多店')).toContain('士多');
  });
});
