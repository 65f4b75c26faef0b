/** The shipped knowledge base must validate, and every entry must keep what makes it trustworthy. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/adapters/load-knowledge.js';
import { formatProblem } from '../../src/knowledge/parse-knowledge.js';
import type { UnverifiableField } from '../../src/knowledge/schema.js';
import type { Aspect } from '../../src/nlp/aspects.js';
import { CAUTION, cardToText, composeAnswer, type KnowledgeLookup } from '../../src/dialogue/compose-answer.js';

const loaded = await loadKnowledge(resolve(import.meta.dirname, '../../knowledge'));
const lookup = ((): KnowledgeLookup => {
  if (!loaded.ok) return { entry: () => undefined, settings: undefined as never }; // 'validates' fails then; no entry is composed
  const byId = new Map(loaded.kb.entries.map((e) => [e.id, e]));
  return { entry: (id) => byId.get(id), settings: loaded.kb.settings };
})();

/** The answer a citizen asks for to see a field: 「要带什么材料」 shows the materials, and so on. */
const SHOWN_BY: Record<UnverifiableField, Aspect> = {
  summary: 'general',
  answer: 'general',
  points: 'general',
  items: 'general',
  materials: 'materials',
  conditions: 'conditions',
  steps: 'steps',
  channels: 'place',
  timeLimit: 'time',
  fees: 'fee',
  legalBasis: 'legal',
};

