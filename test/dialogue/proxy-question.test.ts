/**
 * 「可以代办吗」「一定要本人去吗」: answered from what the item's own data says — a material for
 * someone acting for the applicant, a step done in person — and, where it says neither, by saying so.
 */
import { describe, expect, it } from 'vitest';
import { asksAboutProxy, readProxy } from '../../src/dialogue/proxy-question.js';
import { initialState, step, type StepResult } from '../../src/dialogue/step.js';
import { normalize } from '../../src/nlp/normalize.js';
import { realEngine } from '../helpers/real-engine.js';

const engine = await realEngine();
const say = (text: string, state = initialState()): StepResult => step(state, { text }, { engine });
const text = (r: StepResult) => r.replies.map((x) => ('text' in x ? x.text : '')).join('\n');
const item = (id: string) => {
  const e = engine.entry(id);
  if (e?.kind !== 'item') throw new Error(id);
  return e;
};

describe('a question whether someone else may do it', () => {
  it('is recognised in everyday words', () => {
    for (const q of ['可以代办吗', '能让我老婆去办吗', '家里人能帮我去办吗', '一定要本人去吗', '本人必须到场？', '使唔使本人去', '委托书怎么写', '一定要两个人都去吗', '妈妈一个人能办吗', '她八十岁了走不动', '老婆能替我去吗', '儿子帮我去行不行']) {
      expect(asksAboutProxy(normalize(q)), q).toBe(true);
    }
  });
  it('is not a question about the matter itself', () => {
    for (const q of ['社保卡怎么办', '本人身份证要复印吗', '代理记账公司怎么注册的手续和材料都有哪些要去哪里办理需要多长时间呢', '个人独资企业怎么注册', '有没有人帮我弄一下']) {
      expect(asksAboutProxy(normalize(q)), q).toBe(false);
    }
  });
});

describe('what an item’s data says', () => {
  it('reads the material needed when someone else does it, and the lines that need the applicants in person', () => {
    expect(readProxy(item('item-social-security-card')).proxyMaterials.join()).toContain('委托书');
    const divorce = readProxy(item('item-divorce-registration'));
    expect(divorce.proxyMaterials).toEqual([]);
    expect(divorce.inPerson.join()).toContain('亲自');
  });

  it('answers the matter under discussion: may be done for the applicant, with what', () => {
    const first = say('个体户营业执照怎么办');
    const r = say('我没空去，能让我老婆去办吗', first.state);
    expect(r.match?.id).toBe('item-individual-business-registration');
    expect(text(r)).toContain('可以委托别人代办');
    expect(text(r)).toContain('委托书');
  });

  it('answers the matter named: in person only', () => {
    const r = say('离婚可以让律师代办吗');
    expect(r.match?.id).toBe('item-divorce-registration');
    expect(text(r)).toContain('要本人到场办');
    expect(text(r)).not.toContain('可以委托');
  });

  it('says when the data does not tell, and asserts nothing', () => {
    const r = say('居住证可以代办吗');
    expect(r.match?.id).toBe('item-residence-permit');
    expect(text(r)).toContain('没有写能不能请别人代办');
    expect(text(r)).toContain('以窗口最新告知为准');
    expect(text(r)).not.toContain('可以委托别人代办');
  });

  it('asks which matter when none is named or under discussion', () => {
    const r = say('可以代办吗');
    expect(r.match).toBeNull();
    expect(r.events.map((e) => e.type)).toEqual(['clarification_asked']);
    expect(text(r)).toContain('每个事项不一样');
  });
});
