/**
 * Ranking on a tiny fixed corpus (test/helpers/fixture-kb.ts). Each case says why the result
 * sits where it does, so a change in ranking shows up as a readable failure.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/knowledge/engine.js';
import { ANSWER_THRESHOLD } from '../../src/knowledge/search-index.js';
import { FEATURES } from '../../src/knowledge/answer-gate.js';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { fixtureKb } from '../helpers/fixture-kb.js';

// The ranking alone: the shipped answer gate is fitted on the real knowledge base, not this fixture.
const engine = createEngine(fixtureKb(), createJiebaTokenizer(), { gate: null });
const top = (q: string) => {
  const r = engine.search(q, 3);
  return { id: r.results[0]?.entry.id, answerable: r.answerable, r };
};

/** The score of one entry for a question, on the fixture with more aliases for some entries. */
const scoreWithAlias = (id: string, ...more: { of: string; alias: string }[]) => {
  const kb = fixtureKb();
  const entries = kb.entries.map((e) => ({ ...e, aliases: [...e.aliases, ...more.filter((m) => m.of === e.id).map((m) => m.alias)] }));
  const engines = new Map<number, ReturnType<typeof createEngine>>();
  /** `gapped`: the strength of a gapped match (1 = as strong as a verbatim name). */
  return (q: string, gapped = 0): number => {
    let e = engines.get(gapped);
    if (!e) engines.set(gapped, (e = createEngine({ ...kb, entries }, createJiebaTokenizer(), { gate: null, ...(gapped ? { retrieval: { matchStrength: { gapped } } } : {}) })));
    return e.search(q, 5).results.find((x) => x.entry.id === id)?.score ?? 0;
  };
};

