/**
 * The example bank (src/knowledge/example-bank.ts): labelled questions the answer gate compares a
 * question with. What the nearest examples say, that an entry without examples is judged on the
 * rest of the gate, that the bank can change the order only below a name found outright, and that
 * the shipped bank holds no blind question and no test-half line and is current.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_FEATURES, FEATURES } from '../../src/knowledge/answer-gate.js';
import type { Engine } from '../../src/knowledge/engine.js';
import { createExampleBank, type Example } from '../../src/knowledge/example-bank.js';
import { SHIPPED_EXAMPLES } from '../../src/knowledge/gate-examples.js';
import type { Entry } from '../../src/knowledge/schema.js';
import { BLIND_SETS, EVAL_DIR, half, loadLabelled, loadNearMisses, loadNegatives } from '../../scripts/lib/eval-sets.js';
import { GATE_SETS, collectExamples } from '../../scripts/lib/gate-fit.js';
import { realEngine, root } from '../helpers/real-engine.js';

const pairs = (text: string) => {
  const chars = [...text];
  return new Set(chars.slice(1).map((c, i) => `${chars[i]}${c}`));
};
const entry = (id: string, kind: Entry['kind'] = 'item', related: string[] = []) => ({ id, kind, related, items: [] }) as unknown as Entry;

describe('the nearest examples', () => {
  const examples: Example[] = [
    { t: '社保卡丢了怎么补办', e: ['card'] },
    { t: '社保卡丢了去哪里补', e: ['card'] },
    { t: '社保卡怎么激活', e: ['card'] },
    { t: '公积金怎么提取', e: ['fund'] },
    { t: '公积金提取要什么材料', e: ['fund'] },
    { t: '驾驶证丢了怎么补办', e: [] },
  ];
  const bank = createExampleBank(examples);

  it('finds the same wording first, with similarity 1', () => {
    const near = bank.nearest(pairs('社保卡丢了怎么补办'));
    expect(near[0]).toEqual({ i: 0, s: expect.closeTo(1, 6) });
    // 驾驶证丢了怎么补办 shares 丢了 and 补办; 公积金怎么提取 only 怎么: nearer and farther.
    const order = near.map((n) => n.i);
    expect(order.indexOf(5)).toBeLessThan(order.indexOf(3));
  });

  it('says how much of the nearest weight is about the entry, how near the nearest about it and the nearest about nothing covered are', () => {
    const near = bank.nearest(pairs('社保卡丢了怎么补'));
    const card = bank.evidence(near, entry('card'))!;
    expect(card.agree).toBeGreaterThan(0.6);
    expect(card.nearest).toBeGreaterThan(0.5);
    expect(card.outside).toBeGreaterThan(0);
    const fund = bank.evidence(near, entry('fund'))!;
    expect(fund.agree).toBeLessThan(0.1);
    expect(fund.nearest).toBeLessThan(card.nearest / 4);
  });

  it('counts an FAQ as its entry, and has nothing to say about an entry without examples', () => {
    const near = bank.nearest(pairs('公积金怎么提取出来'));
    expect(bank.evidence(near, entry('faq-fund', 'faq', ['fund']))!.agree).toBeGreaterThan(0.9);
    expect(bank.evidence(near, entry('new-entry'))).toBeNull();
  });

  it('tells two entries apart only by the examples about one of them, not those about both', () => {
    const bank = createExampleBank([
      { t: '开小店要办哪些证', e: ['shop'] },
      { t: '开小店营业执照怎么办', e: ['licence', 'shop'] },
      { t: '开小店营业执照要什么材料', e: ['licence'] },
      { t: '营业执照要什么材料', e: ['licence'] },
    ]);
    const near = bank.nearest(pairs('开小店营业执照要什么材料'));
    const w = bank.contrast(near, entry('shop', 'bundle'), entry('licence'), 10);
    expect(w.a).toBeCloseTo(near.find((n) => n.i === 0)!.s, 6);
    expect(w.b).toBeCloseTo(near.filter((n) => n.i >= 2).reduce((sum, n) => sum + n.s, 0), 6);
    expect(bank.contrast(near, entry('shop', 'bundle'), entry('licence'), 1)).toEqual({ a: 0, b: expect.closeTo(1, 6) });
  });

  it('an empty bank finds nothing', () => {
    const empty = createExampleBank([]);
    expect(empty.nearest(pairs('社保卡丢了'))).toEqual([]);
  });
});

describe('the example bank in the engine', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await realEngine();
  });
  const features = (e: Engine, q: string) => {
    const f = e.search(q, 3).features;
    return Object.fromEntries(EXAMPLE_FEATURES.map((name) => [name, f[FEATURES.indexOf(name)]!]));
  };

  it('an entry no example is about is neither favoured nor held back: its example features read as the fit’s mean', () => {
    const q = '城乡居民养老保险去哪里办';
    expect(engine.search(q, 1).results[0]?.entry.id).toBe('item-resident-pension');
    const without = engine.withExamples(SHIPPED_EXAMPLES.filter((x) => !x.e.some((id) => id.includes('resident-pension'))));
    const gate = engine.gate!;
    const neutral = Object.fromEntries(EXAMPLE_FEATURES.map((name) => [name, gate.mean[FEATURES.indexOf(name)]]));
    expect(features(without, q)).toEqual(neutral);
    // No bank at all reads the same way.
    expect(features(engine.withExamples(null), q)).toEqual(neutral);
    expect(features(engine, q).exampleAgree).toBeGreaterThan(0.5);
  });

  it('questions worded alike about another entry, and none about the first, put that one first', () => {
    const q = '女职工原来50岁退休，现在改成几岁';
    const none = engine.withExamples([]);
    const byEvidence = engine.withExamples([
      { t: '退休手续去哪里办', e: ['bundle-retirement'] },
      { t: '女职工原来50岁退休现在改成多少岁', e: ['faq-retirement-age'] },
      { t: '女职工50岁退休现在改到几岁', e: ['faq-retirement-age'] },
    ]);
    const plain = none.search(q, 3).results.map((r) => r.entry.id);
    expect(plain[0]).not.toBe('faq-retirement-age');
    expect(plain.slice(1, 3)).toContain('faq-retirement-age');
    expect(byEvidence.search(q, 3).results[0]?.entry.id).toBe('faq-retirement-age');
  });

  it('never over a name found outright', () => {
    const q = '去民政局扯证';
    const divorceLike = engine.withExamples([
      { t: '去民政局离婚要带什么', e: ['faq-divorce-materials'] },
      { t: '去民政局离婚怎么预约', e: ['faq-divorce-materials'] },
    ]);
    expect(divorceLike.search(q, 3).results[0]?.entry.id).toBe('item-marriage-registration');
  });

  it('holds only questions of the sets written to fit on and lines of the fit halves — no blind question, no test-half line', async () => {
    const analysed = (text: string) => engine.search(text, 1).analyzed.text;
    const allowed = new Set<string>();
    for (const set of GATE_SETS) for (const { q } of await loadLabelled(join(root, EVAL_DIR, set))) allowed.add(analysed(q));
    const corpora = [...(await loadNegatives(root)), ...(await loadNearMisses(root, engine.kb.entries))];
    for (const { text } of corpora.filter((x) => half(x.text) === 'fit')) allowed.add(analysed(text));
    expect(SHIPPED_EXAMPLES.filter((x) => !allowed.has(x.t)).map((x) => x.t)).toEqual([]);
    expect(GATE_SETS.some((set) => BLIND_SETS.includes(set))).toBe(false);
  });

  it('is the bank npm run gate:fit would write now (run it after changing the eval sets, the lexicon or the analysis)', async () => {
    const now = (await collectExamples(engine, root, engine.kb.entries)).map(({ t, e }) => ({ t, e }));
    expect(SHIPPED_EXAMPLES.length).toBe(now.length);
    expect(SHIPPED_EXAMPLES).toEqual(now);
  });
});
