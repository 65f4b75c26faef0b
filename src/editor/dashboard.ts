/**
 * The three things a service centre is judged on, per day and per entry, from the event logs:
 * 懂不懂 (answers rated 有帮助 vs 没看懂), 通不通 (「流程走不通」 reports and handoffs), 好不好 (the
 * end-of-conversation rating) — plus volume, answer rate, handoff rate, and the 薄弱环节 report.
 * Pure: records in, figures out. Days are China time.
 */
import type { FeedbackRecord, ProcessReport, RatingRecord, TurnRecord } from '../service/analytics.js';
import { PROCESS_REASONS } from '../service/analytics.js';
import { chinaDay } from '../core/china-time.js';
import { compareText } from '../core/compare-text.js';

export interface DayFigures {
  day: string;
  questions: number;
  answered: number;
  unanswered: number;
  handoffs: number;
  checklists: number;
  /** 您是不是想问 offered (the bot was unsure), and how often the citizen then picked one. */
  suggested: number;
  suggestionsChosen: number;
  /** Complaints, reports, suggestions and thanks pointed to 12345. */
  appeals: number;
  helpful: number;
  notHelpful: number;
  processReports: number;
  good: number;
  fair: number;
  poor: number;
  answerRate: number | null;
  handoffRate: number | null;
}

export interface EntryFigures {
  entryId: string;
  title: string;
  questions: number;
  helpful: number;
  notHelpful: number;
  processReports: number;
  handoffs: number;
  poor: number;
  /** Times this entry was offered as 您是不是想问, and picked. */
  offered: number;
  chosen: number;
  /** Problems, weighted: a 「流程走不通」 report counts double — the process itself failed. */
  problemScore: number;
  reasons: Record<string, number>;
  steps: Record<string, number>;
}

export interface Dashboard {
  from: string;
  to: string;
  totals: Omit<DayFigures, 'day'>;
  days: DayFigures[];
  entries: EntryFigures[];
  weakSpots: EntryFigures[];
  reasons: { code: string; label: string; count: number }[];
}

const rate = (a: number, b: number): number | null => (b === 0 ? null : Math.round((1000 * a) / b) / 1000);

const emptyDay = (day: string): DayFigures => ({
  day, questions: 0, answered: 0, unanswered: 0, handoffs: 0, checklists: 0, suggested: 0, suggestionsChosen: 0, appeals: 0, helpful: 0, notHelpful: 0,
  processReports: 0, good: 0, fair: 0, poor: 0, answerRate: null, handoffRate: null,
});

export interface DashboardInput {
  turns: readonly TurnRecord[];
  feedback: readonly FeedbackRecord[];
  reports: readonly ProcessReport[];
  ratings: readonly RatingRecord[];
  title: (entryId: string) => string;
  /** A readable name for a walkthrough step key `flowId/stepId` (its label or question). */
  stepLabel?: (step: string) => string;
  /** Inclusive day range (YYYY-MM-DD, China time). */
  from: string;
  to: string;
}

