import { describe, expect, it } from 'vitest';
import { arabicNumerals, numeralValue } from '../../src/nlp/numerals.js';
import { normalize } from '../../src/nlp/normalize.js';

describe('Chinese numerals before a unit', () => {
  it('reads numerals the usual ways', () => {
    expect(numeralValue('三')).toBe(3);
    expect(numeralValue('十五')).toBe(15);
    expect(numeralValue('二十')).toBe(20);
    expect(numeralValue('一百零八')).toBe(108);
    expect(numeralValue('三千六百')).toBe(3600);
    expect(numeralValue('三万六千')).toBe(36000);
    expect(numeralValue('二〇二五')).toBe(2025);
    expect(numeralValue('两')).toBe(2);
    expect(numeralValue('三个')).toBeNull();
  });

  it('writes an age, a duration or an amount in digits, so 三岁 and 3岁 read the same', () => {
    expect(normalize('三岁以下')).toBe(normalize('3岁以下'));
    expect(normalize('十五年')).toBe('15年');
    expect(arabicNumerals('交满十五年社保')).toBe('交满15年社保');
    expect(arabicNumerals('两个月')).toBe('2个月');
    expect(arabicNumerals('每年三千六百元')).toBe('每年3600元');
    expect(arabicNumerals('二十个工作日')).toBe('20个工作日');
  });

  it('leaves numerals that are not quantities alone', () => {
    for (const s of ['一件事', '一次办好', '二手房', '第一步', '一起办', '三证合一', '一年级报名']) expect(arabicNumerals(s)).toBe(s);
  });
});
