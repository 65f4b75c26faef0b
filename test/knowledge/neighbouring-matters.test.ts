/**
 * Issue 10: matters next to covered ones that the knowledge base does not cover (lexicon.yaml ›
 * actions) bar every entry whose names do not mention them: the covered entry that shares their
 * other words (补贴, 保障, 身份证) is not answered — its action fit is 0 and it is offered at most,
 * unless the gate is all but sure on everything else (actionMismatchAnswer; test/knowledge/action-mismatch.test.ts). On the shipped knowledge base; our own phrasings.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/knowledge/engine.js';
import { FEATURES } from '../../src/knowledge/answer-gate.js';
import { realEngine } from '../helpers/real-engine.js';

let engine: Engine;
beforeAll(async () => {
  engine = await realEngine();
});

/** The first result's action fit, and whether the search answers. */
const read = (q: string) => {
  const r = engine.search(q, 3);
  return { first: r.results[0]?.entry.id, fit: r.features[FEATURES.indexOf('actionFit')], band: r.band };
};

describe('neighbouring matters not covered', () => {
  it.each([
    ['收割机的农机补贴几时到账', 'farm subsidies, not the childcare subsidy'],
    ['外卖骑手职业伤害保障怎么交', 'occupational injury protection for platform workers, not flexible-employment insurance'],
    ['手机上的电子身份证怎么开通', 'the online identity credential (网证), not applying for the ID card'],
    ['下岗了能不能吃低保', 'subsistence allowance (低保) asked to be received, not the unemployment benefit'],
    ['我是残疾人，在厂里上班，残疾人就业补贴怎么领', 'employment subsidies for disabled workers, not the disability services bundle'],
    ['孩子刚满月，想给他买份重疾险，哪家好', 'insurance bought from a company (商业保险), not the newborn bundle'],
  ])('%s: %s', (q) => {
    const r = read(q);
    expect(r.fit, q).toBe(0);
    expect(r.band, q).not.toBe('answer');
  });
});
