import { describe, expect, it } from 'vitest';
import { maskPersonal } from '../../src/core/mask-personal.js';

describe('maskPersonal', () => {
  it('masks an 18-digit ID number, keeping only its first 3 and last 2 characters', () => {
    const out = maskPersonal('我的身份证是450403199001011234');
    expect(out).toBe('我的身份证是450*************34');
    expect(out).not.toContain('19900101');
  });

  it('masks ID numbers ending in X and written in full-width digits', () => {
    expect(maskPersonal('４５０４０３１９９００１０１１２３Ｘ')).toBe('450*************3X');
  });

  it('masks mobile numbers, with or without +86 and separators', () => {
    expect(maskPersonal('电话13812345678')).toBe('电话138****5678');
    expect(maskPersonal('+86 138-1234-5678')).toBe('138****5678');
  });

  it('masks bank card numbers typed in groups', () => {
    const out = maskPersonal('卡号 6222 0212 3456 7890 123');
    expect(out).toMatch(/\*{10,}0123$/);
    expect(out).not.toContain('3456');
  });

  it('masks landlines but leaves the 12345 hotline, dates and small numbers alone', () => {
    expect(maskPersonal('打0774-2812345')).toBe('打0774*****45');
    expect(maskPersonal('热线0774-12345，2025年5月10日，3个工作日')).toBe('热线0774-12345，2025年5月10日，3个工作日');
  });
});
