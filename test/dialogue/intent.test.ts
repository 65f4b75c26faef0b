/**
 * What the dialogue does with intents on the shipped knowledge base: a person asked for by intent,
 * not by substring; 诉求 pointed to 12345; 您是不是想问 offered and recorded; the help phrase.
 */
import { describe, expect, it } from 'vitest';
import { asksForPerson, initialState, step, type StepResult } from '../../src/dialogue/step.js';
import { normalize } from '../../src/nlp/normalize.js';
import { SHIPPED_GATE } from '../../src/knowledge/gate-model.js';
import { realEngine } from '../helpers/real-engine.js';

const engine = await realEngine();
const say = (text: string, state = initialState()): StepResult => step(state, { text }, { engine });
const types = (r: StepResult) => r.events.map((e) => e.type);
const text = (r: StepResult) => r.replies.map((x) => ('text' in x ? x.text : '')).join('\n');

describe('a person by intent, not by substring', () => {
  it('is asked for plainly', () => {
    for (const q of ['转人工', '我要人工', '人工', '找工作人员', '有没有人工客服', '帮我转人工，你答不了', '工作人员在吗', '我要找真人']) {
      expect(asksForPerson(normalize(q)), q).toBe(true);
      expect(types(say(q)), q).toContain('handoff_requested');
    }
  });

  it('is a question when 人工 or 工作人员 is part of it', () => {
    for (const q of ['个体户营业执照办理需要工作人员上门核查吗', '人工授精生的孩子怎么上户口', '身心障礙者人工電子耳應備文件']) {
      expect(asksForPerson(normalize(q)), q).toBe(false);
      expect(types(say(q)), q).not.toContain('handoff_requested');
    }
  });
});

describe('诉求 (complaints, reports, suggestions, thanks)', () => {
  it('are pointed to 12345 or a person, with no service answer', () => {
    for (const q of ['致西地省第二人民医院医生的感谢信', '我要投诉窗口工作人员态度差', '举报小区有人私自违建']) {
      const r = say(q);
      expect(types(r), q).toEqual(['appeal']);
      expect(r.match, q).toBeNull();
      expect(r.replies[0]?.type === 'text' && r.replies[0].text, q).toMatch(/12345/);
      const buttons = r.replies.find((x) => x.type === 'choices');
      expect(buttons?.type === 'choices' && buttons.choices.map((c) => c.label)).toContain('转人工');
    }
  });
});

describe('您是不是想问', () => {
  it('offers buttons, asserts no fact, and records what was offered and what was chosen', async () => {
    // The mechanism, not the shipped model's calibration: a gate that is unsure of every question
    // (probability 0.5, answer ≥ 0.9, suggest ≥ 0.1) puts a question between matters in the suggest band.
    const unsure = { ...SHIPPED_GATE!, weights: SHIPPED_GATE!.weights.map(() => 0), bias: 0, answer: 0.9, suggest: 0.1 };
    const unsureEngine = await realEngine({ gate: unsure });
    const r = step(initialState(), { text: '证件丢了' }, { engine: unsureEngine });
    expect(types(r)).toContain('suggested');
    const offer = r.replies.find((x) => x.type === 'choices');
    expect(offer).toMatchObject({ type: 'choices', kind: 'suggest' });
    expect(r.replies.some((x) => x.type === 'text')).toBe(false);
    expect(r.match).toBeNull();
    const suggested = r.events.find((e) => e.type === 'suggested');
    expect(suggested?.type === 'suggested' && suggested.candidates.length).toBeGreaterThanOrEqual(2);
    const first = offer?.type === 'choices' ? offer.choices[0]! : null;
    expect(first?.value).toMatch(/^suggest:/);

    const chosen = step(r.state, { choice: first!.value }, { engine: unsureEngine });
    expect(types(chosen)[0]).toBe('suggestion_chosen');
    expect(chosen.match?.id).toBe(first!.value.slice('suggest:'.length));
  });
});

describe('help', () => {
  it('typing 「我能问什么」 does what the button does', () => {
    for (const q of ['我能问什么', '你能做什么', '我可以问什么']) {
      const r = say(q);
      expect(r.events, q).toEqual([{ type: 'smalltalk', intent: 'help' }]);
    }
  });
});

describe('a short yes-or-no question while a matter is under discussion', () => {
  it('offers that matter first when other entries are near enough to offer (「要登报吗」 after 企业注销)', () => {
    const first = say('公司注销要什么材料');
    expect(first.state.currentEntryId).toBe('item-enterprise-deregistration');
    const out = say('要登报吗', first.state);
    expect(types(out)).not.toContain('answered');
    const suggested = out.events.find((e) => e.type === 'suggested');
    expect(suggested?.type === 'suggested' && suggested.candidates[0]).toBe('item-enterprise-deregistration');
    // Without a matter under discussion the same question offers only what is near.
    const alone = say('要登报吗').events.find((e) => e.type === 'suggested');
    expect(alone?.type === 'suggested' && alone.candidates).not.toContain('item-enterprise-deregistration');
  });
});

