import { describe, expect, it } from 'vitest';
import { FEATURES, checkModel, fitLogistic, predict, type GateModel } from '../../src/knowledge/answer-gate.js';
import { SHIPPED_GATE } from '../../src/knowledge/gate-model.js';
import { realEngine } from '../helpers/real-engine.js';

const engine = await realEngine();

/** The question is not answered, and the entry is not named by it (confidence 0). */
const namesNot = (q: string, id: string) => {
  const r = engine.search(q, 3);
  expect(r.band, q).not.toBe('answer');
  expect(r.results.find((x) => x.entry.id === id)?.score ?? 0, q).toBe(0);
};

/** Two ways of asking read as one: the same ranking and the same band. */
const sameReading = (a: string, b: string) => {
  const [ra, rb] = [engine.search(a, 3), engine.search(b, 3)];
  expect(ra.results.map((x) => x.entry.id)).toEqual(rb.results.map((x) => x.entry.id));
  expect(ra.band).toBe(rb.band);
  return ra;
};

describe('the answer gate model', () => {
  it('ships fitted on the features the code computes, with answer above suggest', () => {
    expect(SHIPPED_GATE).not.toBeNull();
    expect(checkModel(SHIPPED_GATE!)).toBeNull();
    expect(SHIPPED_GATE!.answer).toBeGreaterThan(SHIPPED_GATE!.suggest);
  });

  it('refuses a model fitted on other features', () => {
    const stale = { ...SHIPPED_GATE!, features: [...FEATURES.slice(1), 'old'] };
    expect(checkModel(stale)).toMatch(/gate:fit/);
  });

  it('learns which way a feature points, and predicts in (0, 1)', () => {
    // Label = 1 exactly when the first feature is high; the rest is noise that cancels out.
    const samples = Array.from({ length: 200 }, (_, i) => {
      const x = FEATURES.map((_, j) => (j === 0 ? (i % 2 ? 0.9 : 0.1) : (i * 7 + j * 3) % 5));
      return { x, y: (i % 2) as 0 | 1 };
    });
    const fitted = fitLogistic(samples, { iterations: 500 });
    const model: GateModel = { ...fitted, features: FEATURES, answer: 0.5, suggest: 0.2, fitted: 'test' };
    expect(fitted.weights[0]).toBeGreaterThan(1);
    const high = predict(model, samples[1]!.x);
    const low = predict(model, samples[0]!.x);
    expect(high).toBeGreaterThan(0.9);
    expect(low).toBeLessThan(0.1);
  });
});

describe('no accidental names (shipped knowledge base)', () => {
  it('a character read "yuan" does not name 育儿补贴 (the keyword 3600元 had become one syllable)', () => {
    for (const q of ['K9县坐公交车要2元？', '致西地省第二人民医院医生的感谢信', '公园里的路灯坏了', '我是医院的护士']) namesNot(q, 'item-childcare-subsidy');
  });

  it('a generic noun (有限公司) does not name 公司设立登记 on its own', () => {
    namesNot('某某建筑工程有限公司的工地晚上施工太吵', 'item-company-registration');
  });

  it('三岁 and 3岁 are the same question', () => {
    sameReading('三岁以下的宝宝育儿补贴怎么领', '3岁以下的宝宝育儿补贴怎么领');
  });
});