describe('the shipped knowledge base', () => {
  it('validates', () => {
    expect(loaded.ok ? [] : loaded.problems.map(formatProblem)).toEqual([]);
  });

  const entries = loaded.ok ? loaded.kb.entries : [];

  it('has at least 10 items and bundles', () => {
    expect(entries.filter((e) => e.kind === 'item' || e.kind === 'bundle').length).toBeGreaterThanOrEqual(10);
  });

  it.each(entries.map((e) => [e.id, e] as const))('%s has dated sources, and a verified date or the caution in its answers', (_id, e) => {
    expect(e.sources.length).toBeGreaterThan(0);
    for (const s of e.sources) expect(s.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (e.verified) {
      expect(e.lastVerified).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      // Nothing in doubt: a part of the answer that does not show the centre's placeholder
      // address needs no caution (the legal basis; an FAQ's whole answer).
      if (e.unverified.length === 0) expect(composeAnswer(e, 'legal', lookup).caution).toBeNull();
    } else {
      // README: what is not confirmed for 梧州 reaches citizens only with 「以窗口最新告知为准」 —
      // in the overview, on the card and in its plain text.
      const card = composeAnswer(e, 'general', lookup);
      expect(card.verified).toBe(false);
      expect(card.caution).toContain(CAUTION);
      expect(cardToText(card)).toContain(`提示：${card.caution}`);
    }
    // Every field listed as unverified carries the caution in the answer that shows it.
    for (const field of e.unverified) {
      expect(composeAnswer(e, SHOWN_BY[field], lookup).caution, `${field} (${SHOWN_BY[field]})`).toContain(CAUTION);
    }
  });

  it.each(entries.filter((e) => e.kind === 'item' || e.kind === 'bundle').map((e) => [e.id, e] as const))(
    '%s has a legal basis, and an item has materials',
    (_id, e) => {
      if (e.kind !== 'item' && e.kind !== 'bundle') return;
      expect(e.legalBasis.length).toBeGreaterThan(0);
      if (e.kind === 'item') expect(e.materials.length).toBeGreaterThan(0);
    },
  );

  it('keeps local 梧州 details that are not confirmed flagged in the settings', () => {
    if (!loaded.ok) return;
    expect(loaded.kb.settings.unconfirmed).toEqual(expect.arrayContaining(['centre.address', 'centre.hours']));
  });
});

/** The matters the curated knowledge base must cover, with their official titles (issue 3). */
const REQUIRED_TITLES = [
  '开办小商店一件事', '开办餐饮店一件事', '医疗机构设立一件事', '渔业船舶船员证书一件事', '企业开办一件事',
  '企业迁移登记一件事', '企业信息变更一件事', '企业注销一件事', '员工录用一件事', '新生儿出生一件事', '教育入学一件事',
  '社会保障卡居民服务一件事', '残疾人服务一件事', '退休一件事', '身后一件事', '二手房转移登记及水电气网联动过户一件事',
  '个体工商户设立登记', '公司设立登记', '企业变更登记', '企业注销登记', '食品经营许可', '仅销售预包装食品备案',
  '烟草专卖零售许可证核发', '公众聚集场所投入使用营业前消防安全检查', '户外招牌设施设置', '公章刻制', '发票申领',
  '医疗机构设置审批', '医疗机构执业登记', '诊所备案', '渔业普通船员证书核发', '渔业职务船员证书核发', '出生医学证明签发',
  '出生登记', '城乡居民基本医疗保险参保登记', '社会保障卡申领', '居民身份证申领', '居住证申领', '结婚登记', '离婚登记',
  '就业登记', '灵活就业人员参保登记', '失业保险金申领', '基本养老金申领', '住房公积金提取', '残疾人证办理', '义务教育入学',
  '户口注销', '不动产转移登记', '育儿补贴申领',
];

describe('coverage of the curated knowledge base', () => {
  const entries = loaded.ok ? loaded.kb.entries : [];
  it('has all 50 required matters under their official titles', () => {
    const titles = new Set(entries.map((e) => e.title));
    expect(REQUIRED_TITLES.filter((t) => !titles.has(t))).toEqual([]);
    expect(REQUIRED_TITLES).toHaveLength(50);
  });

  it('has at least three FAQs about most required matters', () => {
    const faqsAbout = (id: string) => entries.filter((e) => e.kind === 'faq' && e.related.includes(id)).length;
    const thin = entries
      .filter((e) => REQUIRED_TITLES.includes(e.title))
      .filter((e) => faqsAbout(e.id) < 3)
      .map((e) => e.title);
    expect(thin).toEqual([]);
  });
});

/**
 * Abolished rules must never read as current. Each pattern may appear only in a sentence that
 * says the rule is gone (取消, 废止, 不再 …).
 */
const ABOLISHED = [
  { rule: 'minimum registered capital of 3万元', pattern: /注册资本.{0,12}(最低|至少).{0,6}3\s*万|3\s*万元.{0,6}注册资本/ },
  { rule: 'capital verification (验资) for company registration', pattern: /验资/ },
  { rule: '个体户 registration fee of 20元', pattern: /个体.{0,12}20\s*元/ },
  { rule: 'marriage registration fee of 9元', pattern: /(结婚|婚姻).{0,12}9\s*元/ },
  { rule: 'name pre-approval (名称预先核准) as a separate step', pattern: /名称预先核准/ },
];
const GONE = /取消|废止|不再|不适用|已经?停止|已改|不需要|无需|不用|已废除|以前|过去|旧|曾经|原来/;

describe('no abolished rule presented as current', () => {
  const entries = loaded.ok ? loaded.kb.entries : [];
  const sentences = (e: (typeof entries)[number]) =>
    JSON.stringify(e)
      .split(/[。；！？\n]|\\n/)
      .map((s) => s.trim())
      .filter(Boolean);
  it.each(ABOLISHED.map((a) => [a.rule, a.pattern] as const))('%s', (_rule, pattern) => {
    const offending = entries.flatMap((e) =>
      sentences(e)
        .filter((s) => pattern.test(s) && !GONE.test(s))
        .map((s) => `${e.id}: ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it('does not ask for a 户口簿 to register a marriage', () => {
    const marriage = entries.find((e) => e.id === 'item-marriage-registration');
    if (marriage?.kind !== 'item') throw new Error('marriage registration missing');
    expect(marriage.materials.filter((m) => /户口/.test(m.name))).toEqual([]);
  });
});

/** Facts an audit found wrong or outdated (issue 17, docs/fact-audit.md): they must not come back. */
describe('facts corrected by the audit', () => {
  const entries = loaded.ok ? loaded.kb.entries : [];
  const byId = (id: string) => entries.find((e) => e.id === id)!;
  const laws = (id: string) => {
    const e = byId(id);
    return 'legalBasis' in e ? e.legalBasis : [];
  };
  const dump = (id: string) => JSON.stringify(byId(id));

  it('cites 《居民身份证法》第二十一条 (not 第二十条) for the 工本费', () => {
    for (const id of ['item-resident-id-card', 'faq-id-card-replacement-fee']) {
      const law = laws(id).find((l) => l.name.includes('居民身份证法'))!;
      expect(law.article).toContain('第二十一条');
      expect(law.article).not.toMatch(/(^|、)第二十条/);
    }
  });

  it('dates the 2017 渔业船员管理办法 revision to 农业部令, not 农业农村部令', () => {
    for (const e of entries) expect(JSON.stringify(e), e.id).not.toContain('2017 年、2022 年经农业农村部令修订');
  });

  it('does not make 监事 or 经理 a requirement for a company', () => {
    expect(dump('item-company-registration')).not.toContain('确定法定代表人、董事、监事和经理等人员');
    expect(dump('item-company-registration')).toContain('第七十四条');
    expect(dump('faq-individual-or-company')).not.toContain('法定代表人和董事、监事、经理的任职文件；');
  });

  it('asks vending machines for what the 2023 办法 asks, not the device certificate', () => {
    const names = (byId('item-food-business-license') as { materials: { name: string }[] }).materials.map((m) => m.name).join('|');
    expect(names).not.toContain('产品合格证明');
    expect(names).toContain('食品安全风险管控方案');
  });

  it('names the 2025 amendment wherever the 食品安全法 is cited', () => {
    for (const e of entries) {
      for (const l of 'legalBasis' in e ? e.legalBasis : []) {
        if (l.name === '中华人民共和国食品安全法') expect(l.note, e.id).toContain('2025 年 9 月 12 日');
      }
    }
  });

  it('puts the school rule and the 梧州 placement plan on the tobacco item, and leaves e-cigarettes out', () => {
    const names = laws('item-tobacco-retail-license').map((l) => `${l.name} ${l.article ?? ''} ${l.note ?? ''}`).join('|');
    expect(names).toContain('未成年人保护法 第五十九条');
    expect(names).toContain('第二十五条');
    expect(names).toMatch(/梧州市烟草制品零售点合理布局规划.*未核实/);
    expect(dump('item-tobacco-retail-license')).toContain('电子烟');
  });

  it('gives the medical 30-day and 45-day limits as statutory', () => {
    expect((byId('item-medical-institution-approval') as { timeLimit: { statutory?: string } }).timeLimit.statutory).toContain('第十二条');
    expect((byId('item-medical-institution-license') as { timeLimit: { statutory?: string } }).timeLimit.statutory).toContain('第十九条');
  });
});
