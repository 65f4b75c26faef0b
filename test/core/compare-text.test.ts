import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/core/compare-text.js';

describe('compareText', () => {
  it('orders by code units, the same whatever the locale, and 0 only for equal strings', () => {
    const words = ['营业执照', '个体户', 'item-b', 'item-a', 'Item-c', '2025-01-02', '2025-01-10', '', '个体户 '];
    const sorted = [...words].sort(compareText);
    expect(sorted).toEqual(['', '2025-01-02', '2025-01-10', 'Item-c', 'item-a', 'item-b', '个体户', '个体户 ', '营业执照']);
    for (const a of words) for (const b of words) {
      expect(Math.sign(compareText(a, b))).toBe(a === b ? 0 : -Math.sign(compareText(b, a)));
    }
  });
});
