/**
 * The officer side of the HTTP contract: queues, the case card, claim (one officer only),
 * messages to the citizen, release, resolve, transfer, and call-backs.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import type { HandoffService, OpenCase } from '../handoff/handoff-service.js';
import type { PublicUser } from '../auth/accounts.js';
import type { DepartmentDesk } from '../handoff/department-desk.js';
import { createOfficerActions, OUTSIDE_DEPARTMENTS, sees, type ActionResult } from '../handoff/officer-actions.js';
import type { StaffLinks } from '../handoff/staff-links.js';
import type { AskStep, Flow } from '../dialogue/parse-flows.js';
import type { Engine } from '../knowledge/engine.js';
import type { UnansweredRecord } from '../service/analytics.js';
import type { ChatService } from '../service/chat-service.js';
import type { Store } from '../storage/ports.js';
import { csrfGuard, requireRole, userOf } from './auth-routes.js';
import { parseOr400, sessionIdSchema } from './validate.js';

export interface OfficerDeps {
  chat: ChatService;
  /** Walkthroughs, to show a citizen's answers as they were asked. */
  flows?: () => readonly Flow[];
  handoff: HandoffService;
  /** One-time codes that link a Teams identity to the signed-in officer. */
  staffLinks?: StaffLinks;
  engine: () => Engine;
  store: Store;
  /** The counter departments; cases show theirs, officers transfer to them. */
  departments?: DepartmentDesk;
  /** Staff accounts, so that cases say who holds them and who did what by name. */
  staff?: () => Promise<PublicUser[]>;
  now?: () => Date;
}


