import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/dialogue/step.js';
import { createAnalytics, WEAK_ANSWER, type FeedbackRecord, type ProcessReport, type TurnRecord, type UnansweredRecord } from '../../src/service/analytics.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';

const AT = '2026-11-26T08:00:00.000Z';
const match = (score: number) => ({ id: 'item-tobacco', title: '烟草专卖零售许可证', kind: 'item' as const, score });

describe('analytics records', () => {
  it('records a line per turn, keeping the citizen’s words only where an editor needs them', async () => {
    const store = createMemoryStore();
    const analytics = createAnalytics(store, fixtureEngine);
    const answered = (score: number) => ({ events: [{ type: 'answered' as const, entryId: 'item-tobacco', aspect: 'general' as const, score, followUp: false }], match: match(score) });
    await analytics.turn(AT, 's1', answered(0.9), '烟草证怎么办');
    await analytics.turn(AT, 's1', answered(WEAK_ANSWER - 0.1), '烟的证');
    await analytics.turn(AT, 's1', { events: [{ type: 'unanswered', text: '天气怎么样', nearest: [{ id: 'item-tobacco', score: 0.1 }] }], match: null }, '天气怎么样');
    const turns = (await store.log<TurnRecord>('turns').recent(10)).reverse(); // recent() gives the newest first
    expect(turns.map((t) => [t.kind, t.text ?? null])).toEqual([
      ['answered', null],
      ['answered', '烟的证'],
      ['unanswered', '天气怎么样'],
    ]);
    expect(await store.log<UnansweredRecord>('unanswered').recent(10)).toEqual([{ at: AT, sessionId: 's1', text: '天气怎么样', nearest: [{ id: 'item-tobacco', score: 0.1 }] }]);
  });

  // Issue 13 item 11: the handoff turn of a second failure kept no words, and no matter.
  it('keeps the words of a second unanswered question that went to a person, and counts a handoff against the matter under discussion', async () => {
    const store = createMemoryStore();
    const analytics = createAnalytics(store, fixtureEngine);
    const failedTwice = { events: [{ type: 'unanswered' as const, text: '停车位多少钱', nearest: [] }, { type: 'handoff_requested' as const, reason: 'repeated_failure' as const }], match: null };
    await analytics.turn(AT, 's2', failedTwice, '停车位多少钱', 'item-tobacco');
    await analytics.turn(AT, 's2', { events: [{ type: 'handoff_requested', reason: 'asked' }], match: null }, '转人工', 'item-tobacco');
    const turns = (await store.log<TurnRecord>('turns').recent(10)).reverse();
    expect(turns).toEqual([
      { at: AT, sessionId: 's2', kind: 'handoff', entryId: 'item-tobacco', unanswered: true, text: '停车位多少钱' },
      { at: AT, sessionId: 's2', kind: 'handoff', entryId: 'item-tobacco' },
    ]);
  });

  it('ties feedback to the answer card and the entry version, and masks what the citizen wrote', async () => {
    const store = createMemoryStore();
    const analytics = createAnalytics(store, fixtureEngine);
    const card = { entryId: 'item-tobacco' } as never;
    const record = await analytics.feedback(AT, 's1', { seq: 4, replies: [{ type: 'text', text: '…', card }] }, false, `没看懂，打我电话13812345678${'啊'.repeat(600)}`);
    expect(record).toMatchObject({ seq: 4, helpful: false, entryId: 'item-tobacco', entryVersion: fixtureEngine().version('item-tobacco'), checklistId: null });
    expect(record.comment).toContain('138****5678');
    expect(record.comment).toHaveLength(500);
    expect(await store.log<FeedbackRecord>('feedback').recent(10)).toEqual([record]);
  });

  it('reports a stuck process at the walkthrough step the citizen is at', async () => {
    const store = createMemoryStore();
    const analytics = createAnalytics(store, fixtureEngine);
    const state = { ...initialState(), currentEntryId: 'item-tobacco', flow: { id: 'small-shop', at: 'food' } as never };
    const report = await analytics.processReport(AT, 's1', state, 'form_unclear', '表格看不懂');
    expect(report).toMatchObject({ entryId: 'item-tobacco', step: 'small-shop/food', reason: 'form_unclear', text: '表格看不懂' });
    expect(await store.log<ProcessReport>('process-reports').recent(10)).toEqual([report]);
  });
});
