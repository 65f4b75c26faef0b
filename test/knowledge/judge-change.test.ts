/** The publish gate's judgement of one change, on observations written out by hand. */
import { describe, expect, it } from 'vitest';
import { formatShare, judgeChange, observe, type LabelledQuestion, type Observation } from '../../src/knowledge/evaluate.js';

const item = (id: string) => ({ id, kind: 'item' });
const faq = (id: string, related: string[]) => ({ id, kind: 'faq', related });
const seen = (first: Observation['first'], answered = true): Observation => ({ first, answered });

const questions: LabelledQuestion[] = [
  { q: '结婚登记要带什么', expect: ['item-marriage'] },
  { q: '身份证丢了', expect: ['item-id-card'] },
  { q: '开饭店要什么证', expect: ['item-food-licence'] },
  { q: '明天天气怎么样', expect: [] },
];

describe('judgeChange', () => {
  it('lists the questions a change stops answering right, whether they now go elsewhere or are no longer answered', () => {
    const before = [seen(item('item-marriage')), seen(item('item-id-card')), seen(item('item-food-licence')), seen(null, false)];
    const after = [seen(item('item-id-card')), seen(item('item-id-card'), false), seen(item('item-food-licence')), seen(null, false)];
    const j = judgeChange(before, after, questions, new Set(['item-marriage']));
    expect(j.lost.map((m) => m.q)).toEqual(['结婚登记要带什么', '身份证丢了']);
    expect(j.lost[1]).toMatchObject({ before: { id: 'item-id-card', answered: true }, after: { id: 'item-id-card', answered: false } });
    expect(j.before).toEqual({ right: 3, top1: 3, inScope: 3 });
    // The refused one is still first: top-1 keeps it, answered-right does not.
    expect(j.after).toEqual({ right: 1, top1: 2, inScope: 3 });
    expect(j.drawn).toEqual([]);
  });

  it('lists the questions pulled to a changed entry that does not fit them, including questions outside the knowledge base', () => {
    const before = [seen(item('item-marriage')), seen(item('item-id-card'), false), seen(item('item-food-licence')), seen(null, false)];
    const after = [seen(item('item-marriage')), seen(faq('faq-shop', ['item-food-licence'])), seen(item('item-food-licence')), seen(faq('faq-shop', ['item-food-licence']))];
    const j = judgeChange(before, after, questions, new Set(['faq-shop']));
    expect(j.drawn.map((m) => m.q)).toEqual(['身份证丢了', '明天天气怎么样']);
    expect(j.lost).toEqual([]);
  });

  it('a question answered right before and now answered by a changed entry it does not belong to is lost and drawn', () => {
    const before = [seen(item('item-marriage')), seen(item('item-id-card')), seen(item('item-food-licence')), seen(null, false)];
    const after = [seen(item('item-marriage')), seen(faq('faq-shop', ['item-food-licence'])), seen(item('item-food-licence')), seen(null, false)];
    const j = judgeChange(before, after, questions, new Set(['faq-shop']));
    expect(j.lost.map((m) => m.q)).toEqual(['身份证丢了']);
    expect(j.drawn.map((m) => m.q)).toEqual(['身份证丢了']);
    expect(j.drawn[0]).toMatchObject({ before: { id: 'item-id-card', answered: true }, after: { id: 'faq-shop', answered: true } });
  });

  it('does not count a question drawn to a changed FAQ of the right matter, nor one the entry already answered', () => {
    const before = [seen(item('item-marriage')), seen(faq('faq-shop', ['item-food-licence'])), seen(item('item-food-licence')), seen(null, false)];
    const after = [seen(item('item-marriage')), seen(faq('faq-shop', ['item-food-licence'])), seen(faq('faq-shop', ['item-food-licence'])), seen(null, false)];
    const j = judgeChange(before, after, questions, new Set(['faq-shop']));
    expect(j.drawn).toEqual([]);
    expect(j.lost).toEqual([]);
    expect(j.after.right).toBe(j.before.right);
  });

  it('a change that changes nothing is judged as nothing', () => {
    const same = [seen(item('item-marriage')), seen(item('item-id-card')), seen(null, false), seen(item('item-id-card'))];
    const j = judgeChange(same, same, questions, new Set(['item-id-card']));
    expect(j).toMatchObject({ lost: [], drawn: [] });
    expect(j.before).toEqual(j.after);
  });

  it('observe takes the first result and the answer band; an engine without a gate answers what it ranks first', () => {
    const engine = (band?: string) => ({ search: (q: string) => ({ ...(band ? { band } : {}), results: q.includes('身份证') ? [{ entry: item('item-id-card') }] : [] }) });
    expect(observe(engine(), questions.slice(0, 2))).toEqual([seen(null, false), seen(item('item-id-card'))]);
    expect(observe(engine('suggest'), questions.slice(1, 2))).toEqual([seen(item('item-id-card'), false)]);
  });

  it('formats shares with two decimals and the counts', () => {
    expect(formatShare(453, 523)).toBe('86.62%（453/523）');
    expect(formatShare(452, 523)).toBe('86.42%（452/523）');
    expect(formatShare(0, 0)).toBe('100.00%（0/0）');
  });
});
