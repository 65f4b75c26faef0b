import { describe, expect, it } from 'vitest';
import { chinaDay, chinaWeekMinute, formatChinaTime } from '../../src/core/china-time.js';

describe('China time', () => {
  it('counts the day in China: eight hours ahead of UTC, from a Date or an ISO string', () => {
    expect(chinaDay('2026-11-26T15:59:59Z')).toBe('2026-11-26');
    expect(chinaDay('2026-11-26T16:00:00Z')).toBe('2026-11-27');
    expect(chinaDay(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
  });

  it('gives the weekday and minute of the day in China', () => {
    // Sunday 2026-11-29 23:50 UTC is Monday 07:50 in China.
    expect(chinaWeekMinute(new Date('2026-11-29T23:50:00Z'))).toEqual({ day: 1, minute: 7 * 60 + 50 });
    expect(chinaWeekMinute(new Date('2026-11-30T00:30:00Z'))).toEqual({ day: 1, minute: 8 * 60 + 30 });
  });

  it('writes a time as citizens read it, with no daylight saving in summer', () => {
    expect(formatChinaTime(new Date('2026-11-27T02:30:00Z'))).toBe('11月27日 10:30');
    expect(formatChinaTime(new Date('2026-07-01T01:05:00Z'))).toBe('7月1日 09:05');
    expect(formatChinaTime(new Date('2026-12-31T16:00:00Z'))).toBe('1月1日 00:00');
  });
});
