import { describe, expect, it } from 'vitest';
import { pinyinKeys, soundKeys } from '../../src/nlp/pinyin.js';

describe('soundKeys', () => {
  it('gives homophones the same keys', () => {
    expect(soundKeys('社报卡')).toEqual(soundKeys('社保卡'));
    expect(soundKeys('身份正')).toEqual(soundKeys('身份证'));
  });

  it('folds zh/ch/sh, n/l and -ng the way southern speakers merge them', () => {
    expect(soundKeys('营业执造')).toEqual(soundKeys('营业执照')); // zao ~ zhao
    expect(soundKeys('尚')).toEqual(soundKeys('上'));
    expect(soundKeys('能')).toEqual(soundKeys('冷')); // n ~ l, eng ~ en
  });

  it('keeps clearly different sounds apart', () => {
    expect(soundKeys('驾驶证')).not.toEqual(soundKeys('身份证'));
    expect(soundKeys('结婚')).not.toEqual(soundKeys('离婚'));
  });
});

describe('pinyinKeys (typed toneless pinyin)', () => {
  it('splits pinyin with or without spaces into folded syllables', () => {
    expect(pinyinKeys('shebaoka')).toEqual(soundKeys('社保卡'));
    expect(pinyinKeys('she bao ka')).toEqual(soundKeys('社保卡'));
    expect(pinyinKeys('kai xiao mai bu')).toEqual(soundKeys('开小卖部'));
    expect(pinyinKeys('Shen Fen Zheng')).toEqual(soundKeys('身份证'));
  });

  it('prefers the fewest syllables (xian is one, not xi + an)', () => {
    expect(pinyinKeys('xian')).toEqual(['xian']);
  });

  it('is null for text that is not pinyin', () => {
    for (const s of ['id', 'hello', 'wifi', 'abc123', 'sc']) expect(pinyinKeys(s), s).toBeNull();
  });
});
