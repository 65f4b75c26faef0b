/**
 * Aspect detection on questions the classifier was not trained on. The held-out list below was
 * written as citizens ask — paraphrases, other words for the same thing — without copying the
 * training phrases of src/nlp/aspects.ts, and before running the classifier on it. Some are
 * missed: they are listed, counted and reported as a known limitation; every other one must keep
 * being detected, so a regression fails on the question it breaks.
 */
import { describe, expect, it } from 'vitest';
import { ASPECTS, type Aspect } from '../../src/nlp/aspects.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';
import { realEngine } from '../helpers/real-engine.js';

// The words the chat sees: the engine's analyser (normalised, segmented with the knowledge words).
const engine = fixtureEngine();
const detect = (q: string) => engine.aspects.detect(engine.words(q));

const HELD_OUT: Record<Aspect, string[]> = {
  materials: ['办这个得拿哪些东西过去', '去之前我要备齐哪些文件', '除了身份证还用带别的吗', '复印件要几张', '我需要提供什么证明', '需要带户口簿吗', '有没有材料清单可以发给我', '申请时交哪些表格'],
  conditions: ['我这种情况能办吗', '什么人可以办理', '没有本地户口可以申请吗', '申请人要满足什么要求', '退休了还能申请吗', '办理需要具备哪些资格', '外省的可以在这边办吗', '对年龄有限制吗'],
  steps: ['具体要怎么办理', '办理的步骤有哪些', '第一步应该做什么', '手机上怎么申请', '整个流程是怎么样的', '办的程序复杂吗', '网上申请怎么操作', '办理过程是怎样的'],
  time: ['大概要等几天', '多长时间能拿到证', '几个工作日能办完', '当天可以拿到吗', '审批要多长时间', '多久能出结果', '证件有效期是几年', '什么时候能领'],
  fee: ['办这个要花钱吗', '要交多少费用', '是免费的吗', '工本费是多少', '收费多少', '大概要花多少', '要不要交钱', '费用怎么算'],
  place: ['去哪里办理', '办理地址在哪', '在哪个窗口办', '能在网上办吗', '周末上班吗', '办事大厅几点开门', '哪个部门负责', '咨询电话是多少'],
  legal: ['这是根据哪个法规', '有什么法律规定', '依据的是哪份文件', '相关政策文件是什么', '哪一条规定的', '法律上怎么规定的'],
  explain: ['这个是干什么用的', '什么是食品经营许可', '这两个有啥区别', '能解释一下吗', '为什么要办这个', '这个证是什么东西'],
  general: ['我想开个小卖部', '营业执照', '孩子刚出生', '身份证丢了', '个体户营业执照怎么办', '烟草证'],
};

/**
 * Known misses: 19 of the 70 held-out questions are not detected. A fix removes lines from here;
 * nothing may be added without saying why in the commit.
 */
const KNOWN_MISSES = new Set([
  '办这个得拿哪些东西过去',
  '去之前我要备齐哪些文件',
  '我这种情况能办吗',
  '申请人要满足什么要求',
  '办理需要具备哪些资格',
  '外省的可以在这边办吗',
  '办的程序复杂吗',
  '办理过程是怎样的',
  '当天可以拿到吗',
  '证件有效期是几年',
  '是免费的吗',
  '费用怎么算',
  '办事大厅几点开门',
  '咨询电话是多少',
  '什么是食品经营许可',
  '能解释一下吗',
]);

const cases = (Object.entries(HELD_OUT) as [Aspect, string[]][]).flatMap(([aspect, qs]) => qs.map((q) => [q, aspect] as const));

describe('aspect detection on held-out questions', () => {
  it('covers every aspect with at least six questions', () => {
    for (const a of ASPECTS) expect(HELD_OUT[a].length, a).toBeGreaterThanOrEqual(6);
  });

  it.each(cases.filter(([q]) => !KNOWN_MISSES.has(q)))('%s → %s', (q, aspect) => {
    expect(detect(q)).toBe(aspect);
  });

  it('gets at least half of each aspect right, and 70% overall (known misses included)', () => {
    const right = (qs: string[], a: Aspect) => qs.filter((q) => detect(q) === a).length;
    for (const a of ASPECTS) expect(right(HELD_OUT[a], a), a).toBeGreaterThanOrEqual(HELD_OUT[a].length / 2);
    const total = cases.filter(([q, a]) => detect(q) === a).length;
    expect(total / cases.length).toBeGreaterThanOrEqual(0.7);
  });

  it('misses exactly the known misses (remove a line when it is fixed)', () => {
    const missed = cases.filter(([q, a]) => detect(q) !== a).map(([q]) => q);
    expect(missed.sort()).toEqual([...KNOWN_MISSES].sort());
    expect(KNOWN_MISSES.size).toBe(16);
  });
});

describe('aspect detection of the words jieba keeps whole', () => {
  it.each(['要钱不', '收钱吗', '花钱吗', '要交钱吗', '收费不'])('%s → fee', (q) => {
    expect(detect(q)).toBe('fee');
  });
});

const shipped = await realEngine();

describe('phrases that say the aspect outright', () => {
  it.each([
    ['使唔使俾钱', 'fee'],
    ['钱怎么给', 'fee'],
    ['付钱吗', 'fee'],
    ['多少天', 'time'],
    ['哪天能拿', 'time'],
    ['几时可以攞', 'time'],
    ['下一步做什么', 'steps'],
    ['接下来呢', 'steps'],
  ] as const)('%s → %s', (q, aspect) => {
    // As the dialogue reads it, with the shipped lexicon's Cantonese rewritten (几时可以攞 → 什么时候可以领).
    expect(shipped.aspects.detect(shipped.search(q, 1).analyzed.tokens)).toBe(aspect);
  });

  it('leave a question without them to the classifier (「什么时候可以办」 is not about collecting)', () => {
    expect(detect('什么时候可以办')).not.toBe('fee');
    expect(detect('要带什么材料')).toBe('materials');
  });
});
