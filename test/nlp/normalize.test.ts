import { describe, expect, it } from 'vitest';
import { hanRuns, normalize } from '../../src/nlp/normalize.js';

describe('normalize', () => {
  it('turns traditional characters into simplified', () => {
    expect(normalize('營業執照怎麼辦')).toBe('营业执照怎么办');
    expect(normalize('戶口註銷')).toBe('户口注销');
    expect(normalize('身份證遺失補辦')).toBe('身份证遗失补办');
  });

  it('turns full-width letters, digits and spaces into half-width, lower case', () => {
    expect(normalize('ＩＤ卡　过期')).toBe('id卡过期'); // the full-width space sat between Chinese characters
    expect(normalize('１２３ＡＢＣ')).toBe('123abc');
  });

  it('drops punctuation and emoji, and spaces between Chinese characters', () => {
    expect(normalize('「办执照」……？？😀👍🏻')).toBe('办执照');
    expect(normalize('营 业 执 照')).toBe('营业执照');
    expect(normalize('个体户，营业执照！')).toBe('个体户营业执照');
  });

  it('keeps a space between Chinese and Latin words', () => {
    expect(normalize('办 SC 证')).toBe('办 sc 证');
  });

  it('is idempotent', () => {
    const once = normalize('  營業執照，怎麼辦？ＯＫ  ');
    expect(normalize(once)).toBe(once);
  });

  it('splits runs of Chinese characters', () => {
    expect(hanRuns('办 id 执照')).toEqual(['办', '执照']);
  });
});