export function computeDashboard(input: DashboardInput): Dashboard {
  const inRange = (iso: string) => {
    const d = chinaDay(iso);
    return d >= input.from && d <= input.to;
  };
  const days = new Map<string, DayFigures>();
  const day = (iso: string) => {
    const d = chinaDay(iso);
    let f = days.get(d);
    if (!f) days.set(d, (f = emptyDay(d)));
    return f;
  };
  const entries = new Map<string, EntryFigures>();
  const entry = (id: string | null) => {
    if (!id) return null;
    let e = entries.get(id);
    if (!e) {
      entries.set(id, (e = { entryId: id, title: input.title(id), questions: 0, helpful: 0, notHelpful: 0, processReports: 0, handoffs: 0, poor: 0, offered: 0, chosen: 0, problemScore: 0, reasons: {}, steps: {} }));
    }
    return e;
  };

  for (const t of input.turns) {
    if (!inRange(t.at) || t.kind === 'smalltalk' || t.kind === 'other') continue;
    const d = day(t.at);
    if (t.fromSuggestion) {
      // The pick after 您是不是想问 is the same question, not a new one.
      d.suggestionsChosen++;
      const picked = entry(t.entryId);
      if (picked) picked.chosen++;
      continue;
    }
    d.questions++;
    if (t.kind === 'suggested') {
      d.suggested++;
      for (const id of t.offered ?? []) entry(id)!.offered++;
      continue;
    }
    if (t.kind === 'appeal') {
      d.appeals++;
      continue;
    }
    const e = entry(t.entryId);
    if (e) e.questions++;
    if (t.kind === 'unanswered') d.unanswered++;
    else if (t.kind === 'handoff') {
      d.handoffs++;
      // Asked twice in vain: the second question went unanswered as well as to a person.
      if (t.unanswered) d.unanswered++;
      if (e) e.handoffs++;
    } else {
      d.answered++;
      if (t.kind === 'checklist') d.checklists++;
    }
  }
  for (const f of input.feedback) {
    if (!inRange(f.at)) continue;
    const d = day(f.at);
    const e = entry(f.entryId);
    if (f.helpful) {
      d.helpful++;
      if (e) e.helpful++;
    } else {
      d.notHelpful++;
      if (e) e.notHelpful++;
    }
  }
  for (const r of input.reports) {
    if (!inRange(r.at)) continue;
    day(r.at).processReports++;
    const e = entry(r.entryId);
    if (e) {
      e.processReports++;
      e.reasons[r.reason] = (e.reasons[r.reason] ?? 0) + 1;
      if (r.step) {
        const name = input.stepLabel?.(r.step) ?? r.step;
        e.steps[name] = (e.steps[name] ?? 0) + 1;
      }
    }
  }
  for (const r of input.ratings) {
    if (!inRange(r.at)) continue;
    day(r.at)[r.rating]++;
    const e = entry(r.entryId);
    if (e && r.rating === 'poor') e.poor++;
  }

  const dayList = [...days.values()].sort((a, b) => compareText(a.day, b.day));
  for (const d of dayList) {
    d.answerRate = rate(d.answered, d.answered + d.unanswered);
    d.handoffRate = rate(d.handoffs, d.questions);
  }
  const totals = emptyDay('');
  for (const d of dayList) {
    for (const k of ['questions', 'answered', 'unanswered', 'handoffs', 'checklists', 'suggested', 'suggestionsChosen', 'appeals', 'helpful', 'notHelpful', 'processReports', 'good', 'fair', 'poor'] as const) {
      totals[k] += d[k];
    }
  }
  totals.answerRate = rate(totals.answered, totals.answered + totals.unanswered);
  totals.handoffRate = rate(totals.handoffs, totals.questions);
  const { day: _day, ...totalFigures } = totals;

  const reasonCounts = new Map<string, number>();
  for (const r of input.reports) if (inRange(r.at)) reasonCounts.set(r.reason, (reasonCounts.get(r.reason) ?? 0) + 1);
  return finishDashboard(input, totalFigures, dayList, entries.values(), reasonCounts);
}

/**
 * The figures put together, the same way from the records and from the running totals: entries
 * ranked by their problems (a 「流程走不通」 report counts double — the process itself failed), the
 * 20 worst as the 薄弱环节, every reason with its count.
 */
function finishDashboard(
  range: { from: string; to: string },
  totals: Dashboard['totals'],
  days: DayFigures[],
  entries: Iterable<Omit<EntryFigures, 'problemScore'>>,
  reasonCounts: ReadonlyMap<string, number>,
): Dashboard {
  const entryList = [...entries].map((e) => ({ ...e, problemScore: e.notHelpful + 2 * e.processReports + e.handoffs + e.poor }));
  entryList.sort((a, b) => b.problemScore - a.problemScore || b.questions - a.questions || compareText(a.entryId, b.entryId));
  return {
    from: range.from,
    to: range.to,
    totals,
    days,
    entries: entryList,
    weakSpots: entryList.filter((e) => e.problemScore > 0).slice(0, 20),
    reasons: Object.entries(PROCESS_REASONS).map(([code, label]) => ({ code, label, count: reasonCounts.get(code) ?? 0 })),
  };
}

/** The 薄弱环节 report as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese). */
export function weakSpotsCsv(d: Dashboard): string {
  const quote = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const rows = [
    ['排名', '事项', '编号', '问题分', '没看懂', '流程走不通', '转人工', '差评', '咨询量', '主要原因', '问题最多的环节'],
    ...d.weakSpots.map((e, i) => [
      i + 1,
      e.title,
      e.entryId,
      e.problemScore,
      e.notHelpful,
      e.processReports,
      e.handoffs,
      e.poor,
      e.questions,
      Object.entries(e.reasons).sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])).map(([k, n]) => `${PROCESS_REASONS[k as keyof typeof PROCESS_REASONS] ?? k}×${n}`).join('；'),
      Object.entries(e.steps).sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])).map(([k, n]) => `${k}×${n}`).join('；'),
    ]),
  ];
  return `\uFEFF${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`;
}

