/**
 * What an officer does to a case — claim, reply, resolve — with the notices the citizen receives,
 * shared by the officer console's routes and the Teams channel so both behave the same.
 */
import type { PublicUser } from '../auth/accounts.js';
import type { ConversationPort } from './conversation-port.js';
import type { HandoffService } from './handoff-service.js';
import type { CaseStatus, HandoffCase } from './transitions.js';

/**
 * Who may see a conversation through the officer side (queue, card, transcript, live events).
 * Admins see everything. An officer sees a conversation only once it has been handed to a person
 * — a case exists: it is or was queued, claimed or waiting for a call-back — and only when its
 * department is one they serve (all departments when none are set, as the accounts page shows)
 * or they hold it. A conversation still with the bot is nobody's business but its citizen's.
 */
export const sees = (user: PublicUser, c: { department: string; officer: string | null; status: CaseStatus; history?: readonly unknown[] }) => {
  if (user.role === 'admin') return true;
  const handed = c.status !== 'bot' || (c.history?.length ?? 0) > 0;
  return handed && (user.departments.length === 0 || user.departments.includes(c.department) || c.officer === user.username);
};

export type ActionResult<T> = { ok: true; value: T } | { ok: false; status: number; code: string; reason: string };

/** `conversations` is where the citizen sees the officer's words and the notices (the chat service). */
export function createOfficerActions<M>(deps: { handoff: HandoffService; conversations: ConversationPort<M>; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  const at = () => now().toISOString();
  const guarded = async (user: PublicUser, sessionId: string, run: () => ReturnType<HandoffService['apply']>): Promise<ActionResult<HandoffCase>> => {
    const before = await deps.handoff.get(sessionId);
    if (!sees(user, before)) return { ok: false, status: 403, code: 'forbidden', reason: '这个会话不属于您负责的部门。' };
    const r = await run();
    return r.ok ? { ok: true, value: r.case } : { ok: false, status: r.code === 'not_yours' ? 403 : 409, code: r.code, reason: r.reason };
  };
  return {
    async claim(user: PublicUser, sessionId: string): Promise<ActionResult<HandoffCase>> {
      const r = await guarded(user, sessionId, () => deps.handoff.apply(sessionId, { type: 'claim', by: user.username, at: at() }, user.role === 'admin'));
      if (r.ok) await deps.conversations.post(sessionId, 'system', [{ type: 'handoff', status: 'claimed', text: `工作人员 ${user.displayName} 已接入，请直接在这里说。` }]);
      return r;
    },
    async reply(user: PublicUser, sessionId: string, text: string): Promise<ActionResult<M>> {
      const c = await deps.handoff.get(sessionId);
      if (c.status !== 'claimed') return { ok: false, status: 409, code: 'not_claimed', reason: '请先接单再回复。' };
      if (c.officer !== user.username && user.role !== 'admin') return { ok: false, status: 403, code: 'not_yours', reason: `这个会话由 ${c.officer} 处理。` };
      const message = await deps.conversations.post(sessionId, 'officer', [{ type: 'text', text }], user.displayName);
      return message ? { ok: true, value: message } : { ok: false, status: 404, code: 'not_found', reason: '没有这个会话。' };
    },
    async resolve(user: PublicUser, sessionId: string, note: string): Promise<ActionResult<HandoffCase>> {
      const r = await guarded(user, sessionId, () => deps.handoff.apply(sessionId, { type: 'resolve', by: user.username, note, at: at() }, user.role === 'admin'));
      if (r.ok) await deps.conversations.post(sessionId, 'system', [{ type: 'handoff', status: 'resolved', text: '本次人工服务已结束，感谢您的耐心。接下来由小助手继续为您服务。' }]);
      return r;
    },
  };
}
export type OfficerActions<M = unknown> = ReturnType<typeof createOfficerActions<M>>;