export function officerRoutes(deps: OfficerDeps): Router {
  const r = Router();
  const now = deps.now ?? (() => new Date());
  const guard = requireRole('officer', 'admin');
  r.use('/api/officer', guard);
  r.post('/api/officer/*path', csrfGuard);

  const me = (res: Response) => userOf(res)!;
  const title = (id: string | null) => (id ? (deps.engine().entry(id)?.title ?? id) : null);
  const departmentOf = deps.departments?.of;
  const department = (d: string) => departmentOf?.(d) ?? d;
  /** Username → display name, for the names a case shows. */
  const names = async (): Promise<(username: string | null) => string | null> => {
    const byName = new Map((await (deps.staff?.() ?? Promise.resolve([]))).map((u) => [u.username, u.displayName]));
    return (u) => (u === null ? null : (byName.get(u) ?? u));
  };
  /** Which channel the citizen talks through (web, teams, wechat), from their conversation. */
  const conversations = deps.store.documents<{ channel?: string }>('conversations');
  const channelOf = async (sessionId: string) => (await conversations.read(sessionId))?.channel ?? null;
  const view = (o: OpenCase, nameOf: (u: string | null) => string | null, channel: string | null) => ({
    sessionId: o.sessionId,
    channel,
    status: o.status,
    item: o.entryId,
    itemTitle: title(o.entryId),
    department: department(o.department),
    waitingSince: o.queuedAt,
    officer: o.officer,
    officerName: nameOf(o.officer),
  });

  r.get('/api/officer/queue', async (_req, res) => {
    const user = me(res);
    const open = (await deps.handoff.open()).filter((o) => (o.status === 'queued' || o.status === 'claimed') && sees(user, o, departmentOf));
    open.sort((a, b) => (a.queuedAt ?? '').localeCompare(b.queuedAt ?? ''));
    const nameOf = await names();
    const channels = await Promise.all(open.map((o) => channelOf(o.sessionId)));
    res.json({ conversations: open.map((o, i) => view(o, nameOf, channels[i] ?? null)) });
  });

  r.get('/api/officer/callbacks', async (_req, res) => {
    const user = me(res);
    const t = now().getTime();
    const list = [];
    const nameOf = await names();
    for (const o of (await deps.handoff.open()).filter((x) => x.status === 'callback_requested' && sees(user, x, departmentOf))) {
      const c = await deps.handoff.get(o.sessionId);
      list.push({
        ...view(o, nameOf, await channelOf(o.sessionId)),
        ticket: c.callback?.ticket,
        phone: c.callback?.phone,
        dueAt: c.callback?.dueAt,
        overdue: c.callback ? Date.parse(c.callback.dueAt) < t : false,
      });
    }
    list.sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''));
    res.json({ callbacks: list });
  });

  /** Everything an officer needs at once: the case, the walkthrough so far, the bot's answers and what it could not answer. */
  r.get('/api/officer/conversations/:sessionId', async (req, res) => {
    const sessionId = parseOr400(sessionIdSchema, req.params.sessionId);
    const c = await deps.handoff.get(sessionId);
    if (!sees(me(res), c, departmentOf)) throw new AppError(403, 'forbidden', OUTSIDE_DEPARTMENTS);
    const nameOf = await names();
    const messages = (await deps.chat.transcript(sessionId, 0)) ?? [];
    const record = await deps.store.documents<{ channel?: string; state: { flow?: { id: string; slots: Record<string, unknown>; lastChecklistId: string | null } | null; currentEntryId: string | null } }>('conversations').read(sessionId);
    const answers = messages
      .filter((m) => m.from === 'bot')
      .flatMap((m) => m.replies.flatMap((rep) => (rep.type === 'text' && rep.card ? [{ seq: m.seq, entryId: rep.card.entryId, title: rep.card.title, sources: rep.card.sources, caution: rep.card.caution }] : [])))
      .slice(-5);
    const unanswered = (await deps.store.log<UnansweredRecord>('unanswered').recent(1000)).filter((u) => u.sessionId === sessionId).map((u) => ({ at: u.at, text: u.text }));
    const flow = record?.state.flow ?? null;
    const checklist = flow?.lastChecklistId ? await deps.chat.checklist(flow.lastChecklistId) : undefined;
    res.json({
      conversation: {
        sessionId,
        channel: record?.channel ?? null,
        status: c.status,
        department: department(c.department),
        item: c.entryId,
        itemTitle: title(c.entryId),
        reason: c.reason,
        officer: c.officer,
        officerName: nameOf(c.officer),
        waitingSince: c.queuedAt,
        // Who did what and when, with the transfer and resolve notes; names as people know them.
        history: c.history.map((e) => ({
          ...e,
          byName: e.by === 'citizen' ? '群众' : e.by === 'bot' ? '小助手' : nameOf(e.by),
          ...(e.department ? { department: department(e.department) } : {}),
        })),
        callback: c.callback,
      },
      walkthrough: flow ? { id: flow.id, answers: readableAnswers(deps.flows?.().find((f) => f.id === flow.id), flow.slots) } : null,
      checklist: checklist ? { id: checklist.id, title: checklist.title, url: `/checklist/${checklist.id}`, materials: checklist.materials.map((m) => m.name) } : null,
      botAnswers: answers,
      unanswered,
      messages: messages.slice(-50),
    });
  });

  const sid = (raw: string | undefined) => parseOr400(sessionIdSchema, raw);

  const actions = createOfficerActions({ handoff: deps.handoff, conversations: deps.chat, now, ...(deps.departments ? { departments: deps.departments } : {}) });
  const done = <T>(r: ActionResult<T>): T => {
    if (!r.ok) throw new AppError(r.status, r.code, r.reason);
    return r.value;
  };

  /** 「绑定 Teams」: a one-time code the officer sends to the bot in Teams as 「绑定 123456」. */
  r.post('/api/officer/teams-link', async (_req, res) => {
    if (!deps.staffLinks) throw new AppError(404, 'not_found', '没有启用 Teams。');
    const { code, expiresAt } = await deps.staffLinks.issue(me(res).username);
    res.status(201).json({ code, expiresAt, howTo: `在 Teams 里给「一次办事助手」发送：绑定 ${code}` });
  });

  r.post('/api/officer/conversations/:sessionId/claim', async (req, res) => {
    const sessionId = sid(req.params.sessionId);
    const c = done(await actions.claim(me(res), sessionId));
    res.json({ conversation: { sessionId, status: c.status, officer: c.officer } });
  });

  const textBody = z.strictObject({ text: z.string({ error: 'text 是必填的消息' }).trim().min(1, { error: '消息不能为空' }).max(2000, { error: '消息太长了' }) });
  r.post('/api/officer/conversations/:sessionId/messages', async (req, res) => {
    const sessionId = sid(req.params.sessionId);
    const { text } = parseOr400(textBody, req.body);
    const message = done(await actions.reply(me(res), sessionId, text));
    res.status(201).json({ message });
  });

  r.post('/api/officer/conversations/:sessionId/release', async (req, res) => {
    const sessionId = sid(req.params.sessionId);
    const c = done(await actions.release(me(res), sessionId));
    res.json({ conversation: { sessionId, status: c.status } });
  });

  const noteBody = z.strictObject({ note: z.string().trim().max(1000, { error: '备注太长了' }).default('') });
  r.post('/api/officer/conversations/:sessionId/resolve', async (req, res) => {
    const sessionId = sid(req.params.sessionId);
    const { note } = parseOr400(noteBody, req.body ?? {});
    const c = done(await actions.resolve(me(res), sessionId, note));
    res.json({ conversation: { sessionId, status: c.status } });
  });

  const transferBody = z.strictObject({ department: z.string().trim().min(1, { error: '请选择转办的部门' }).max(40), note: z.string().trim().max(1000).default('') });
  r.post('/api/officer/conversations/:sessionId/transfer', async (req, res) => {
    const sessionId = sid(req.params.sessionId);
    const body = parseOr400(transferBody, req.body);
    const c = done(await actions.transfer(me(res), sessionId, body.department, body.note));
    res.json({ conversation: { sessionId, status: c.status, department: department(c.department) } });
  });

  r.post('/api/officer/callbacks/:sessionId/done', async (req, res) => {
    const sessionId = sid(req.params.sessionId);
    const { note } = parseOr400(noteBody, req.body ?? {});
    const c = done(await actions.closeCallback(me(res), sessionId, 'callback_done', note));
    res.json({ callback: { sessionId, status: c.status } });
  });

  r.post('/api/officer/callbacks/:sessionId/close', async (req, res) => {
    const sessionId = sid(req.params.sessionId);
    const { note } = parseOr400(noteBody, req.body ?? {});
    const c = done(await actions.closeCallback(me(res), sessionId, 'close', note));
    res.json({ callback: { sessionId, status: c.status } });
  });

  return r;
}

/** Slot values as the citizen saw them: 「卖香烟：是」 rather than 「tobacco: true」. */
function readableAnswers(flow: Flow | undefined, slots: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [slot, value] of Object.entries(slots)) {
    if (value === null || value === undefined) continue;
    const step = flow ? Object.values(flow.steps).find((s): s is AskStep => 'ask' in s && s.slot === slot) : undefined;
    const label = step?.label ?? step?.ask ?? slot;
    const shown =
      typeof value === 'boolean' ? (value ? '是' : '否') : (step?.choices?.find((c) => c.value === value)?.label ?? String(value));
    out[label] = shown;
  }
  return out;
}
