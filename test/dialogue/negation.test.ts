/**
 * Denials in a first message (issue 17): the reader itself, then every prefill word of every shipped
 * walkthrough, then the small-shop walkthrough end to end on the shipped knowledge base.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerFlow, prefill, readAnswer, startFlow, type FlowState } from '../../src/dialogue/flow-engine.js';
import { NEGATION, readingsOf } from '../../src/dialogue/negation.js';
import { parseFlows, type AskStep } from '../../src/dialogue/parse-flows.js';
import { loadKnowledge, readYamlFiles } from '../../src/adapters/load-knowledge.js';

const read = (message: string, word: string) => readingsOf(message, word);

describe('reading a word as said or denied', () => {
  it.each([
    ['只卖预包装食品不卖散装食品', '预包装', ['said']],
    ['只卖预包装食品不卖散装食品', '散装', ['denied']],
    // 食品 is said once and denied only loosely (the denial is about 散装): never read as 「不卖食品」.
    ['只卖预包装食品不卖散装食品', '食品', ['said', 'doubtful']],
    ['不卖散装，只卖预包装的', '散装', ['denied']],
    ['不卖散装只卖预包装', '预包装', ['said']], // 只 starts a new statement
    ['不卖散装还卖烟', '卖烟', ['said']],
    ['也不卖烟', '卖烟', ['denied']],
    ['不想卖香烟', '香烟', ['denied']],
    ['我不卖任何吃的', '吃的', ['denied']],
    ['没交过公积金', '公积金', ['denied']],
    ['店里没有员工', '有员工', ['denied']],
    ['散装的不卖', '散装', ['denied']],
    ['香烟就不卖了', '香烟', ['denied']],
    ['只卖预包装的不卖散装的', '预包装', ['said']], // a denial after the word only counts when it ends the clause
    ['不過想賣煙', '卖烟', ['said']], // 不过 (= but) denies nothing; traditional characters
    ['非营利性的门诊部', '营利性', ['denied']],
    ['除非卖烟', '卖烟', ['said']],
    ['是无线电操作员', '操作员', ['said']],
    ['不满16周岁', '满16', ['denied']],
    ['卖烟', '散装', []],
  ] as const)('「%s」 %s → %j', (message, word, expected) => {
    expect(read(message, word)).toEqual(expected);
  });

  it('keeps its tunables in one object', () => {
    expect(NEGATION.cues).toEqual(expect.arrayContaining(['不', '没', '无']));
    expect(NEGATION.reach).toBeGreaterThan(0);
  });
});

const knowledge = await loadKnowledge(resolve(import.meta.dirname, '../../knowledge'));
if (!knowledge.ok) throw new Error('knowledge base does not validate');
const loaded = parseFlows(await readYamlFiles(resolve(import.meta.dirname, '../../flows')), knowledge.kb);
if (!loaded.ok) throw new Error('flows do not validate');
const flows = loaded.flows;
const cueIn = (w: string) => NEGATION.cues.some((c) => w.includes(c));

describe('every prefill word of every walkthrough, denied', () => {
  // Words that carry a denial themselves (「不卖烟」「没有残疾证」) are left out: denying them is a double negative.
  const cases = flows.flatMap((flow) =>
    flow.prefill.flatMap((rule, index) =>
      rule.words.filter((w) => !cueIn(w)).map((word) => [flow.id, word, flow, index] as const),
    ),
  );

  it('covers every flow', () => {
    expect(new Set(cases.map(([id]) => id))).toEqual(new Set(flows.map((f) => f.id)));
  });

  it.each(cases)('%s: 「不%s」 does not answer as if it were said', (_id, word, flow, index) => {
    const rule = flow.prefill[index]!;
    for (const message of [`我不${word}`, `${word}就不要了`]) {
      const { slots } = prefill(flow, message);
      for (const [slot, value] of Object.entries(rule.set)) expect(slots[slot], `${message} › ${slot}`).not.toBe(value);
      if (rule.negated) for (const [slot, value] of Object.entries(rule.negated)) expect(slots[slot], `${message} › ${slot}`).toBe(value);
    }
  });

  it.each(cases)('%s: 「%s」 said plainly still answers', (_id, word, flow, index) => {
    const rule = flow.prefill[index]!;
    if (Object.keys(rule.set).length === 0) return;
    // A later rule may override on purpose (卤味 after 预包装), so only check the words that no later rule also matches.
    const { slots } = prefill(flow, `我${word}`);
    const later = flow.prefill.slice(index + 1).some((r) => Object.keys(r.set).some((k) => k in rule.set && slots[k] === r.set[k]));
    if (!later) expect(slots).toMatchObject(rule.set);
  });
});

describe('the small-shop walkthrough reads what a shop sells', () => {
  const shop = flows.find((f) => f.id === 'small-shop')!;
  const entry = (id: string) => knowledge.kb.entries.find((e) => e.id === id);
  const ctx = { entry, now: () => new Date('2026-11-30T08:00:00Z'), newId: () => 'list1' };

  it.each([
    ['只卖预包装的零食饮料，不卖散装的，也不卖烟', { food: 'prepackaged', tobacco: false }],
    ['我想开个小卖部，只卖预包装食品不卖散装食品', { food: 'prepackaged' }],
    ['开小卖部，不卖散装，只卖预包装的', { food: 'prepackaged' }],
    ['开个小卖部，不卖吃的', { food: 'none' }],
    ['小卖部只卖日用品', { food: 'none' }],
    ['只卖蔬菜水果的小店', { food: 'none' }],
    ['卖预包装零食，也卖卤味', { food: 'bulk' }],
    ['个体户开小卖部卖烟，店在学校旁边', { entity: 'individual', tobacco: true, nearSchool: true }],
    ['卖烟，店不在学校附近', { tobacco: true, nearSchool: false }],
  ] as const)('「%s」 → %j', (message, slots) => {
    expect(prefill(shop, message).slots).toEqual(slots);
  });

  const items = (message: string, answers: Record<string, string | boolean>) => {
    let out = startFlow(shop, message, ctx);
    for (let n = 0; out.kind === 'asking' && n < 10; n++) {
      const slot = (shop.steps[out.state.at!] as AskStep).slot;
      if (!(slot in answers)) throw new Error(`asked ${slot}, which the test does not answer`);
      out = answerFlow(shop, out.state, answers[slot]!, ctx);
    }
    if (out.kind !== 'checklist') throw new Error(`expected a checklist, got ${out.kind}`);
    return out.checklist.items.map((i) => i.title);
  };

  it('gives 个体工商户设立登记 and 仅销售预包装食品备案, no licence, for 「只卖预包装的零食饮料，不卖散装的，也不卖烟」', () => {
    expect(items('只卖预包装的零食饮料，不卖散装的，也不卖烟', { entity: 'individual' })).toEqual(['个体工商户设立登记', '仅销售预包装食品备案']);
  });

  it('gives no food licence or filing to a shop that sells no food', () => {
    expect(items('开个小卖部，不卖吃的，只卖日用品', { entity: 'individual', tobacco: false })).toEqual(['个体工商户设立登记']);
  });

  it('leaves the tobacco licence off near a school, and lists it elsewhere', () => {
    expect(items('开小卖部卖烟，店在学校旁边', { entity: 'individual', food: 'none' })).toEqual(['个体工商户设立登记']);
    expect(items('开小卖部卖烟', { entity: 'individual', food: 'none', nearSchool: false })).toEqual(['个体工商户设立登记', '烟草专卖零售许可证核发']);
  });

  it('reads a typed sentence as the answer to the question asked, but not a question', () => {
    const asking = startFlow(shop, '开小卖部', ctx);
    const atFood: FlowState = { ...asking.state, slots: { entity: 'individual' }, at: 'food', asked: ['entity'] };
    expect(readAnswer(shop, atFood, { text: '只卖预包装的，不卖散装' })).toBe('prepackaged');
    expect(readAnswer(shop, atFood, { text: '不卖吃的' })).toBe('none');
    expect(readAnswer(shop, atFood, { text: '散装的要多少钱？' })).toBeNull();
    const atTobacco: FlowState = { ...atFood, slots: { ...atFood.slots, food: 'none' }, at: 'tobacco' };
    expect(readAnswer(shop, atTobacco, { text: '香烟也不卖' })).toBe(false);
  });

  it('reads a typed sentence as the one choice whose label it echoes (housing fund), unless it is denied or asked', () => {
    const fund = flows.find((f) => f.id === 'housing-fund-withdrawal')!;
    const asking = startFlow(fund, '公积金怎么取', ctx);
    expect(asking.state.at).toBe('reason');
    // 辞职 is only in 「以上都不是（比如只是辞职、换工作）」; no prefill rule says it.
    expect(readAnswer(fund, asking.state, { text: '我是辞职了' })).toBe('other');
    expect(readAnswer(fund, asking.state, { text: '我没辞职' })).toBeNull();
    expect(readAnswer(fund, asking.state, { text: '辞职了能取吗？' })).toBeNull();
    // 出境 is only in 「完全丧失劳动能力并已离职，或出境定居」 (the prefill rule says 出境定居).
    expect(readAnswer(fund, asking.state, { text: '准备出境了' })).toBe('leave');
    expect(readAnswer(fund, asking.state, { text: '今天天气好' })).toBeNull();
  });
});
