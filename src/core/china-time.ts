/**
 * Time as people in China read it: China Standard Time, UTC+8 all year (no daylight saving), so
 * a fixed offset is exact. Stored times stay UTC ISO strings; these helpers are for what is shown
 * or counted by day. Pure.
 */

const CHINA_OFFSET_MS = 8 * 3600_000;

/** The same instant with China's wall-clock time in its UTC fields (read them with getUTC…). */
const wallClock = (at: Date | string): Date => new Date((typeof at === 'string' ? Date.parse(at) : at.getTime()) + CHINA_OFFSET_MS);

const pad = (n: number): string => String(n).padStart(2, '0');

/** The calendar day in China, 'YYYY-MM-DD' (a record made at 2026-11-26T17:00Z is on 11-27). */
export function chinaDay(at: Date | string): string {
  return wallClock(at).toISOString().slice(0, 10);
}

/** Day of the week (0 = Sunday) and minutes after midnight, in China. */
export function chinaWeekMinute(at: Date): { day: number; minute: number } {
  const t = wallClock(at);
  return { day: t.getUTCDay(), minute: t.getUTCHours() * 60 + t.getUTCMinutes() };
}

/** A time as citizens read it: 「11月27日 10:30」. */
export function formatChinaTime(at: Date): string {
  const t = wallClock(at);
  return `${t.getUTCMonth() + 1}月${t.getUTCDate()}日 ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}

/**
 * China days `from` to `to` (YYYY-MM-DD, both included) as the UTC instants [start, end) that a
 * log's `between` takes; undefined when either day does not exist (2026-02-30).
 */
export function chinaDaySpan(from: string, to: string): { start: string; end: string } | undefined {
  const midnight = (day: string) => Date.parse(`${day}T00:00:00+08:00`);
  const first = midnight(from);
  const last = midnight(to);
  if (Number.isNaN(first) || Number.isNaN(last) || chinaDay(new Date(first)) !== from || chinaDay(new Date(last)) !== to) return undefined;
  return { start: new Date(first).toISOString(), end: new Date(last + 86_400_000).toISOString() };
}