describe('paraphrases are not refused', () => {
  const answers = (q: string, ids: string[]) => {
    const r = engine.search(q, 3);
    expect(r.band, `${q} → ${r.results[0]?.entry.id} p=${r.probability}`).toBe('answer');
    expect(ids, q).toContain(r.results[0]?.entry.kind === 'faq' ? (r.results[0].entry.related.find((id) => ids.includes(id)) ?? r.results[0].entry.id) : r.results[0]?.entry.id);
  };

  it('a bundle named without 一件事, with an aspect word after it', () => {
    answers('医疗机构设立要什么材料', ['bundle-medical-institution', 'item-medical-institution-approval']);
  });

  it('a name with a verb variant inserted (开办民营医院 ~ 开民营医院)', () => {
    answers('开办民营医院', ['bundle-medical-institution', 'item-medical-institution-approval']);
  });

  it('a verb-and-thing name with the thing said first and how or where between (发票怎么领 ~ 领发票)', () => {
    answers('发票怎么领', ['item-invoice-application']);
    answers('公积金怎么提', ['item-housing-fund-withdrawal']);
    // Anything else between them is another sentence: no name matched by it.
    const gapped = (q: string) => engine.search(q, 3).features[FEATURES.indexOf('gapped')];
    expect(gapped('发票怎么领')).toBe(1);
    expect(gapped('户口本上有个人已经不在了')).toBe(0);
    expect(gapped('发票给了我领导')).toBe(0);
  });

  it('a thing with an everyday verb of replacing it (残疾证丢了怎么补 ~ 残疾证挂失, 补残疾证)', () => {
    answers('残疾证弄丢了咋补办', ['bundle-disability-services']);
  });

  it('a business moving elsewhere, said with an everyday verb (企业迁到龙圩区 ~ 企业迁移)', () => {
    answers('我们企业准备从万秀区迁到龙圩区，要办哪些', ['bundle-enterprise-relocation']);
    // A generic noun with an action (公司 + 搬到 ~ 公司迁移) names it; alone it still names nothing.
    answers('公司准备从长洲区搬到龙圩区要办什么', ['bundle-enterprise-relocation']);
    // 梧州 is a place (lexicon.yaml › places), never what moves: the keyword 迁出梧州 does not make a
    // household's move a business's.
    namesNot('户口从钦州迁来梧州怎么办', 'bundle-enterprise-relocation');
  });

  it('a name typed with one homophone wrong is read as the name (残急证 → 残疾证)', () => {
    expect(sameReading('残急证在哪里办理', '残疾证在哪里办理').band).toBe('answer');
  });

  it("an action's own word counts as its verb (经营范围…变更 ~ 经营范围变更)", () => {
    const r = engine.search('营业执照上的经营范围需要做变更吗', 3);
    expect(r.features[FEATURES.indexOf('gapped')]).toBe(1);
    answers('营业执照上的经营范围需要做变更吗', ['bundle-enterprise-change', 'item-enterprise-change-registration']);
  });

  it('a lost birth certificate is answered with how to have it reissued, not refused', () => {
    answers('出生证明丢了去哪补', ['item-birth-medical-certificate']);
    expect(engine.search('出生证明丢了去哪补', 3).results[0]?.entry.id).toBe('faq-birth-medical-certificate-reissue');
  });

  it('数电票 (fully digital invoices) is answered with what it is, not refused', () => {
    const r = engine.search('全电发票怎么开', 3);
    expect(r.band).toBe('answer');
    expect(r.results[0]?.entry.id).toBe('faq-invoice-digital');
  });

  it('leaving a job and the housing fund: answered with the FAQ on withdrawing after leaving', () => {
    for (const q of ['离职后公积金怎么取', '辞职了公积金能不能取']) {
      const r = engine.search(q, 3);
      expect(r.band, q).toBe('answer');
      expect(r.results[0]?.entry.id, q).toBe('faq-fund-after-leaving-job');
    }
  });

  it('asks 请点选 only between readings that both fit the words, not over one named in passing', () => {
    // 退休 is named, but the question is about opening a shop: no choice between the two.
    const shop = engine.search('退休以后想开间小杂货铺需要啥手续', 3);
    expect(shop.band).toBe('answer');
    expect(shop.ambiguous).toBeNull();
    expect(shop.results[0]?.entry.id).toBe('bundle-small-shop');
    // A bundle named only through an item it shares (饭店 → 食品经营许可, also in the small shop's
    // bundle) is no second reading of 开饭店一件事.
    expect(engine.search('开饭店一件事要准备什么', 3).ambiguous).toBeNull();
    // Opening a hospital: the approval and the licence fit alike, and both are offered.
    expect(engine.search('开医院要办什么手续', 3).ambiguous?.map((x) => x.entry.id).sort()).toEqual([
      'item-medical-institution-approval',
      'item-medical-institution-license',
    ]);
  });

  it('a verb two actions share (搬到: 变更 or 迁移) does not rule out an entry of either', () => {
    const r = engine.search('我们公司准备从蒙山县搬到岑溪市，执照和税务都要迁过去吧', 3);
    const score = (id: string) => r.results.find((x) => x.entry.id === id)?.score ?? 0;
    expect(score('bundle-enterprise-relocation')).toBeGreaterThan(0);
    expect(score('item-enterprise-change-registration')).toBeGreaterThan(0);
  });

  // Everyday and Cantonese words, each answered with its matter (each case fails without its lexicon entry).
  it.each([
    ['a card and a verb of using it ask what the card is for (社保卡…拿来进公园)', '我的社保卡可以拿来进公园吗', ['bundle-social-security-card-services']],
    ['本本 is a certificate (残疾的本本 ~ 残疾证)', '我老伴中风了，听说可以办个残疾的本本', ['item-disability-certificate', 'bundle-disability-services']],
    ['Cantonese 两公婆倾掂 (a couple agreed)', '两公婆已经倾掂晒想离婚', ['item-divorce-registration']],
    ['Cantonese 读小一 (starting primary school)', '个女今年读小一，去边度报名', ['item-compulsory-education-enrolment', 'bundle-education-enrolment']],
    ['Cantonese 食物牌照 is the food business licence', '想喺屋企整蛋糕卖使唔使攞食物牌照', ['item-food-business-license']],
    ['搞 as the verb of setting up (搞间公司 ~ 开间公司)', '我和老乡想搞间公司，去哪里登记', ['item-company-registration', 'bundle-enterprise-startup']],
  ])('%s', (_why, q, ids) => answers(q, ids));

  it('typed toneless pinyin, spaced or not', () => {
    answers('kai xiao mai bu yao ban na xie zheng', ['bundle-small-shop']);
    answers('shebaoka zenme ban', ['item-social-security-card', 'bundle-social-security-card-services']);
  });

  it('typed pinyin of words that are not names (发票, 入学) ranks the matter first', () => {
    const first = (q: string) => engine.search(q, 3).results[0]?.entry;
    expect(first('fapiao zenme shenling')?.id).toMatch(/invoice/);
    expect(first('xiaohai ruxue baoming zai nali')?.id).toMatch(/enrolment/);
  });
});

