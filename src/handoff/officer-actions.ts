/**
 * What an officer does to a case — claim, reply, release, transfer, resolve, close a call-back —
 * with the notices the citizen receives, shared by the officer console's routes and the Teams
 * channel so both behave the same.
 */
import type { PublicUser } from '../auth/accounts.js';
import type { Reply } from '../core/types.js';
import type { ConversationPort } from './conversation-port.js';
import type { DepartmentDesk } from './department-desk.js';
import type { HandoffService } from './handoff-service.js';
import type { CaseStatus, Command, HandoffCase } from './transitions.js';

/**
 * Who may see a conversation through the officer side (queue, card, transcript, live events).
 * Admins see everything. An officer sees a conversation only once it has been handed to a person
 * — a case exists: it is or was queued, claimed or waiting for a call-back — and only when its
 * department is one they serve (all departments when none are set, as the accounts page shows)
 * or they hold it. A conversation still with the bot is nobody's business but its citizen's.
 */
export const sees = (
  user: PublicUser,
  c: { department: string; officer: string | null; status: CaseStatus; history?: readonly unknown[] },
  /** Departments as written (the officer's, an old case's) → counter department (department-desk.ts). */
  departmentOf: (text: string) => string = (d) => d,
) => {
  if (user.role === 'admin') return true;
  const handed = c.status !== 'bot' || (c.history?.length ?? 0) > 0;
  if (!handed) return false;
  if (user.departments.length === 0 || c.officer === user.username) return true;
  const department = departmentOf(c.department);
  return user.departments.some((d) => departmentOf(d) === department);
};

/** The refusal when an officer acts on (or opens) a case outside their departments. */
export const OUTSIDE_DEPARTMENTS = '这个会话不属于您负责的部门。';

export type ActionResult<T> = { ok: true; value: T } | { ok: false; status: number; code: string; reason: string };

/**
 * `conversations` is where the citizen sees the officer's words and the notices (the chat
 * service); `departments`, the counter departments officers serve and transfer to.
 */
export function createOfficerActions<M>(deps: { handoff: HandoffService; conversations: ConversationPort<M>; departments?: DepartmentDesk; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  const at = () => now().toISOString();
  const departmentOf = deps.departments?.of;
  /** Applies an officer's command to a case they may see; then, if it went through, tells the citizen. */
  const act = async (user: PublicUser, sessionId: string, command: Command, notice?: Reply, check?: (c: HandoffCase) => Promise<ActionResult<null> | null>): Promise<ActionResult<HandoffCase>> => {
    const before = await deps.handoff.get(sessionId);
    if (!sees(user, before, departmentOf)) return { ok: false, status: 403, code: 'forbidden', reason: OUTSIDE_DEPARTMENTS };
    const refused = await check?.(before);
    if (refused && !refused.ok) return refused;
    const r = await deps.handoff.apply(sessionId, command, user.role === 'admin');
    if (!r.ok) return { ok: false, status: r.code === 'not_yours' ? 403 : 409, code: r.code, reason: r.reason };
    if (notice) await deps.conversations.post(sessionId, 'system', [notice]);
    return { ok: true, value: r.case };
  };
  return {
    claim: (user: PublicUser, sessionId: string) =>
      act(user, sessionId, { type: 'claim', by: user.username, at: at() }, { type: 'handoff', status: 'claimed', text: `工作人员 ${user.displayName} 已接入，请直接在这里说。` }),
    async reply(user: PublicUser, sessionId: string, text: string): Promise<ActionResult<M>> {
      const c = await deps.handoff.get(sessionId);
      if (c.status !== 'claimed') return { ok: false, status: 409, code: 'not_claimed', reason: '请先接单再回复。' };
      if (c.officer !== user.username && user.role !== 'admin') return { ok: false, status: 403, code: 'not_yours', reason: `这个会话由 ${c.officer} 处理。` };
      const message = await deps.conversations.post(sessionId, 'officer', [{ type: 'text', text }], user.displayName);
      return message ? { ok: true, value: message } : { ok: false, status: 404, code: 'not_found', reason: '没有这个会话。' };
    },
    resolve: (user: PublicUser, sessionId: string, note: string) =>
      act(user, sessionId, { type: 'resolve', by: user.username, note, at: at() }, { type: 'handoff', status: 'resolved', text: '本次人工服务已结束，感谢您的耐心。接下来由小助手继续为您服务。' }),
    /** Gives the conversation back to the bot. */
    release: (user: PublicUser, sessionId: string) =>
      act(user, sessionId, { type: 'release', by: user.username, at: at() }, { type: 'handoff', status: 'bot', text: '工作人员已把对话交回小助手，您可以继续提问；需要时再点「转人工」。' }),
    /**
     * Hands the case to another counter department's queue, with a note for its officers. Only to
     * a department on the list, and not to one nobody serves (the admin is warned).
     */
    transfer: (user: PublicUser, sessionId: string, department: string, note: string) => {
      const desk = deps.departments;
      const to = desk ? desk.of(department) : department;
      const time = at();
      return act(user, sessionId, { type: 'transfer', by: user.username, department: to, note, at: time }, { type: 'handoff', status: 'queued', text: `您的问题已转给「${to}」，请稍候，工作人员接入后会回复您。` }, async (c) => {
        if (!desk) return null;
        if (!desk.known(to)) return { ok: false, status: 400, code: 'unknown_department', reason: `没有「${department}」这个部门，请从列表中选择。` };
        if (desk.of(c.department) === to) return { ok: false, status: 409, code: 'invalid_transition', reason: '转办的部门和当前部门相同。' };
        if (!(await desk.servedForTransfer(to, { sessionId, entryId: c.entryId, at: time }))) {
          return { ok: false, status: 409, code: 'unserved_department', reason: `「${to}」现在没有工作人员负责，转过去没有人接。请转综合窗口，已提醒管理员安排人员。` };
        }
        return null;
      });
    },
    /** A call-back made (`callback_done`) or given up (`close`), with a note. */
    closeCallback: (user: PublicUser, sessionId: string, how: 'callback_done' | 'close', note: string) => act(user, sessionId, { type: how, by: user.username, note, at: at() }),
  };
}
export type OfficerActions<M = unknown> = ReturnType<typeof createOfficerActions<M>>;
