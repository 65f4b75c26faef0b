import { describe, expect, it } from 'vitest';
import { computeDashboard, weakSpotsCsv } from '../../src/editor/dashboard.js';
import type { FeedbackRecord, ProcessReport, RatingRecord, TurnRecord } from '../../src/service/analytics.js';

// 2026-11-25 and 2026-11-26, China time (UTC+8): 16:30Z on the 25th is already the 26th in China.
const turns: TurnRecord[] = [
  { at: '2026-11-25T02:00:00Z', sessionId: 'a', kind: 'answered', entryId: 'item-a' },
  { at: '2026-11-25T02:01:00Z', sessionId: 'a', kind: 'unanswered', entryId: null },
  { at: '2026-11-25T02:02:00Z', sessionId: 'a', kind: 'smalltalk', entryId: null },
  { at: '2026-11-25T16:30:00Z', sessionId: 'b', kind: 'checklist', entryId: 'bundle-b' },
  { at: '2026-11-26T03:00:00Z', sessionId: 'c', kind: 'handoff', entryId: 'item-a' },
  { at: '2026-11-26T03:01:00Z', sessionId: 'c', kind: 'answered', entryId: 'item-a' },
  { at: '2026-12-01T03:00:00Z', sessionId: 'd', kind: 'answered', entryId: 'item-a' }, // out of range
];
const feedback: FeedbackRecord[] = [
  { at: '2026-11-25T02:05:00Z', sessionId: 'a', seq: 2, helpful: false, entryId: 'item-a', entryVersion: 'v1', checklistId: null, comment: null },
  { at: '2026-11-26T04:00:00Z', sessionId: 'c', seq: 4, helpful: true, entryId: 'item-a', entryVersion: 'v1', checklistId: null, comment: null },
];
const reports: ProcessReport[] = [
  { at: '2026-11-26T05:00:00Z', sessionId: 'b', entryId: 'bundle-b', entryVersion: 'v2', step: 'small-shop/food', reason: 'form_unclear', text: '表格看不懂' },
  { at: '2026-11-26T05:10:00Z', sessionId: 'e', entryId: 'bundle-b', entryVersion: 'v2', step: 'small-shop/food', reason: 'form_unclear', text: '不会填' },
];
const ratings: RatingRecord[] = [
  { at: '2026-11-26T06:00:00Z', sessionId: 'c', rating: 'poor', comment: null, entryId: 'item-a' },
  { at: '2026-11-26T06:10:00Z', sessionId: 'b', rating: 'good', comment: '很方便', entryId: 'bundle-b' },
];

const input = { turns, feedback, reports, ratings, title: (id: string) => ({ 'item-a': '事项甲', 'bundle-b': '一件事乙' })[id] ?? id, from: '2026-11-25', to: '2026-11-26' };
const d = computeDashboard(input);

describe('dashboard figures from a fixed event log', () => {
  // Issue 13 item 11: the second unanswered question in a row is a handoff turn that also went unanswered.
  it('counts a handoff that followed a second failure as unanswered too, against the matter under discussion', () => {
    const t = computeDashboard({ ...input, turns: [{ at: '2026-11-26T03:00:00Z', sessionId: 'f', kind: 'handoff', entryId: 'item-a', unanswered: true, text: '停车位多少钱' }] });
    expect(t.totals).toMatchObject({ questions: 1, handoffs: 1, unanswered: 1, answered: 0 });
    expect(t.entries.find((e) => e.entryId === 'item-a')?.handoffs).toBe(1);
  });

  it('counts per day in China time, leaving out small talk and days outside the range', () => {
    expect(d.days.map((x) => [x.day, x.questions, x.answered, x.unanswered, x.handoffs, x.checklists])).toEqual([
      ['2026-11-25', 2, 1, 1, 0, 0],
      ['2026-11-26', 3, 2, 0, 1, 1],
    ]);
    expect(d.days[0]!.answerRate).toBe(0.5);
    expect(d.days[1]!.handoffRate).toBe(0.333);
  });

  it('totals the three judgements: understood, goes through, good', () => {
    expect(d.totals).toMatchObject({ questions: 5, answered: 3, unanswered: 1, handoffs: 1, helpful: 1, notHelpful: 1, processReports: 2, good: 1, fair: 0, poor: 1 });
    expect(d.totals.answerRate).toBe(0.75);
    expect(d.reasons.find((r) => r.code === 'form_unclear')).toEqual({ code: 'form_unclear', label: '表格看不懂', count: 2 });
  });

  it('ranks weak spots: process reports count double; the step with most reports is named', () => {
    expect(d.weakSpots.map((e) => [e.entryId, e.problemScore])).toEqual([
      ['bundle-b', 4],
      ['item-a', 3],
    ]);
    expect(d.weakSpots[0]!.steps).toEqual({ 'small-shop/food': 2 });
    const csv = weakSpotsCsv(d);
    expect(csv.startsWith('\uFEFF排名,事项')).toBe(true);
    expect(csv).toContain('1,一件事乙,bundle-b,4,0,2,0,0,1,表格看不懂×2,small-shop/food×2');
  });

  it('names a step by what it asks when a label is given', () => {
    const named = computeDashboard({ ...input, stepLabel: (k) => (k === 'small-shop/food' ? '开办小商店：是否卖食品' : k) });
    expect(named.weakSpots[0]!.steps).toEqual({ '开办小商店：是否卖食品': 2 });
  });
});

describe('您是不是想问 and 诉求 on the dashboard', () => {
  const more: TurnRecord[] = [
    { at: '2026-11-25T03:00:00Z', sessionId: 'f', kind: 'suggested', entryId: null, offered: ['item-a', 'bundle-b'], text: '证件丢了' },
    { at: '2026-11-25T03:00:30Z', sessionId: 'f', kind: 'answered', entryId: 'item-a', fromSuggestion: true },
    { at: '2026-11-25T03:01:00Z', sessionId: 'g', kind: 'suggested', entryId: null, offered: ['item-a'] },
    { at: '2026-11-25T03:02:00Z', sessionId: 'h', kind: 'appeal', entryId: null },
  ];
  const s = computeDashboard({ ...input, turns: more });

  it('counts what was offered and what was picked, not as answers', () => {
    expect(s.totals).toMatchObject({ questions: 3, suggested: 2, suggestionsChosen: 1, appeals: 1, answered: 0 });
    const a = s.entries.find((e) => e.entryId === 'item-a')!;
    expect([a.offered, a.chosen]).toEqual([2, 1]);
    expect(s.entries.find((e) => e.entryId === 'bundle-b')!.offered).toBe(1);
  });
});
