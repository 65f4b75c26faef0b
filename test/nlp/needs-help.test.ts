/**
 * A person for citizens who need one: asked for in their own words, or needed because the chat is
 * no use to them — and not for questions that mention a person, someone else or the reading of a form.
 */
import { describe, expect, it } from 'vitest';
import { asksForPersonInWords, asksToLookUp, needsHelp } from '../../src/nlp/needs-help.js';
import { normalize } from '../../src/nlp/normalize.js';
import { maskPersonal } from '../../src/core/mask-personal.js';
import { initialState, step, type StepResult } from '../../src/dialogue/step.js';
import { realEngine } from '../helpers/real-engine.js';

const engine = await realEngine();
const say = (text: string, state = initialState(), online = false): StepResult => step(state, { text }, { engine, onlineHandoff: online });

describe('a person asked for in the citizen’s own words', () => {
  it('is recognised', () => {
    for (const q of ['能不能找个人帮我', '有没有人帮我弄一下', '能不能叫个人跟我说', '我想找个人问问', '我要跟人说话', '叫个人来吧', '有没有工作人员能帮帮我', '我想和客服聊一下', '有人能打给我吗', '给我回个电话']) {
      expect(asksForPersonInWords(normalize(q)), q).toBe(true);
    }
  });
  it('is not someone else doing it, a complaint or a question about a matter', () => {
    for (const q of ['能不能让别人帮我去办', '我儿子帮我去办行不行', '找人代办要什么材料', '小区垃圾有没有人管', '有没有人知道社保怎么交', '跟人合伙开公司要什么手续', '上门核查什么时候来人', '个人独资企业怎么注册', '找个人担保可以吗']) {
      expect(asksForPersonInWords(normalize(q)), q).toBe(false);
    }
  });
});

describe('a chat that is no use to the citizen', () => {
  it('is told apart: cannot use it, does not follow it, it failed them', () => {
    const cases: [string, string][] = [
      ['我不识字', 'cannot_use'],
      ['我年纪大了不会弄这个', 'cannot_use'],
      ['眼睛不好看不清', 'cannot_use'],
      ['看不懂', 'not_understood'],
      ['你说的我听不懂', 'not_understood'],
      ['什么意思', 'not_understood'],
      ['看不懂你在说什么', 'not_understood'],
      ['你们这个机器人真没用', 'bot_failed'],
      ['我已经问了三遍了', 'bot_failed'],
      ['答非所问', 'bot_failed'],
      ['帮我查一下我的公积金余额', 'lookup'],
      ['我身份证号4504**********1234，帮我查下社保交了几年', 'lookup'],
      ['我的居住证办到哪一步了', 'lookup'],
    ];
    for (const [q, need] of cases) expect(needsHelp(normalize(q)), q).toBe(need);
  });
  it('is not a question, a complaint about something else or a long story', () => {
    for (const q of ['证明是什么意思', '社保卡有什么用', '没用过的社保卡要注销吗', '营业执照怎么办', '窗口工作人员态度差，说了也不对', '怎么查社保缴费记录', '帮我看看要带什么材料', '我家老人前年从广东回来一直没办过身份证现在看不清楚户口本上的字']) {
      expect(needsHelp(normalize(q)), q).toBeNull();
    }
  });
});

describe('the dialogue', () => {
  it('offers a person, the hotline and the counter, without 「换个说法」 or 12345 for complaints', () => {
    for (const q of ['我不会打字', '看不懂', '我已经问了三遍了']) {
      const r = say(q);
      expect(r.events, q).toEqual([{ type: 'help_offered', need: needsHelp(normalize(q)) }]);
      const text = r.replies.map((x) => ('text' in x ? x.text : '')).join('\n');
      expect(text, q).toContain('12345');
      expect(text, q).toContain(engine.kb.settings.centre.name);
      expect(text, q).not.toContain('换个说法再问');
      expect(text, q).not.toContain('投诉');
      const buttons = r.replies.find((x) => x.type === 'choices');
      expect(buttons?.type === 'choices' && buttons.choices.map((c) => c.label), q).toContain('转人工');
    }
  });
  it('says 转人工 answers online only when a desk runs', () => {
    const text = (r: StepResult) => r.replies.map((x) => ('text' in x ? x.text : '')).join('\n');
    expect(text(say('我不会打字', initialState(), true))).toContain('工作人员在线');
    expect(text(say('我不会打字'))).not.toContain('在线');
  });
  it('hands over when a person is asked for in words, and not when someone else will do it', () => {
    expect(say('我不识字，能不能找个人帮我').events.map((e) => e.type)).toContain('handoff_requested');
    expect(say('能不能让别人帮我去办').events.map((e) => e.type)).not.toContain('handoff_requested');
  });
  it('keeps the matter under discussion (「我不会上网，可以打电话办吗」 after 居住证)', () => {
    const first = say('居住证怎么办');
    expect(first.state.currentEntryId).toBe('item-residence-permit');
    const r = say('我不会上网，可以打电话办吗', first.state);
    expect(r.events.map((e) => e.type)).toEqual(['help_offered']);
    expect(r.state.currentEntryId).toBe('item-residence-permit');
  });
});

describe('asksToLookUp: the bot asked to look up the citizen’s own records, answered before any guide', () => {
  it.each(['帮我查下社保交了几年', '麻烦你查一下我的公积金余额', '查下我的医保缴费记录', '你能帮我看下我的申请办到哪了'])('%s', (q) => {
    expect(asksToLookUp(normalize(q))).toBe(true);
  });
  it.each([
    ['帮我查下公积金提取要什么材料', 'a question about a matter'],
    ['能不能在网上查社保缴费记录', 'whether one can, not a request of the bot'],
    ['社保交了几年才能领养老金', 'no lookup asked'],
    ['办到哪一步了在哪看', 'where progress is shown, asked of the matter under discussion'],
  ])('%s: %s', (q) => {
    expect(asksToLookUp(normalize(q))).toBe(false);
  });
});

describe('a lookup asked of the bot, in the dialogue', () => {
  it('is told where to look, never answered with a guide whose words it shares (身份证 → 居民身份证申领)', () => {
    // As the chat service passes it on: the ID number masked.
    const r = say(maskPersonal('我身份证号450402199001011234，帮我查下社保交了几年'));
    expect(r.match).toBeNull();
    expect(r.events).toContainEqual({ type: 'help_offered', need: 'lookup' });
  });
  it('leaves a question about a matter to the guides', () => {
    expect(say('帮我查下公积金提取要什么材料').match?.id).toMatch(/housing-fund|fund/);
  });
});
