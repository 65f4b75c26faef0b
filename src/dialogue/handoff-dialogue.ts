/**
 * The citizen's side of talking to a person, as dialogue: while their case waits in the queue or
 * an officer holds it, and while the bot waits for a call-back number. Pure, like `step`: state and
 * input in; state, replies and events out. The service carries the events out on the handoff desk
 * (release the case, book the call-back) and answers with the builders below, which say what only
 * the desk knows — the place in the queue, the ticket, the next opening.
 */
import { formatChinaTime } from '../core/china-time.js';
import type { Reply, UserInput } from '../core/types.js';
import { CHOICE, type ConversationState } from './step.js';

/** Button values of the desk's offers (out of hours, nobody claimed in time). */
export const DESK_CHOICE = { callback: 'callback', keepWaiting: 'keep_waiting' } as const;

/** What a waiting citizen types to stop waiting, or to stop leaving a number. */
const CANCEL = ['取消转人工', '取消人工', '不用了', '不要人工了', '不等了', '算了'];
/** A mobile number, or a landline with its area code; spaces are taken out first. */
const PHONE = /(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)/;

export type HandoffEvent =
  /** The citizen stops waiting: the case goes back to the bot. */
  | { type: 'handoff_cancelled' }
  /** 「继续等待」: tell them their place in the queue (queuedReply). */
  | { type: 'queue_status_asked' }
  /** A number to call back; the service books it and answers with callbackBooked or callbackFailed. */
  | { type: 'callback_number_given'; phone: string };

export interface HandoffTurn {
  state: ConversationState;
  replies: Reply[];
  events: HandoffEvent[];
}

/**
 * A turn about the person rather than the matter, or null when it is the bot's to answer (`step`).
 * `state.mode` must be the desk's: 'queued' while a case waits, 'officer' while one is held.
 * `input` is as the citizen sent it, not masked — a call-back number has to be read; the number
 * leaves only in the `callback_number_given` event and is masked by whoever shows or keeps it.
 */
export function handoffTurn(previous: ConversationState, input: UserInput): HandoffTurn | null {
  const state: ConversationState = { ...previous, pendingChoices: [] };
  const text = 'text' in input ? input.text : null;
  const choice = 'choice' in input ? input.choice : null;
  const cancels = text !== null && CANCEL.includes(text.trim());
  const say = (replies: Reply[], events: HandoffEvent[] = []): HandoffTurn => ({ state, replies, events });

  if (state.awaiting === 'callback_phone') {
    const phone = text !== null ? PHONE.exec(text.replace(/\s/g, ''))?.[0] : undefined;
    if (phone) {
      state.awaiting = null;
      return say([], [{ type: 'callback_number_given', phone }]);
    }
    if (cancels) {
      state.awaiting = null;
      return say([{ type: 'text', text: '好的，不留电话了。您可以继续问我。' }]);
    }
    return say([{ type: 'text', text: '没有看到电话号码。请输入 11 位手机号码或带区号的固定电话；不想留了请回复「不用了」。' }]);
  }
  // With a person: the citizen's messages go to the officer, or wait for one.
  if (state.mode === 'officer') return say([]);
  if (state.mode === 'queued') {
    if (choice === DESK_CHOICE.keepWaiting) return say([], [{ type: 'queue_status_asked' }]);
    if (cancels) {
      state.mode = 'bot';
      return say([{ type: 'text', text: '好的，已取消转人工。您可以继续问我。' }], [{ type: 'handoff_cancelled' }]);
    }
    if (choice !== DESK_CHOICE.callback) return say([{ type: 'handoff', status: 'queued', text: '已收到，工作人员接入后会看到您的留言。' }]);
  }
  if (choice === DESK_CHOICE.callback) {
    state.awaiting = 'callback_phone';
    return say([{ type: 'text', text: '请输入您的电话号码（只用于工作人员回电，记录里会隐去中间几位）。' }]);
  }
  return null;
}

// ---- what the desk answers ----------------------------------------------------------------

/** A notice about the human side of the conversation; `status` names where the case stands. */
type HandoffReply = Extract<Reply, { type: 'handoff' }>;

/** Queued: who will answer, the place in the queue and the expected wait (null: not enough data yet). */
export function queuedReply(department: string, estimate: { position: number; waitMinutes: number | null }): HandoffReply {
  const wait = estimate.waitMinutes === null ? '目前还没有足够的记录来估计等待时间' : `预计等待约 ${estimate.waitMinutes} 分钟`;
  return {
    type: 'handoff',
    status: 'queued',
    text: `已为您转接人工服务（${department}）。${estimate.position > 1 ? `您前面还有 ${estimate.position - 1} 位` : '您是下一位'}，${wait}。请不要关闭页面，工作人员接入后会在这里回复您；也可以回复「取消转人工」。`,
  };
}

/** Asked again while an officer already holds the conversation. */
export const servingReply = (officer: string | null): HandoffReply => ({ type: 'handoff', status: 'claimed', text: `工作人员 ${officer} 正在为您服务。` });

/** The desk refused (too many requests, say), with its reason. */
export const unavailableReply = (reason: string): HandoffReply => ({ type: 'handoff', status: 'unavailable', text: reason });

/** Out of office hours: when it opens again (null: not within a week), and a call-back instead. */
export function closedOffer(opens: Date | null): Reply[] {
  return [
    {
      type: 'handoff',
      status: 'closed',
      text: `现在不是人工服务时间${opens ? `（下次上班：${formatChinaTime(opens)}）` : ''}。您可以留下电话，工作人员上班后给您回电。`,
    },
    { type: 'choices', text: '您可以：', choices: [{ label: '留下电话等回电', value: DESK_CHOICE.callback }, { label: '不用了', value: CHOICE.none }] },
  ];
}

/** Nobody claimed the case in time: say so, and offer a call-back instead of silence. */
export function claimTimeoutOffer(): Reply[] {
  return [
    { type: 'handoff', status: 'queued', text: '工作人员暂时都在忙，还没能接入。您可以继续等待，也可以留下电话，工作人员稍后给您回电。' },
    { type: 'choices', text: '您可以：', choices: [{ label: '留下电话等回电', value: DESK_CHOICE.callback }, { label: '继续等待', value: DESK_CHOICE.keepWaiting }] },
  ];
}

/** The call-back is booked. `maskedPhone` as the transcript may keep it (138****5678). */
export const callbackBooked = (ticket: string, due: Date, maskedPhone: string): HandoffReply => ({
  type: 'handoff',
  status: 'callback_requested',
  text: `已登记回电，编号 ${ticket}。工作人员会在 ${formatChinaTime(due)} 前打给您（${maskedPhone}）。`,
});

export const callbackFailed = (reason: string): Reply => ({ type: 'text', text: `登记回电没有成功：${reason}` });