/*
 * Running totals. The figures above can be kept as counters, added to as each record is written,
 * so the dashboard reads a few hundred counters instead of every record of its range:
 * - day counters, per China day: the DayFigures counts and `reason:<code>` for `reasons`;
 * - entry counters, keyed `[entryId, field]`, `[entryId, "reason", code]` or `[entryId, "step",
 *   stepKey]` (JSON), kept per block of days: blocks of 1, 4, 16, 64 and 256 days aligned on day
 *   numbers, so any range of days is a handful of blocks (a year is at most about 20) — each count
 *   is added to the five blocks holding its day.
 * `dashboardFromTotals` turns the counters of a range into the same Dashboard as computeDashboard.
 */

/** The DayFigures that are counts. */
export const DAY_COUNTERS = ['questions', 'answered', 'unanswered', 'handoffs', 'checklists', 'suggested', 'suggestionsChosen', 'appeals', 'helpful', 'notHelpful', 'processReports', 'good', 'fair', 'poor'] as const;
const DAY_COUNTER_SET: ReadonlySet<string> = new Set(DAY_COUNTERS);
type DayCounter = (typeof DAY_COUNTERS)[number];
/** The EntryFigures that are counts; `ratings` is not shown, it keeps an entry rated only 好/中 listed, as computeDashboard does. */
const ENTRY_COUNTERS = ['questions', 'helpful', 'notHelpful', 'processReports', 'handoffs', 'poor', 'offered', 'chosen', 'ratings'] as const;
type EntryCounter = (typeof ENTRY_COUNTERS)[number];

/** What one record adds: its China day, and counts by key (day counters, entry counters). */
export interface RecordCounts {
  day: string;
  days: Map<string, number>;
  entries: Map<string, number>;
}

const entryKey = (id: string, ...field: string[]) => JSON.stringify([id, ...field]);

/**
 * An entry counter's key read back ([id, field, sub?]), each distinct key parsed once: a year's
 * dashboard reads ~3,600 of them per request, and JSON.parse of each was most of its time (~4 ms
 * of ~8). The keys are bounded by entries × counters; the memo is emptied if it ever grows past
 * KEYS_KEPT (entries renamed over years).
 */
const parsedKeys = new Map<string, readonly [string, string, string?]>();
const KEYS_KEPT = 200_000;
function parseEntryKey(key: string): readonly [string, string, string?] {
  let parsed = parsedKeys.get(key);
  if (!parsed) {
    if (parsedKeys.size >= KEYS_KEPT) parsedKeys.clear();
    parsedKeys.set(key, (parsed = JSON.parse(key) as [string, string, string?]));
  }
  return parsed;
}
const bump = (m: Map<string, number>, key: string, n = 1) => m.set(key, (m.get(key) ?? 0) + n);

/** The counts of one record (of any of the four logs), or null when it counts for nothing. */
export function recordCounts(record: { log: 'turns'; record: TurnRecord } | { log: 'feedback'; record: FeedbackRecord } | { log: 'process-reports'; record: ProcessReport } | { log: 'ratings'; record: RatingRecord }): RecordCounts | null {
  const days = new Map<string, number>();
  const entries = new Map<string, number>();
  const d = (k: DayCounter) => bump(days, k);
  const e = (id: string | null, k: EntryCounter) => {
    if (id) bump(entries, entryKey(id, k));
  };
  switch (record.log) {
    case 'turns': {
      const t = record.record;
      if (t.kind === 'smalltalk' || t.kind === 'other') return null;
      if (t.fromSuggestion) {
        d('suggestionsChosen');
        e(t.entryId, 'chosen');
        break;
      }
      d('questions');
      if (t.kind === 'suggested') {
        d('suggested');
        for (const id of t.offered ?? []) e(id, 'offered');
        break;
      }
      if (t.kind === 'appeal') {
        d('appeals');
        break;
      }
      e(t.entryId, 'questions');
      if (t.kind === 'unanswered') d('unanswered');
      else if (t.kind === 'handoff') {
        d('handoffs');
        if (t.unanswered) d('unanswered');
        e(t.entryId, 'handoffs');
      } else {
        d('answered');
        if (t.kind === 'checklist') d('checklists');
      }
      break;
    }
    case 'feedback':
      d(record.record.helpful ? 'helpful' : 'notHelpful');
      e(record.record.entryId, record.record.helpful ? 'helpful' : 'notHelpful');
      break;
    case 'process-reports': {
      const r = record.record;
      d('processReports');
      bump(days, `reason:${r.reason}`);
      if (r.entryId) {
        e(r.entryId, 'processReports');
        bump(entries, entryKey(r.entryId, 'reason', r.reason));
        if (r.step) bump(entries, entryKey(r.entryId, 'step', r.step));
      }
      break;
    }
    case 'ratings': {
      const r = record.record;
      d(r.rating);
      e(r.entryId, 'ratings');
      if (r.rating === 'poor') e(r.entryId, 'poor');
      break;
    }
  }
  return { day: chinaDay(record.record.at), days, entries };
}