describe('ranking on the fixture corpus', () => {
  it('finds an entry by one of its names (alias in the question)', () => {
    expect(top('个体户营业执照怎么办')).toMatchObject({ id: 'item-licence', answerable: true });
  });

  it('reads traditional characters as simplified', () => {
    expect(top('個體戶營業執照怎麼辦')).toMatchObject({ id: 'item-licence', answerable: true });
  });

  it('reads full-width characters and stray spaces', () => {
    expect(top('ＩＤ 身 份 证　丢了 怎么办')).toMatchObject({ id: 'item-id-card', answerable: true });
  });

  it('tolerates a homophone typo (社报卡 sounds like 社保卡)', () => {
    expect(top('社报卡怎么申请')).toMatchObject({ id: 'item-social-card', answerable: true });
  });

  it('tolerates a near-homophone typo a southern speaker makes (执造 for 执照, z/zh merged)', () => {
    expect(top('个体户营业执造')).toMatchObject({ id: 'item-licence', answerable: true });
  });

  it('maps a synonym from the lexicon to the canonical term (社会保障卡 → 社保卡)', () => {
    expect(top('社会保障卡要带什么')).toMatchObject({ id: 'item-social-card', answerable: true });
  });

  it('prefers the FAQ whose question is asked almost verbatim, over its subject item', () => {
    expect(top('补办身份证需要多少钱')).toMatchObject({ id: 'faq-id-card-fee', answerable: true });
  });

  it('does not answer an FAQ when its subject is not named (那要多少钱 is a follow-up, not a question)', () => {
    expect(top('那要多少钱').answerable).toBe(false);
  });

  it('names the bundle when two of its items are named by different names', () => {
    expect(top('营业执照和烟草证能一起办吗')).toMatchObject({ id: 'bundle-shop', answerable: true });
  });

  it('names a thing-and-action name by the thing and an everyday verb (经营范围怎么加 ~ 经营范围变更)', () => {
    const r = top('营业执照上的经营范围怎么加');
    expect(r.id).toBe('item-licence-change');
    // The change is asked: registering a licence (named by 营业执照) is not what is wanted.
    expect(r.r.results.find((x) => x.entry.id === 'item-licence')?.score ?? 0).toBe(0);
    expect(top('营业执照上的地址要改').id).toBe('item-licence-change');
  });

  it('takes a verb only as a word of its own (加急 is not 加)', () => {
    expect(top('个体户营业执照加急能办吗').id).toBe('item-licence');
    // Not named by the thing and a verb (at most a fuzzy match of a short question).
    expect(top('经营范围加急').r.features[FEATURES.indexOf('gapped')]).toBe(0);
    expect(top('经营范围怎么加').r.features[FEATURES.indexOf('gapped')]).toBe(1);
  });

  it('hears 一件事 by sound (一件是): an item asked for as 一件事 names its bundle', () => {
    expect(top('个体户营业执照一件是怎么办')).toMatchObject({ id: 'bundle-shop', answerable: true });
    expect(top('个体户营业执照一件事怎么办')).toMatchObject({ id: 'bundle-shop', answerable: true });
  });

  it('a name made of a place and an action word (迁入测试市) never names an entry: a household moves there too', () => {
    const kb = fixtureKb();
    const entries = kb.entries.map((e) => (e.id === 'item-licence-change' ? { ...e, keywords: [...e.keywords, '迁入测试市'] } : e));
    const actions = [...kb.lexicon.actions, { name: '迁移', words: ['迁入'], verbs: [], unless: [] }];
    const score = (places: string[]) =>
      createEngine({ ...kb, entries, lexicon: { ...kb.lexicon, actions, places } }, createJiebaTokenizer(), { gate: null })
        .search('户口想迁入测试市', 3)
        .results.find((x) => x.entry.id === 'item-licence-change')?.score ?? 0;
    expect(score([])).toBeGreaterThan(0);
    expect(score(['测试市'])).toBe(0);
  });

  it('an action word inside a phrase that asks nothing of it (看不见了 holds 不见了) does not ask for the action', () => {
    const kb = fixtureKb();
    const withUnless = (unless: string[]) =>
      kb.lexicon.actions.map((g) => (g.name === '补领' ? { ...g, words: [...g.words, '不见了'], unless } : g));
    const score = (unless: string[], q: string) =>
      createEngine({ ...kb, lexicon: { ...kb.lexicon, actions: withUnless(unless) } }, createJiebaTokenizer(), { gate: null })
        .search(q, 3)
        .results.find((x) => x.entry.id === 'item-licence')?.score ?? 0;
    const q = '眼睛看不见了能办个体户营业执照吗';
    expect(score([], q)).toBe(0);
    expect(score(['看不见'], q)).toBeGreaterThan(0);
    // Said apart from the phrase, the word still asks (the licence itself is lost).
    expect(score(['看不见'], '眼睛看不见了，个体户营业执照也不见了')).toBe(0);
  });

  it('a name said only inside another entry\'s longer name (退休 in 延迟退休) counts as a gapped match for its own entry', () => {
    // With a gapped match as strong as a verbatim one, being inside a longer name costs nothing.
    const licenceScore = scoreWithAlias('item-licence', { of: 'item-tobacco', alias: '个体户卖烟许可' }, { of: 'item-licence', alias: '个体户' });
    const q = '个体户卖烟许可怎么办';
    expect(licenceScore(q)).toBeCloseTo(0.85 * licenceScore(q, 1), 2);
    // Said once more on its own, it names its entry verbatim.
    const q2 = '个体户卖烟许可，个体户怎么办';
    expect(licenceScore(q2)).toBe(licenceScore(q2, 1));
  });

  it('finds an action word split by a word or two (年度怎么报告 for 年度报告), never an abbreviation inside a longer word', () => {
    const kb = fixtureKb();
    const actions = [...kb.lexicon.actions, { name: '年报', words: ['年度报告', '体户营照'], verbs: [], unless: [] }];
    const engine = createEngine({ ...kb, lexicon: { ...kb.lexicon, actions } }, createJiebaTokenizer(), { gate: null });
    const score = (q: string) => engine.search(q, 3).results.find((x) => x.entry.id === 'item-licence')?.score ?? 0;
    expect(score('个体户营业执照年度报告怎么填')).toBe(0);
    expect(score('个体户营业执照年度怎么报告')).toBe(0);
    // 体户营照 is not found in 个体户营业执照: 体户 and 营 are no words of the question.
    expect(score('个体户营业执照怎么办')).toBeGreaterThan(0);
  });

  it('one item of a bundle and two of the offices the bundle joins up (税务、银行) name the bundle', () => {
    const kb = fixtureKb();
    const entries = kb.entries.map((e) => (e.id === 'bundle-shop' ? { ...e, summary: `${e.summary}税务、银行的登记也跟着办。` } : e));
    const first = (agencies: string[], q: string) =>
      createEngine({ ...kb, entries, lexicon: { ...kb.lexicon, agencies } }, createJiebaTokenizer(), { gate: null }).search(q, 3).results[0]?.entry.id;
    const q = '个体户营业执照办好了，税务和银行那边要去登记吗';
    expect(first([], q)).toBe('item-licence');
    expect(first(['税务', '银行'], q)).toBe('bundle-shop');
    // One office is not enough, nor offices the bundle never mentions.
    expect(first(['税务', '银行'], '个体户营业执照办好了，税务那边要去登记吗')).toBe('item-licence');
    expect(first(['税务', '公积金'], '个体户营业执照办好了，税务和公积金那边要去登记吗')).toBe('item-licence');
  });

  it('a place between the parts of a name is no gap (新生儿在测试市落户 names 新生儿落户)', () => {
    const kb = fixtureKb();
    const score = (places: string[]) =>
      createEngine({ ...kb, lexicon: { ...kb.lexicon, places } }, createJiebaTokenizer(), { gate: null })
        .search('新生儿在测试市落户要什么', 3)
        .results.find((x) => x.entry.id === 'item-birth')?.score ?? 0;
    expect(score([])).toBe(0);
    expect(score(['测试市'])).toBeGreaterThan(0);
  });

  it.each([
    // A place said to open right after it names 开 and the place the other way round.
    { alias: '开五金店', named: ['五金店开业要办什么', '五金店开张要办什么'], not: '五金店开会要办什么' },
    // A name of two words said the other way round with a modal between names it; without one it does not.
    { alias: '自己开小店', named: ['小店可以自己开吗', '小店能不能自己开'], not: '小店想自己开' },
  ])('a name said the other way round: $alias', ({ alias, named, not }) => {
    const licence = scoreWithAlias('item-licence', { of: 'item-licence', alias });
    for (const q of named) expect(licence(q), q).toBeGreaterThan(0);
    expect(licence(not)).toBe(0);
  });

  it('an FAQ asked much as it is and naming two of the matters it relates comes before either', () => {
    const kb = fixtureKb();
    const results = (related: string[]) => {
      const entries = kb.entries.map((e) =>
        e.kind === 'faq' && e.id === 'faq-id-card-fee' ? { ...e, title: '补办身份证和社保卡一共多少钱', related } : e,
      );
      return createEngine({ ...kb, entries }, createJiebaTokenizer(), { gate: null }).search('补身份证社保卡一共收多少钱啊', 5).results;
    };
    const card = (r: ReturnType<typeof results>) => r.find((x) => x.entry.id === 'item-social-card')?.score ?? 0;
    // Related to one of them only, it is one reading among others; related to both, it is the answer,
    // and the two items are what the question starts from (a gapped match's strength).
    const one = results(['item-id-card']);
    const both = results(['item-id-card', 'item-social-card']);
    expect(one[0]?.entry.id).toBe('item-social-card');
    expect(both[0]?.entry.id).toBe('faq-id-card-fee');
    expect(card(both)).toBeCloseTo(0.85 * card(one), 2);
  });

  it('a matter said to be had already (个体户营业执照拿到了) counts as a gapped match: it is what the question starts from', () => {
    // With a gapped match as strong as a verbatim one, being said done costs nothing.
    const licence = scoreWithAlias('item-licence');
    for (const q of ['个体户营业执照拿到了，烟草证怎么办', '已经有个体户营业执照，烟草证怎么办']) expect(licence(q), q).toBeCloseTo(0.85 * licence(q, 1), 2);
    const asked = '个体户营业执照怎么办，烟草证呢';
    expect(licence(asked)).toBe(licence(asked, 1));
  });

  it('a bundle named itself and one of its items by another name: the item is what is asked, unless both are asked', () => {
    const shop = scoreWithAlias('bundle-shop');
    const q = '开小卖部，烟草证怎么办';
    expect(shop(q)).toBeCloseTo(0.85 * shop(q, 1), 2);
    const both = '开小卖部和烟草证怎么办';
    expect(shop(both)).toBe(shop(both, 1));
  });

  it('refuses questions outside the knowledge base', () => {
    for (const q of ['明天天气怎么样', '护照怎么办理', '给我讲个笑话']) expect(top(q).answerable, q).toBe(false);
  });

  it('refuses a question that shares only generic words with an entry (驾驶证丢了 is not 身份证)', () => {
    expect(top('驾驶证丢了怎么补办').answerable).toBe(false);
  });

  it('refuses a question asking for an action the entry does not cover (注销 is not 设立)', () => {
    expect(top('个体户不做了怎么注销').answerable).toBe(false);
  });

  it('offers, not answers, an entry that does not cover the action asked unless the gate is all but sure (actionMismatchAnswer)', () => {
    const n = FEATURES.length;
    const gate = (bias: number) => ({ features: FEATURES, mean: Array(n).fill(0), scale: Array(n).fill(1), weights: Array(n).fill(0), bias, answer: 0.5, suggest: 0.1, fitted: 'test' });
    // p = 0.8: over the answer threshold, under actionMismatchAnswer (0.9).
    const likely = createEngine(fixtureKb(), createJiebaTokenizer(), { gate: gate(Math.log(4)) });
    expect(likely.search('个体户营业执照怎么办', 3).band).toBe('answer');
    const r = likely.search('个体户不做了怎么注销', 3);
    expect(r.probability).toBeCloseTo(0.8, 2);
    expect(r.band).toBe('suggest');
    // p > 0.99: the rest of the evidence settles it.
    const sure = createEngine(fixtureKb(), createJiebaTokenizer(), { gate: gate(10) });
    expect(sure.search('个体户不做了怎么注销', 3).band).toBe('answer');
    // And never, with the option above 1.
    const never = createEngine(fixtureKb(), createJiebaTokenizer(), { gate: gate(10), retrieval: { actionMismatchAnswer: 1.01 } });
    expect(never.search('个体户不做了怎么注销', 3).band).toBe('suggest');
  });

  it('asks which one is meant when two unrelated entries fit equally', () => {
    const r = engine.search('社保卡还是烟草证', 3);
    expect(r.answerable).toBe(true);
    expect(r.ambiguous?.map((x) => x.entry.id).sort()).toEqual(['item-social-card', 'item-tobacco']);
  });

  it('keeps confidence in [0, 1] and uses the threshold for answerable', () => {
    for (const q of ['个体户营业执照', '明天天气', '社报卡', '那要多少钱']) {
      const r = engine.search(q, 5);
      for (const x of r.results) {
        expect(x.score).toBeGreaterThanOrEqual(0);
        expect(x.score).toBeLessThanOrEqual(1);
      }
      expect(r.answerable).toBe((r.results[0]?.score ?? 0) >= ANSWER_THRESHOLD);
    }
  });

  // Names four matters, so every entry of the fixture is a candidate: more than any k used here.
  const MANY = '营业执照 身份证 社保卡 烟草证';

  it('returns exactly k results when more candidates exist, the best k of them', () => {
    const all = engine.search(MANY, 20).results.map((x) => x.entry.id);
    expect(all.length).toBeGreaterThan(5);
    for (const k of [1, 2, 3, 5]) {
      expect(engine.search(MANY, k).results.map((x) => x.entry.id), `k = ${k}`).toEqual(all.slice(0, k));
    }
  });

  it('returns 5 results when k is not given', () => {
    expect(engine.search(MANY).results.map((x) => x.entry.id)).toEqual(engine.search(MANY, 5).results.map((x) => x.entry.id));
    expect(engine.search(MANY).results).toHaveLength(5);
  });

  it('lists each entry once, never padding up to k', () => {
    const ids = engine.search(MANY, 20).results.map((x) => x.entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeLessThanOrEqual(engine.kb.entries.length);
  });
});

describe('gate features of the ranking', () => {
  const feature = (q: string, name: (typeof FEATURES)[number]) => engine.search(q, 3).features[FEATURES.indexOf(name)]!;

  it('a runner-up of the same matter is agreement: rivalBm25 counts only entries unrelated to the first', () => {
    // 开办小商店一件事 and its item 烟草专卖零售许可 first and second (the item first: it is what is
    // asked beside the shop): related, so no rival at all.
    expect(engine.search('开小卖部卖烟要办什么证', 3).results.slice(0, 2).map((r) => r.entry.id)).toEqual(['item-tobacco', 'bundle-shop']);
    expect(feature('开小卖部卖烟要办什么证', 'runnerUp')).toBeGreaterThan(0);
    expect(feature('开小卖部卖烟要办什么证', 'rivalBm25')).toBe(0);
    // An FAQ and its subject first and second: the rival is the third, unrelated entry.
    const q = '补办身份证要多少钱';
    expect(engine.search(q, 3).results.slice(0, 2).map((r) => r.entry.id)).toEqual(['faq-id-card-fee', 'item-id-card']);
    expect(feature(q, 'rivalBm25')).toBeGreaterThan(0);
    expect(feature(q, 'rivalBm25')).toBeLessThan(feature(q, 'runnerUp'));
  });
});

describe('what an entry says nothing about (engine.unexplained, for follow-ups)', () => {
  it('lists the question\'s nouns the entry never mentions — not a town, not a word of its own', () => {
    expect(engine.unexplained('item-licence', '婚假有几天')).toEqual(['婚假']);
    expect(engine.unexplained('item-licence', '那营业执照要几天')).toEqual([]);
    // 梧州 is a place: where, not what about.
    expect(engine.unexplained('item-licence', '在梧州要几天')).toEqual([]);
    expect(engine.unexplained('item-id-card', '营业执照要几天')).toEqual(['营业执照']);
  });
});
