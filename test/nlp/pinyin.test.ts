import { describe, expect, it } from 'vitest';
import { soundKeys } from '../../src/nlp/pinyin.js';

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