describe('a short question about the matter under discussion that asks no aspect the classifier knows', () => {
  const first = say('社保卡丢了怎么补');

  it('is answered from the section that mentions what it asks (「可以邮寄吗」: 邮寄 is in 在哪里办)', () => {
    expect(first.state.currentEntryId).toBe('item-social-security-card');
    const out = say('可以邮寄吗', first.state);
    expect(out.events).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-social-security-card', aspect: 'place', followUp: true }));
    // A question mark asks too; asked first, it names nothing: not answered.
    expect(say('可以邮寄？', first.state).events).toContainEqual(expect.objectContaining({ type: 'answered', aspect: 'place', followUp: true }));
    expect(types(say('可以邮寄吗'))).not.toContain('answered');
  });

  it('offers the matter first when no section mentions it (「要体检吗」)', () => {
    const out = say('要体检吗', first.state);
    expect(types(out)).not.toContain('answered');
    const suggested = out.events.find((e) => e.type === 'suggested');
    expect(suggested?.type === 'suggested' && suggested.candidates[0]).toBe('item-social-security-card');
  });

  it('is told the guide does not say it when it asks about going there in words no section uses (「能停车吗」)', () => {
    const out = say('能停车吗', first.state);
    expect(types(out)).not.toContain('answered');
    expect(out.events).toContainEqual(expect.objectContaining({ type: 'unanswered', about: 'item-social-security-card' }));
    expect(text(out)).toContain('「社会保障卡申领」的办事指南里没有写到这一点');
    expect(text(out)).not.toContain('换个说法');
  });

  it('is no question when it asks nothing (「那就邮寄」 mentions what a section does, and asks nothing)', () => {
    expect(types(say('那就邮寄', first.state))).not.toContain('answered');
  });
});

describe('a follow-up about going to the counter', () => {
  const first = say('社保卡丢了怎么补');

  it('asks where and when: a weekend, an appointment or a queue gets 在哪里办 with the centre\'s hours', () => {
    for (const q of ['周末能办吗', '周六能办吗', '要预约吗', '要排队吗']) {
      const out = say(q, first.state);
      expect(out.events, q).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-social-security-card', aspect: 'place', followUp: true }));
      const text = out.replies.map((r) => ('text' in r ? r.text : '')).join('\n');
      expect(text, q).toContain('办公时间');
    }
  });

  it('asks about a photo, a form or a proxy: answered about the matter, not offered', () => {
    for (const q of ['要带照片吗', '照片有什么要求', '表格去哪拿', '可以委托别人吗']) {
      expect(say(q, first.state).events, q).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-social-security-card', followUp: true }));
    }
    expect(say('要带照片吗', first.state).events).toContainEqual(expect.objectContaining({ type: 'answered', aspect: 'materials' }));
    expect(say('手续费多少', first.state).events).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-social-security-card', aspect: 'fee' }));
  });

  it('asks nothing of a matter when asked first (「周末能办吗」 alone is not answered)', () => {
    expect(types(say('周末能办吗'))).not.toContain('answered');
  });
});

describe('a follow-up after an FAQ', () => {
  it('is answered by the matter the FAQ belongs to, with the section asked for (「要多久」 after 「结婚登记还要户口本吗」)', () => {
    const first = say('结婚登记还要户口本吗');
    expect(first.events[0]).toMatchObject({ type: 'answered', entryId: 'faq-marriage-household-register' });
    const out = say('要多久', first.state);
    expect(out.events).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-marriage-registration', aspect: 'time', followUp: true }));
    expect(out.state.currentEntryId).toBe('item-marriage-registration');
  });
});

describe('a short question the gate answers on its words alone, while a matter is under discussion', () => {
  it('is about that matter when the matter explains all it names (「要户口本吗」 after 义务教育入学)', () => {
    const alone = say('要户口本吗');
    // Asked first, the words alone lead to an FAQ on marriage (no name of it in the question).
    expect(alone.events[0]).toMatchObject({ type: 'answered', entryId: 'faq-marriage-household-register' });
    const first = say('我家孩子9月要上一年级，怎么报名');
    expect(first.state.currentEntryId).toBe('item-compulsory-education-enrolment');
    const out = say('要户口本吗', first.state);
    expect(out.events).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-compulsory-education-enrolment', followUp: true }));
    // A question that names another matter still gets that matter.
    expect(say('社保卡丢了怎么补', first.state).events[0]).toMatchObject({ type: 'answered', entryId: 'item-social-security-card' });
  });
});