describe('three bands', () => {
  it('refuses what the knowledge base does not cover', () => {
    for (const q of ['明天天气怎么样', '护照怎么办理', '给我讲个笑话']) expect(engine.search(q, 3).band, q).toBe('refuse');
    // A near miss may at most be offered as a choice, never answered.
    expect(engine.search('驾驶证丢了怎么补办', 3).band).not.toBe('answer');
  });

  it('never answers a complaint, report, suggestion or thanks, whatever it mentions', () => {
    const r = engine.search('我要投诉：在政务中心办营业执照时窗口工作人员态度很差', 3);
    expect(r.appeal).toBe('complaint');
    expect(r.band).toBe('refuse');
  });

  it('offers the nearest entries, not an answer, when unsure', () => {
    // Between several matters: the probability sits between the two thresholds.
    const unsure = ['营业执照', '我想开店', '孩子的补贴', '证件丢了'].map((q) => engine.search(q, 3)).filter((r) => r.band === 'suggest');
    expect(unsure.length).toBeGreaterThan(0);
    for (const r of unsure) {
      expect(r.suggestions.length).toBeGreaterThan(0);
      expect(r.suggestions.length).toBeLessThanOrEqual(3);
      expect(r.probability).toBeLessThan(SHIPPED_GATE!.answer);
      expect(r.probability).toBeGreaterThanOrEqual(SHIPPED_GATE!.suggest);
    }
  });
});
