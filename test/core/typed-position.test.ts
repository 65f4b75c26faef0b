import { describe, expect, it } from 'vitest';
import { typedPosition } from '../../src/core/typed-position.js';

describe('typedPosition', () => {
  it('reads a place typed as a digit, a full-width digit, with 第…个, or in Chinese numerals', () => {
    expect(['1', ' １ ', '1.', '1。', '第1个', '第 1 项', '一', '第一个', '第一种'].map(typedPosition)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(typedPosition('12')).toBe(12);
    expect(typedPosition('第九条')).toBe(9);
  });

  it('leaves everything else as text', () => {
    for (const t of ['', '个体户', '1个体户', '一件事', '第一次办', '123', '10岁', '两个']) expect(typedPosition(t), t).toBeNull();
  });
});
