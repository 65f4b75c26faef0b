/**
 * Office hours such as "Mon-Fri 08:30-12:00,14:30-17:30" (or "always"), in China Standard Time
 * (UTC+8, no daylight saving). Pure.
 */
import { chinaWeekMinute } from '../core/china-time.js';

export interface OfficeHours {
  always: boolean;
  /** Day of week (0 = Sunday) → open intervals in minutes after midnight. */
  days: Map<number, [number, number][]>;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export class OfficeHoursError extends Error {}

const minutes = (hhmm: string): number => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) throw new OfficeHoursError(`"${hhmm}" is not a time like 08:30`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** Parses "Mon-Fri 08:30-12:00,14:30-17:30; Sat 09:00-12:00" or "always". */
export function parseOfficeHours(spec: string): OfficeHours {
  const text = spec.trim().toLowerCase();
  if (text === 'always' || text === '24/7') return { always: true, days: new Map() };
  const days = new Map<number, [number, number][]>();
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z]{3})(?:-([a-z]{3}))?\s+(.+)$/.exec(part);
    if (!m) throw new OfficeHoursError(`"${part}" should look like "Mon-Fri 08:30-12:00,14:30-17:30"`);
    const from = DAYS.indexOf(m[1]!);
    const to = m[2] ? DAYS.indexOf(m[2]) : from;
    if (from < 0 || to < 0) throw new OfficeHoursError(`unknown day in "${part}" (use Mon … Sun)`);
    const intervals = m[3]!.split(',').map((range) => {
      const [a, b] = range.trim().split('-');
      if (!a || !b) throw new OfficeHoursError(`"${range}" should look like 08:30-12:00`);
      const start = minutes(a);
      const end = minutes(b);
      if (end <= start) throw new OfficeHoursError(`"${range}" ends before it starts`);
      return [start, end] as [number, number];
    });
    for (let d = from; ; d = (d + 1) % 7) {
      days.set(d, [...(days.get(d) ?? []), ...intervals]);
      if (d === to) break;
    }
  }
  return { always: false, days };
}

export function isOpen(hours: OfficeHours, date: Date): boolean {
  if (hours.always) return true;
  const { day, minute } = chinaWeekMinute(date);
  return (hours.days.get(day) ?? []).some(([a, b]) => minute >= a && minute < b);
}

/** The next moment the office opens (now if open), searching a week ahead; null if never. */
export function nextOpening(hours: OfficeHours, date: Date): Date | null {
  if (hours.always || isOpen(hours, date)) return date;
  const start = Math.ceil(date.getTime() / 60_000) * 60_000;
  for (let t = start; t < start + 8 * 24 * 3600_000; t += 60_000) {
    if (isOpen(hours, new Date(t))) return new Date(t);
  }
  return null;
}