const DAY_MS = 86_400_000;
/** Block sizes of the entry counters, in days, smallest first. */
export const BLOCK_DAYS = [1, 4, 16, 64, 256] as const;
const dayNumber = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);

/** The entry-counter buckets a day's counts are added to: one block of each size. */
export function dayBlocks(day: string): string[] {
  const n = dayNumber(day);
  return BLOCK_DAYS.map((size, level) => `${level}:${Math.floor(n / size)}`);
}

/** The last day (YYYY-MM-DD) of an entry-counter block 'level:index'. */
export function blockLastDay(block: string): string {
  const [level, index] = block.split(':').map(Number) as [number, number];
  return new Date(((index + 1) * BLOCK_DAYS[level]! - 1) * DAY_MS).toISOString().slice(0, 10);
}

/** The fewest aligned blocks that cover the days `from` to `to` (YYYY-MM-DD, both included) exactly. */
export function rangeBlocks(from: string, to: string): string[] {
  const out: string[] = [];
  const end = dayNumber(to) + 1;
  for (let p = dayNumber(from); p < end; ) {
    let level = BLOCK_DAYS.length - 1;
    while (level > 0 && (p % BLOCK_DAYS[level]! !== 0 || p + BLOCK_DAYS[level]! > end)) level--;
    out.push(`${level}:${p / BLOCK_DAYS[level]!}`);
    p += BLOCK_DAYS[level]!;
  }
  return out;
}

export interface TotalsInput {
  /** Day counters of the days of the range that have any (any order). */
  days: readonly { day: string; counts: ReadonlyMap<string, number> }[];
  /** Entry counters summed over the range. */
  entries: ReadonlyMap<string, number>;
  title: (entryId: string) => string;
  stepLabel?: (step: string) => string;
  from: string;
  to: string;
}

/** The dashboard of a range from its running totals: the same figures computeDashboard makes from the records. */
export function dashboardFromTotals(input: TotalsInput): Dashboard {
  const reasonCounts = new Map<string, number>();
  const dayList: DayFigures[] = [];
  for (const { day, counts } of input.days) {
    if (day < input.from || day > input.to) continue;
    const f = emptyDay(day);
    let any = false;
    for (const [key, n] of counts) {
      if (n === 0) continue;
      if (key.startsWith('reason:')) reasonCounts.set(key.slice(7), (reasonCounts.get(key.slice(7)) ?? 0) + n);
      else if (DAY_COUNTER_SET.has(key)) {
        f[key as DayCounter] += n;
        any = true;
      }
    }
    if (any) dayList.push(f);
  }
  dayList.sort((a, b) => compareText(a.day, b.day));
  for (const d of dayList) {
    d.answerRate = rate(d.answered, d.answered + d.unanswered);
    d.handoffRate = rate(d.handoffs, d.questions);
  }
  const totals = emptyDay('');
  for (const d of dayList) for (const k of DAY_COUNTERS) totals[k] += d[k];
  totals.answerRate = rate(totals.answered, totals.answered + totals.unanswered);
  totals.handoffRate = rate(totals.handoffs, totals.questions);
  const { day: _day, ...totalFigures } = totals;

  const entries = new Map<string, EntryFigures>();
  for (const [key, n] of input.entries) {
    if (n === 0) continue;
    const [id, field, sub] = parseEntryKey(key);
    let e = entries.get(id);
    if (!e) entries.set(id, (e = { entryId: id, title: input.title(id), questions: 0, helpful: 0, notHelpful: 0, processReports: 0, handoffs: 0, poor: 0, offered: 0, chosen: 0, problemScore: 0, reasons: {}, steps: {} }));
    if (field === 'reason' && sub !== undefined) e.reasons[sub] = (e.reasons[sub] ?? 0) + n;
    else if (field === 'step' && sub !== undefined) {
      const name = input.stepLabel?.(sub) ?? sub;
      e.steps[name] = (e.steps[name] ?? 0) + n;
    } else if (field !== 'ratings' && (ENTRY_COUNTERS as readonly string[]).includes(field)) e[field as Exclude<EntryCounter, 'ratings'>] += n;
  }
  return finishDashboard(input, totalFigures, dayList, entries.values(), reasonCounts);
}
