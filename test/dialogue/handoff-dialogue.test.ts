import { describe, expect, it } from 'vitest';
import type { Mode, Reply } from '../../src/core/types.js';
import { callbackBooked, claimTimeoutOffer, closedOffer, DESK_CHOICE, handoffTurn, queuedReply } from '../../src/dialogue/handoff-dialogue.js';
import { CHOICE, initialState, type ConversationState } from '../../src/dialogue/step.js';

const inMode = (mode: Mode, awaiting: ConversationState['awaiting'] = null): ConversationState => ({ ...initialState(), mode, awaiting });
const texts = (replies: Reply[]) => replies.map((r) => ('text' in r ? r.text : '')).join('\n');
const values = (replies: Reply[]) => replies.flatMap((r) => (r.type === 'choices' ? r.choices.map((c) => c.value) : []));

describe('the handoff dialogue', () => {
  it('leaves a conversation with the bot to the bot', () => {
    expect(handoffTurn(inMode('bot'), { text: '社保卡怎么办' })).toBeNull();
    expect(handoffTurn(inMode('flow'), { choice: CHOICE.handoff })).toBeNull();
    expect(handoffTurn(inMode('bot'), { choice: DESK_CHOICE.keepWaiting })).toBeNull();
  });

  it('asks for a number when a call-back is chosen, from the queue or out of hours', () => {
    for (const mode of ['bot', 'queued'] as const) {
      const turn = handoffTurn(inMode(mode), { choice: DESK_CHOICE.callback })!;
      expect(turn.state.awaiting).toBe('callback_phone');
      expect(texts(turn.replies)).toContain('请输入您的电话号码');
      expect(turn.events).toEqual([]);
    }
  });

  it('reads a mobile or landline number, spaces and words around it allowed, and hands it on', () => {
    for (const [text, phone] of [
      ['我的电话是 138 1234 5678', '13812345678'],
      ['0774-2812345', '0774-2812345'],
      ['打 0774 2812345 就行', '07742812345'],
    ]) {
      const turn = handoffTurn(inMode('bot', 'callback_phone'), { text: text! })!;
      expect(turn.events, text).toEqual([{ type: 'callback_number_given', phone }]);
      expect(turn.state.awaiting).toBeNull();
      expect(turn.replies).toEqual([]);
    }
  });

  it('asks again for something that is not a number, and stops asking on 「不用了」', () => {
    for (const input of [{ text: '明天上午' }, { text: '12345' }, { text: '1381234567' }, { choice: 'none' }]) {
      const turn = handoffTurn(inMode('bot', 'callback_phone'), input)!;
      expect(texts(turn.replies), JSON.stringify(input)).toContain('没有看到电话号码');
      expect(turn.state.awaiting).toBe('callback_phone');
    }
    const cancelled = handoffTurn(inMode('queued', 'callback_phone'), { text: ' 不用了 ' })!;
    expect(texts(cancelled.replies)).toContain('好的，不留电话了');
    expect(cancelled.state.awaiting).toBeNull();
    expect(cancelled.events).toEqual([]);
  });

  it('while queued: takes a message, cancels on request, tells the place in the queue', () => {
    const message = handoffTurn(inMode('queued'), { text: '还在吗' })!;
    expect(message.replies).toEqual([{ type: 'handoff', status: 'queued', text: '已收到，工作人员接入后会看到您的留言。' }]);
    const cancel = handoffTurn(inMode('queued'), { text: '取消转人工' })!;
    expect(cancel.state.mode).toBe('bot');
    expect(cancel.events).toEqual([{ type: 'handoff_cancelled' }]);
    expect(handoffTurn(inMode('queued'), { choice: DESK_CHOICE.keepWaiting })!.events).toEqual([{ type: 'queue_status_asked' }]);
  });

  it('while an officer holds the conversation, says nothing itself', () => {
    for (const input of [{ text: '取消转人工' }, { text: '我的卡是去年办的' }, { choice: DESK_CHOICE.callback }]) {
      expect(handoffTurn(inMode('officer'), input)).toEqual({ state: expect.objectContaining({ mode: 'officer' }), replies: [], events: [] });
    }
  });

  it('is pure: the state it was given is not changed', () => {
    const before = inMode('queued');
    const copy = structuredClone(before);
    handoffTurn(before, { text: '取消转人工' });
    handoffTurn(before, { choice: DESK_CHOICE.callback });
    expect(before).toEqual(copy);
  });
});

describe('what the desk answers', () => {
  it('words the queue, the closed office and the call-back in China time', () => {
    expect(queuedReply('综合窗口', { position: 3, waitMinutes: null }).text).toContain('（综合窗口）。您前面还有 2 位，目前还没有足够的记录');
    expect(queuedReply('综合窗口', { position: 1, waitMinutes: 4 }).text).toContain('预计等待约 4 分钟');
    const closed = closedOffer(new Date('2026-11-30T00:30:00Z'));
    expect(texts(closed)).toContain('下次上班：11月30日 08:30');
    expect(values(closed)).toEqual([DESK_CHOICE.callback, CHOICE.none]);
    expect(texts(closedOffer(null))).not.toContain('下次上班');
    expect(callbackBooked('HJ202611280001', new Date('2026-11-30T02:30:00Z'), '138****5678').text).toBe('已登记回电，编号 HJ202611280001。工作人员会在 11月30日 10:30 前打给您（138****5678）。');
    expect(values(claimTimeoutOffer())).toEqual([DESK_CHOICE.callback, DESK_CHOICE.keepWaiting]);
  });
});
