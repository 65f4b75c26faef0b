import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/types.js';
import { CHOICE, initialState, step, type ConversationState } from '../../src/dialogue/step.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';

const ctx = { engine: fixtureEngine() };
const say = (state: ConversationState, text: string) => step(state, { text }, ctx);
const press = (state: ConversationState, choice: string) => step(state, { choice }, ctx);
const texts = (replies: Reply[]) => replies.map((r) => ('text' in r ? r.text : '')).join('\n');
const choicesOf = (replies: Reply[]) => replies.flatMap((r) => (r.type === 'choices' ? r.choices : []));

describe('dialogue step', () => {
  it('answers a question with a card, its sources and next-step buttons', () => {
    const out = say(initialState(), '个体户营业执照怎么办');
    expect(out.match).toMatchObject({ id: 'item-licence', kind: 'item' });
    const first = out.replies[0];
    expect(first?.type).toBe('text');
    if (first?.type !== 'text') return;
    expect(first.card?.sources[0]?.title).toBe('测试来源');
    expect(first.text).toContain('需要准备的材料');
    expect(first.text).toContain('来源：测试来源');
    expect(choicesOf(out.replies).map((c) => c.label)).toEqual(['材料清单', '办理流程', '转人工']);
    expect(out.state.currentEntryId).toBe('item-licence');
    expect(out.events).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-licence', followUp: false }));
  });

  it('remembers the entry under discussion for a follow-up question', () => {
    const first = say(initialState(), '身份证怎么办');
    const out = say(first.state, '那要多少钱？');
    expect(out.match?.id).toBe('item-id-card');
    expect(texts(out.replies)).toContain('收费');
    expect(out.events).toContainEqual(expect.objectContaining({ type: 'answered', aspect: 'fee', followUp: true }));
  });

  it('answers a follow-up only when what it names is the entry\'s; offers the entry when it names something the entry never mentions', () => {
    const first = say(initialState(), '个体户营业执照怎么办');
    // 执照 is the licence entry's own word: a follow-up, answered.
    const own = say(first.state, '那执照要几天');
    expect(own.match?.id).toBe('item-licence');
    expect(own.events).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-licence' }));
    // 婚假 is nowhere in it: not answered with the licence's time limit; offered as a button instead.
    const other = say(first.state, '婚假有几天');
    expect(other.match).toBeNull();
    expect(other.events.some((e) => e.type === 'answered')).toBe(false);
    const suggest = other.replies.find((r) => r.type === 'choices');
    expect(suggest).toMatchObject({ kind: 'suggest' });
    expect(choicesOf(other.replies)[0]).toEqual({ label: '个体工商户设立登记', value: CHOICE.suggested('item-licence') });
    expect(other.events).toContainEqual(expect.objectContaining({ type: 'suggested', candidates: expect.arrayContaining(['item-licence']) }));
    // Pressing it answers what was asked, about the licence.
    const chosen = press(other.state, CHOICE.suggested('item-licence'));
    expect(chosen.events).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-licence', aspect: other.state.lastAspect }));
  });

  it('takes a typed place (「2」, 「第一个」) as the button there; not when nothing is on offer', () => {
    const first = say(initialState(), '个体户营业执照怎么办');
    expect(choicesOf(first.replies)[1]?.label).toBe('办理流程');
    for (const typed of ['2', '２', '第二个', '第2项']) {
      const out = say(first.state, typed);
      expect(out.events, typed).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-licence', aspect: 'steps' }));
    }
    expect(say(first.state, '9').events[0]?.type).toBe('unanswered');
    expect(say(initialState(), '1').events[0]?.type).toBe('unanswered');
  });

  it('takes 「好的」「嗯嗯。」「知道了，谢谢」「好的，没问题了，谢谢！」 as courtesy, not as a question it cannot answer; 「好贵」 is no such thing', () => {
    const first = say(initialState(), '个体户营业执照怎么办');
    for (const typed of ['好的', '嗯嗯。', '明白了！', 'OK']) {
      const out = say(first.state, typed);
      expect(out.events, typed).toEqual([{ type: 'smalltalk', intent: 'ack' }]);
      expect(texts(out.replies)).toContain('还有想问的');
      // The buttons still on the screen still work, typed or by place.
      expect(say(out.state, '2').events).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-licence', aspect: 'steps' }));
    }
    expect(say(first.state, '知道了，谢谢').events).toEqual([{ type: 'smalltalk', intent: 'thanks' }]);
    // Several clauses, each a courtesy or a closing: still courtesy, not 「超出了我能可靠回答的范围」.
    expect(say(first.state, '好的，没问题了，谢谢！').events).toEqual([{ type: 'smalltalk', intent: 'thanks' }]);
    expect(say(first.state, '行吧，就这样').events).toEqual([{ type: 'smalltalk', intent: 'ack' }]);
    // Cantonese thanks: courtesy is read from the message as typed, before any dialect rewrite.
    expect(say(first.state, '好，唔该晒').events).toEqual([{ type: 'smalltalk', intent: 'thanks' }]);
    expect(say(first.state, '好的，那要多少钱').events[0]?.type).not.toBe('smalltalk');
    expect(say(first.state, '好贵').events[0]?.type).not.toBe('smalltalk');
    expect(say(first.state, '行不行').events[0]?.type).not.toBe('smalltalk');
  });

  it('greets a question announced but not yet asked, without counting a failure; the question itself is answered', () => {
    for (const typed of ['你好，我想咨询一下', '我想问个问题', '麻烦问一下', '喂', '？？']) {
      const out = say(initialState(), typed);
      expect(out.events, typed).toEqual([{ type: 'smalltalk', intent: 'greeting' }]);
      expect(out.state.failures, typed).toBe(0);
    }
    expect(say(initialState(), '我想问一下身份证怎么办').match?.id).toBe('item-id-card');
    expect(say(initialState(), '我要投诉').events[0]?.type).not.toBe('smalltalk');
  });

  it('does not treat a follow-up as one when nothing was discussed', () => {
    const out = say(initialState(), '那要多少钱？');
    expect(out.match).toBeNull();
    expect(out.events[0]?.type).toBe('unanswered');
  });

  it('answers the aspect pressed on a button', () => {
    const first = say(initialState(), '烟草证');
    const out = press(first.state, CHOICE.aspect('materials'));
    expect(texts(out.replies)).toContain('需要准备的材料');
    expect(texts(out.replies)).toContain('身份证（原件1份、复印件1份）');
  });

  it('accepts a typed button label as the button', () => {
    const first = say(initialState(), '烟草证');
    const out = say(first.state, '办理流程');
    expect(texts(out.replies)).toContain('1. 提交申请');
  });

  it('says it cannot answer out-of-scope questions, offers a human and the hotline', () => {
    const out = say(initialState(), '明天天气怎么样');
    expect(out.match).toBeNull();
    expect(texts(out.replies)).toContain('0000-12345');
    expect(choicesOf(out.replies).map((c) => c.value)).toContain(CHOICE.handoff);
    expect(out.state.failures).toBe(1);
  });

  it('offers a human after two failures in a row', () => {
    const once = say(initialState(), '明天天气怎么样');
    const twice = say(once.state, '今天吃什么');
    expect(twice.events).toContainEqual({ type: 'handoff_requested', reason: 'repeated_failure' });
    expect(texts(twice.replies)).toContain('建议您转人工');
  });

  it('resets the failure count after an answer', () => {
    const once = say(initialState(), '明天天气怎么样');
    expect(say(once.state, '社保卡怎么办').state.failures).toBe(0);
  });

  it('asks which entry is meant when two fit equally, and answers the one chosen', () => {
    const ask = say(initialState(), '社保卡还是烟草证');
    expect(ask.replies[0]?.type).toBe('choices');
    const labels = choicesOf(ask.replies).map((c) => c.label);
    expect(labels).toEqual(expect.arrayContaining(['社会保障卡申领', '烟草专卖零售许可证核发', '都不是']));
    const out = press(ask.state, CHOICE.entry('item-tobacco'));
    expect(out.match?.id).toBe('item-tobacco');
  });

  it('greets, thanks and says goodbye without searching', () => {
    expect(say(initialState(), '你好').events).toEqual([{ type: 'smalltalk', intent: 'greeting' }]);
    expect(say(initialState(), '谢谢啊').events).toEqual([{ type: 'smalltalk', intent: 'thanks' }]);
    expect(say(initialState(), '再见').events).toEqual([{ type: 'smalltalk', intent: 'goodbye' }]);
  });

  it('hands off when asked for a human, by word or button', () => {
    for (const out of [say(initialState(), '转人工'), press(initialState(), CHOICE.handoff)]) {
      expect(out.replies[0]).toMatchObject({ type: 'handoff', status: 'unavailable' });
      expect(texts(out.replies)).toContain('在线人工服务暂未开通');
      expect(out.events).toContainEqual({ type: 'handoff_requested', reason: 'asked' });
    }
  });

  it('with a handoff desk online, leaves the answer to a request for a person to the desk', () => {
    const online = { ...ctx, onlineHandoff: true };
    const asked = step(initialState(), { text: '转人工' }, online);
    expect(asked.replies).toEqual([]);
    expect(asked.events).toEqual([{ type: 'handoff_requested', reason: 'asked' }]);
    // Twice unanswered: the apology stays, the 「转人工」 button does not — the desk queues the citizen.
    const once = step(initialState(), { text: '明天天气怎么样' }, online);
    expect(choicesOf(once.replies).map((c) => c.value)).toContain(CHOICE.handoff);
    const twice = step(once.state, { text: '今天吃什么' }, online);
    expect(twice.events).toContainEqual({ type: 'handoff_requested', reason: 'repeated_failure' });
    expect(texts(twice.replies)).toContain('建议您转人工');
    expect(choicesOf(twice.replies)).toEqual([]);
    expect(twice.state.pendingChoices).toEqual([]);
  });

  it('says a stale button no longer works instead of guessing', () => {
    // An entry that is gone, and a walkthrough button with no walkthrough under way: the same words.
    for (const out of [press(initialState(), 'entry:item-gone'), press(initialState(), 'flow:back')]) {
      expect(texts(out.replies)).toContain('这个选项已经失效了');
      expect(out.match).toBeNull();
      expect(out.state.pendingChoices).toEqual([]);
    }
  });

  it('adds the caution when an answer shows unverified facts', () => {
    const out = step(initialState(), { choice: CHOICE.entry('bundle-shop') }, ctx);
    expect(texts(out.replies)).toContain('以窗口最新告知为准');
    const verified = press(say(initialState(), '社保卡怎么办').state, CHOICE.aspect('steps'));
    expect(texts(verified.replies)).not.toContain('以窗口最新告知为准');
  });

  it('keeps the state plain JSON', () => {
    const out = say(say(initialState(), '个体户营业执照怎么办').state, '那要多少钱');
    expect(JSON.parse(JSON.stringify(out.state))).toEqual(out.state);
  });

  it('never changes the state passed in', () => {
    const s = initialState();
    const frozen = JSON.stringify(s);
    say(s, '个体户营业执照怎么办');
    expect(JSON.stringify(s)).toBe(frozen);
  });
});

describe('cautions on FAQ answers', () => {
  it('cautions an unverified FAQ answer whatever aspect the question asked about', () => {
    // faq-id-card-fee has `unverified: [answer]`; the question asks about the fee (aspect fee).
    const out = say(initialState(), '补办身份证需要多少钱');
    expect(out.match?.id).toBe('faq-id-card-fee');
    expect(texts(out.replies)).toContain('以窗口最新告知为准');
  });
});
