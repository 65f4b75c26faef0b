/**
 * The human side of a conversation as an explicit state machine. Pure: a case and a command in,
 * the next case and the event that records it out — or a refusal with the reason.
 *
 *   bot ──request──▶ queued ──claim──▶ claimed ──resolve──▶ resolved
 *    ▲                 │  ▲              │  │
 *    └──── release ────┼──┼──────────────┘  └─transfer─▶ queued (another department)
 *                      │  └──── transfer ───┘
 *   bot/queued ──request_callback──▶ callback_requested ──callback_done──▶ called_back
 *                                                       └──close──────────▶ closed
 *   resolved / called_back / closed ──request──▶ queued (a new request)
 */

export type CaseStatus = 'bot' | 'queued' | 'claimed' | 'resolved' | 'callback_requested' | 'called_back' | 'closed';

export interface CaseEvent {
  type: Command['type'];
  from: CaseStatus;
  to: CaseStatus;
  /** Who: an officer's username, 'citizen' or 'bot'. */
  by: string;
  at: string;
  note?: string;
  department?: string;
  /** A request whose department nobody served, sent to 综合窗口 instead: the department it was for. */
  routedFrom?: string;
}

export interface Callback {
  ticket: string;
  /** The number to call; shown to officers only, masked everywhere else. */
  phone: string;
  dueAt: string;
}

export interface HandoffCase {
  sessionId: string;
  status: CaseStatus;
  department: string;
  entryId: string | null;
  reason: string | null;
  officer: string | null;
  queuedAt: string | null;
  claimedAt: string | null;
  callback: Callback | null;
  history: CaseEvent[];
  /** The wait (its `queuedAt`) whose claim timeout was already offered a call-back; a new wait starts afresh. */
  timeoutOfferedFor?: string | null;
}

export type Command =
  | { type: 'request'; by: 'citizen' | 'bot'; department: string; entryId: string | null; reason: string; at: string; routedFrom?: string }
  | { type: 'claim'; by: string; at: string }
  | { type: 'release'; by: string; at: string }
  | { type: 'resolve'; by: string; note: string; at: string }
  | { type: 'transfer'; by: string; department: string; note: string; at: string }
  | { type: 'request_callback'; by: 'citizen' | 'bot'; callback: Callback; department?: string; entryId?: string | null; at: string; routedFrom?: string }
  | { type: 'callback_done'; by: string; note: string; at: string }
  | { type: 'close'; by: string; note: string; at: string };

export type TransitionResult =
  | { ok: true; case: HandoffCase; event: CaseEvent }
  | { ok: false; reason: string; code: 'invalid_transition' | 'already_claimed' | 'not_yours' | 'rate_limited' };

export const newCase = (sessionId: string, department: string): HandoffCase => ({
  sessionId,
  status: 'bot',
  department,
  entryId: null,
  reason: null,
  officer: null,
  queuedAt: null,
  claimedAt: null,
  callback: null,
  history: [],
});

/** Which command each status accepts, and where it leads. */
const TABLE: Record<CaseStatus, Partial<Record<Command['type'], CaseStatus>>> = {
  bot: { request: 'queued', request_callback: 'callback_requested' },
  queued: { claim: 'claimed', transfer: 'queued', request_callback: 'callback_requested', release: 'bot' },
  claimed: { release: 'bot', resolve: 'resolved', transfer: 'queued' },
  resolved: { request: 'queued', request_callback: 'callback_requested' },
  callback_requested: { callback_done: 'called_back', close: 'closed' },
  called_back: { request: 'queued', request_callback: 'callback_requested' },
  closed: { request: 'queued', request_callback: 'callback_requested' },
};

/** What people are shown for a status and a command (the console, refusals). */
export const STATUS_LABEL: Record<CaseStatus, string> = {
  bot: '小助手服务中',
  queued: '排队中',
  claimed: '处理中',
  resolved: '已结束',
  callback_requested: '待回电',
  called_back: '已回电',
  closed: '已关闭',
};
export const COMMAND_LABEL: Record<Command['type'], string> = {
  request: '转人工',
  claim: '接单',
  release: '交还小助手',
  resolve: '结束服务',
  transfer: '转办',
  request_callback: '登记回电',
  callback_done: '回电',
  close: '关闭回电登记',
};

/** Commands an officer may only give on a case they hold. */
const HOLDER_ONLY = new Set<Command['type']>(['release', 'resolve', 'transfer']);

export function transition(c: HandoffCase, cmd: Command, isAdmin = false): TransitionResult {
  const to = TABLE[c.status][cmd.type];
  if (!to) {
    if (cmd.type === 'claim' && c.status === 'claimed') {
      return { ok: false, code: 'already_claimed', reason: `已由 ${c.officer} 接单` };
    }
    return { ok: false, code: 'invalid_transition', reason: `这个会话现在是「${STATUS_LABEL[c.status]}」，不能${COMMAND_LABEL[cmd.type]}。` };
  }
  if (c.status === 'claimed' && HOLDER_ONLY.has(cmd.type) && cmd.by !== c.officer && !isAdmin) {
    return { ok: false, code: 'not_yours', reason: `这个会话由 ${c.officer} 处理，只有他本人或管理员可以操作` };
  }
  const event: CaseEvent = { type: cmd.type, from: c.status, to, by: cmd.by, at: cmd.at };
  const next: HandoffCase = { ...c, status: to, history: [...c.history, event] };
  switch (cmd.type) {
    case 'request':
      Object.assign(next, { department: cmd.department, entryId: cmd.entryId, reason: cmd.reason, queuedAt: cmd.at, officer: null, claimedAt: null, callback: null });
      event.department = cmd.department;
      event.note = cmd.reason;
      if (cmd.routedFrom) event.routedFrom = cmd.routedFrom;
      break;
    case 'claim':
      Object.assign(next, { officer: cmd.by, claimedAt: cmd.at });
      break;
    case 'release':
      Object.assign(next, { officer: null, claimedAt: null, queuedAt: null });
      break;
    case 'resolve':
      event.note = cmd.note;
      Object.assign(next, { officer: c.officer, queuedAt: null });
      break;
    case 'transfer':
      if (cmd.department === c.department) {
        return { ok: false, code: 'invalid_transition', reason: '转办的部门和当前部门相同' };
      }
      event.note = cmd.note;
      event.department = cmd.department;
      Object.assign(next, { department: cmd.department, officer: null, claimedAt: null, queuedAt: cmd.at });
      break;
    case 'request_callback':
      Object.assign(next, { callback: cmd.callback, officer: null, claimedAt: null });
      if (cmd.department) {
        Object.assign(next, { department: cmd.department, entryId: cmd.entryId ?? null });
        event.department = cmd.department;
      }
      if (cmd.routedFrom) event.routedFrom = cmd.routedFrom;
      break;
    case 'callback_done':
    case 'close':
      event.note = cmd.note;
      Object.assign(next, { officer: cmd.by });
      break;
  }
  return { ok: true, case: next, event };
}

/** The conversation mode the contract exposes for a case status. */
export const modeOf = (status: CaseStatus): 'bot' | 'queued' | 'officer' =>
  status === 'queued' ? 'queued' : status === 'claimed' ? 'officer' : 'bot';

export const isOpen = (status: CaseStatus): boolean => status === 'queued' || status === 'claimed' || status === 'callback_requested';
