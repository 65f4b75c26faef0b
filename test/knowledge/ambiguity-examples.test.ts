/**
 * Issue 10: two unrelated entries of nearly equal confidence are offered as a choice (请点选) —
 * unless the labelled questions worded like this one clearly lean to the first
 * (`ambiguityExamples`, src/knowledge/search-index.ts › settledByExamples). Our own phrasings,
 * not questions of the evaluation sets.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/knowledge/engine.js';
import { realEngine } from '../helpers/real-engine.js';

let engine: Engine;
let unsettled: Engine;
let noBank: Engine;
beforeAll(async () => {
  engine = await realEngine();
  unsettled = await realEngine({ retrieval: { ambiguityExamples: { atLeast: 99 } } });
  noBank = engine.withExamples([]);
});

const shown = (e: Engine, q: string): string => {
  const r = e.search(q, 3);
  if (r.band !== 'answer') return r.band;
  return r.ambiguous ? `请点选 ${r.ambiguous.map((x) => x.entry.id).join(' / ')}` : (r.results[0]?.entry.id ?? 'none');
};

describe('a close call settled by the labelled questions', () => {
  it('a market stall is a 个体户 licence, not a company, when questions worded like it were', () => {
    const q = '在市场摆个摊卖猪肉要办营业执照吗';
    expect(shown(engine, q)).toBe('item-individual-business-registration');
    // The two have the same confidence: without the examples' lean it is a choice.
    expect(shown(unsettled, q)).toMatch(/^请点选 item-individual-business-registration \/ item-company-registration/);
  });

  it('a birth at home without the certificate asks for the certificate', () => {
    const q = '家里生的孩子没有出生证，上户口前去哪里开证明';
    expect(shown(engine, q)).toBe('item-birth-medical-certificate');
    expect(shown(unsettled, q)).toMatch(/^请点选 item-birth-medical-certificate/);
  });

  it('a question that says no more than the name the two share stays a choice, however the examples lean', () => {
    // 营业执照 alone: a 个体户 or a company? The citizen is asked (test/conversations/traditional-and-typos.yaml).
    expect(shown(engine, '营业执照怎么办')).toMatch(/^请点选 item-individual-business-registration \/ item-company-registration/);
  });

  it('without labelled questions nothing is settled: no single answer is asserted', () => {
    expect(shown(noBank, '在市场摆个摊卖猪肉要办营业执照吗')).toMatch(/^(请点选|suggest)/);
  });
});
