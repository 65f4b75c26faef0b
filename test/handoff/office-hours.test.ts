import { describe, expect, it } from 'vitest';
import { OfficeHoursError, isOpen, nextOpening, parseOfficeHours } from '../../src/handoff/office-hours.js';

// 2026-11-26 is a Thursday. Times are given in UTC; the office keeps China time (UTC+8).
const cst = (iso: string) => new Date(`${iso}+08:00`);

describe('office hours', () => {
  const hours = parseOfficeHours('Mon-Fri 08:30-12:00,14:30-17:30');

  it('is open inside the intervals of working days, in China time', () => {
    expect(isOpen(hours, cst('2026-11-26T09:00'))).toBe(true);
    expect(isOpen(hours, cst('2026-11-26T12:30'))).toBe(false);
    expect(isOpen(hours, cst('2026-11-26T17:29'))).toBe(true);
    expect(isOpen(hours, cst('2026-11-26T17:30'))).toBe(false);
    expect(isOpen(hours, cst('2026-11-28T10:00'))).toBe(false); // Saturday
  });

  it('finds the next opening', () => {
    expect(nextOpening(hours, cst('2026-11-26T12:30'))?.toISOString()).toBe(cst('2026-11-26T14:30').toISOString());
    expect(nextOpening(hours, cst('2026-11-27T18:00'))?.toISOString()).toBe(cst('2026-11-30T08:30').toISOString()); // Friday evening → Monday
  });

  it('accepts "always" and several day groups', () => {
    expect(isOpen(parseOfficeHours('always'), cst('2026-11-29T03:00'))).toBe(true);
    const weekend = parseOfficeHours('Mon-Fri 09:00-17:00; Sat 09:00-12:00');
    expect(isOpen(weekend, cst('2026-11-28T10:00'))).toBe(true);
    expect(isOpen(weekend, cst('2026-11-29T10:00'))).toBe(false);
  });

  it.each(['Mon-Fri', 'Mon-Fri 8-12', 'Xyz 08:00-12:00', 'Mon 12:00-08:00', 'Mon 25:00-26:00'])('refuses %j', (spec) => {
    expect(() => parseOfficeHours(spec)).toThrow(OfficeHoursError);
  });
});
