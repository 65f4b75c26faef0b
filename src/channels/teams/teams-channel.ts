/**
 * Microsoft Teams (and any Bot Framework channel) at POST /api/messages, through botkit's Bot
 * Framework adapter. With MicrosoftAppId / MicrosoftAppPassword set, the adapter validates every
 * request's JWT and refuses unsigned ones. Without them the endpoint is off (503) unless local
 * emulator mode is asked for (TEAMS_EMULATOR=on): then it takes only direct requests from this
 * machine — none that a reverse proxy forwarded — with a local serviceUrl.
 *
 * A Teams conversation maps to a chat session `teams-<hash of the conversation id>`; its
 * conversation reference is stored so that officers' replies reach the citizen proactively.
 */
import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Botkit, BotkitMessage, BotWorker } from 'botkit';
import type { Logger } from '../../core/logger.js';
import type { UserInput } from '../../core/types.js';
import type { ChatService, TranscriptMessage } from '../../service/chat-service.js';
import type { Store } from '../../storage/ports.js';
import type { Channel, StaffNotice, StaffPort } from '../channel.js';
import { caseNoticeActivity, renderActivities, submittedChoice, type CardActivity } from './adaptive-cards.js';
import { addressKey } from '../../server/rate-limits.js';

export const TEAMS_PATH = '/api/messages';

export interface TeamsChannelOptions {
  chat: ChatService;
  logger: Logger;
  store: Store;
  appId?: string;
  appPassword?: string;
  /** Public address, for absolute links in cards (the printable checklist). */
  publicUrl?: string;
  maxMessageLength: number;
  /** Officers working from Teams: linking, claiming from a notice, replying, ending. */
  staff?: StaffPort;
  /** Without credentials, answer the local Bot Framework Emulator (TEAMS_EMULATOR=on); otherwise the endpoint is off. */
  emulator?: boolean;
  /** How long one call to the activity's serviceUrl (the Teams connector) may take, in ms; there are no retries. */
  connectorTimeoutMs?: number;
}

/** A reply to Teams normally takes well under a second; an unreachable connector must not hold the request. */
export const CONNECTOR_TIMEOUT_MS = 4000;

/** What the Bot Framework adapter answered, captured so that the client always gets a JSON error. */
interface AdapterAnswer {
  status: number;
  body: unknown;
}

/** A stand-in for express' response: the adapter writes its status and body here (it would send raw exception text). */
const captureAnswer = (): { answer: AdapterAnswer; res: Response } => {
  const answer: AdapterAnswer = { status: 500, body: undefined };
  const res = {
    status(code: number) {
      answer.status = code;
      return res;
    },
    send(body: unknown) {
      answer.body = body;
      return res;
    },
    end() {
      return res;
    },
  };
  return { answer, res: res as unknown as Response };
};

const ADAPTER_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'invalid_activity', message: '请求体不是有效的 Bot Framework 消息（activity）。' },
  401: { code: 'unauthorized', message: '身份校验失败：请求没有有效的 Bot Framework 令牌。' },
  403: { code: 'forbidden', message: '拒绝这个请求。' },
  501: { code: 'not_implemented', message: '不支持这类 Teams 请求。' },
};

/** The adapter's answer as JSON: its status and body when it succeeded, a clear error without exception text when not. */
function sendAdapterAnswer(res: Response, { status, body }: AdapterAnswer): void {
  if (status < 400) {
    if (body !== undefined && body !== null && body !== '') res.status(status).json(body);
    else res.status(status).end();
    return;
  }
  const known = ADAPTER_ERRORS[status];
  if (known) res.status(status).json({ error: known });
  else res.status(500).json({ error: { code: 'internal_error', message: '处理 Teams 消息失败。' } });
}

interface PipelineLike {
  removePolicy(options: { phase?: string; name?: string }): unknown;
  addPolicy(policy: { name: string; sendRequest(request: { timeout: number }, next: (request: { timeout: number }) => Promise<unknown>): Promise<unknown> }): void;
}

/**
 * Calls to a serviceUrl without retries and with a short timeout. The Bot Framework client retries
 * a failed call with growing pauses (5–12 s for an unreachable connector) while the incoming
 * request waits; Teams itself redelivers a message that was not acknowledged.
 */
function boundConnectorCalls(adapter: unknown, timeoutMs: number): void {
  const bf = adapter as { createConnectorClientInternal?: (serviceUrl: string, credentials: unknown) => unknown };
  const original = bf.createConnectorClientInternal?.bind(bf);
  if (!original) throw new Error('botbuilder: createConnectorClientInternal is missing; check the connector timeout after an upgrade');
  bf.createConnectorClientInternal = (serviceUrl, credentials) => {
    const client = original(serviceUrl, credentials) as { client?: { pipeline?: PipelineLike } };
    const pipeline = client.client?.pipeline;
    if (!pipeline) throw new Error('botbuilder: the connector client has no pipeline; check the connector timeout after an upgrade');
    pipeline.removePolicy({ phase: 'Retry' });
    pipeline.addPolicy({
      name: 'yiciConnectorTimeout',
      sendRequest: (request, next) => {
        request.timeout = request.timeout > 0 ? Math.min(request.timeout, timeoutMs) : timeoutMs;
        return next(request);
      },
    });
    return client;
  };
}

/** A Bot Framework conversation reference (the fields continueConversation needs). */
export interface ConversationRef {
  activityId?: string;
  user?: { id: string; name?: string };
  bot: { id: string; name?: string };
  conversation: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean };
  channelId: string;
  serviceUrl: string;
  locale?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Headers a reverse proxy adds: a request carrying one did not come from this machine, whatever the socket says. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-proto', 'via'];

/** Why emulator mode refuses a request, or null: forwarded, not from a loopback peer, or replies would leave this machine. */
export function emulatorRefusal(req: { headers: Record<string, unknown>; socket: { remoteAddress?: string | undefined }; body?: unknown }): string | null {
  if (FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined)) return '模拟器模式不接受经代理转发的请求。';
  if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return '模拟器模式只接受本机的请求。';
  const serviceUrl = String((req.body as { serviceUrl?: unknown } | undefined)?.serviceUrl ?? '');
  let serviceHost = '';
  try {
    serviceHost = new URL(serviceUrl).hostname;
  } catch {
    serviceHost = '';
  }
  if (!LOCAL_HOSTS.has(serviceHost)) return '模拟器模式只回复本机的 serviceUrl。';
  return null;
}

const noStorage = { read: async () => ({}), write: async () => {}, delete: async () => {} };

export const teamsSessionId = (conversationId: string): string =>
  `teams-${createHash('sha256').update(conversationId).digest('hex').slice(0, 32)}`;

interface Activity {
  type: string;
  text?: string;
  value?: unknown;
  from?: { id: string; name?: string; aadObjectId?: string };
  recipient?: { id: string; name?: string };
  conversation?: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean };
  channelId?: string;
  serviceUrl?: string;
  id?: string;
  locale?: string;
  membersAdded?: { id: string }[];
}

interface TurnContextLike {
  activity: Activity;
  sendActivities(activities: Partial<CardActivity>[]): Promise<unknown>;
}
interface AdapterLike {
  processActivity(req: Request, res: Response, logic: (ctx: TurnContextLike) => Promise<void>): Promise<void>;
  continueConversation(ref: ConversationRef, logic: (ctx: TurnContextLike) => Promise<void>): Promise<void>;
}

/** Teams puts an @mention of the bot into the text in group chats and channels. */
const stripMention = (text: string) => text.replace(/<at>[^<]*<\/at>/g, '').trim();

const WELCOME: CardActivity = {
  type: 'message',
  text: '您好，我是「一次」办事小助手。想办什么事，直接用大白话问我，比如「开个小卖部要办啥证」「身份证丢了怎么补」。需要人工时说「转人工」。',
};

/**
 * The Teams channel. botkit and the Bot Framework SDK take about a second and tens of megabytes to
 * import, so they are imported only when the endpoint is on (credentials set, or emulator mode);
 * a deployment without Teams never loads them.
 */
export async function createTeamsChannel(o: TeamsChannelOptions): Promise<Channel & { emulator: boolean }> {
  const configured = Boolean(o.appId && o.appPassword);
  const emulator = !configured && o.emulator === true;
  const off = !configured && !emulator;
  const controller: Botkit | null = off
    ? null
    : new (await import('botkit')).Botkit({
        adapterConfig: emulator ? {} : { appId: o.appId, appPassword: o.appPassword },
        disable_webserver: true,
        disable_console: true,
        storage: noStorage,
      });
  if (controller) boundConnectorCalls(controller.adapter, o.connectorTimeoutMs ?? CONNECTOR_TIMEOUT_MS);
  const adapter = controller?.adapter as unknown as AdapterLike | undefined;
  const refs = o.store.documents<ConversationRef>('teams-conversations');
  if (emulator) o.logger.warn('teams_emulator_mode', { message: 'TEAMS_EMULATOR=on 且未设置 MicrosoftAppId / MicrosoftAppPassword：/api/messages 以本地模拟器模式运行，不校验签名，只接受本机直接发来的请求（经代理转发的一律拒绝），只用于本机调试。' });
  if (off) o.logger.info('teams_off', { message: '未设置 MicrosoftAppId / MicrosoftAppPassword：/api/messages 未启用（本机调试可设 TEAMS_EMULATOR=on）。' });

  const send = async (ctx: TurnContextLike, activities: CardActivity[]) => {
    if (activities.length) await ctx.sendActivities(activities);
  };

  const referenceOf = (a: Activity): ConversationRef | null =>
    a.conversation?.id && a.serviceUrl && a.channelId && a.recipient
      ? {
          ...(a.id ? { activityId: a.id } : {}),
          ...(a.from ? { user: { id: a.from.id, ...(a.from.name ? { name: a.from.name } : {}) } } : {}),
          bot: { id: a.recipient.id, ...(a.recipient.name ? { name: a.recipient.name } : {}) },
          conversation: a.conversation,
          channelId: a.channelId,
          serviceUrl: a.serviceUrl,
          ...(a.locale ? { locale: a.locale } : {}),
        }
      : null;

  const staffRefs = o.store.documents<ConversationRef>('teams-staff');
  const active = o.store.documents<{ sessionId: string }>('teams-staff-active');
  const say = (t: string): CardActivity => ({ type: 'message', text: t });

  /** An officer's turn: link, claim from a notice, reply to the citizen, end. True if handled. */
  async function staffTurn(ctx: TurnContextLike, ref: ConversationRef, typed: string): Promise<boolean> {
    const staff = o.staff;
    const a = ctx.activity;
    if (!staff || !a.from) return false;
    const identity = `teams:${a.from.aadObjectId ?? a.from.id}`;
    const link = /^绑定\s*(\d{6})$/.exec(typed);
    if (link) {
      const username = await staff.link(link[1]!, identity);
      if (!username) return send(ctx, [say('绑定码不对、已过期，或输错次数太多。请在工作台「绑定 Teams」重新获取绑定码；输错多次后请 15 分钟后再试。')]).then(() => true);
      await staffRefs.write(username, ref);
      return send(ctx, [say(`已绑定工作人员账号 ${username}。有群众转人工时会在这里通知您，点「接单」即可接手。`)]).then(() => true);
    }
    const claimOf = a.value && typeof a.value === 'object' ? (a.value as { yiciClaim?: unknown }).yiciClaim : undefined;
    const username = await staff.whoIs(identity);
    if (typeof claimOf === 'string') {
      if (!username) return send(ctx, [say('请先在工作台获取绑定码，再发「绑定 绑定码」给我。')]).then(() => true);
      await staffRefs.write(username, ref);
      const r = await staff.claim(username, claimOf);
      if (!r.ok) return send(ctx, [say(`没能接单：${r.reason}`)]).then(() => true);
      await active.write(username, { sessionId: claimOf });
      return send(ctx, [say('已接单。现在在这里输入的话会直接发给群众；说「结束服务」结束本次服务。')]).then(() => true);
    }
    if (!username) return false;
    const current = await active.read(username);
    if (!current?.sessionId) return false;
    if (/^结束服务$/.test(typed)) {
      const r = await staff.resolve(username, current.sessionId);
      await active.delete(username);
      return send(ctx, [say(r.ok ? '已结束本次服务。' : `结束时出了问题：${r.reason}`)]).then(() => true);
    }
    const r = await staff.reply(username, current.sessionId, typed);
    if (!r.ok) {
      if (r.code === 'not_claimed' || r.code === 'not_yours') await active.delete(username);
      await send(ctx, [say(`没有发出：${r.reason}`)]);
    }
    return true;
  }

  /**
   * The client address of the request each turn came in (as the HTTP limits count it): new
   * handoffs are limited per client address, as for the chat route.
   */
  const clientOf = new WeakMap<TurnContextLike, string>();

  /** The Bot Framework turn under a botkit worker. */
  const contextOf = (bot: BotWorker) => (bot as unknown as { getConfig(key: string): TurnContextLike }).getConfig('context');

  /**
   * Botkit rethrows a handler's error where nothing catches it, which would end the process (an
   * unreachable serviceUrl, a store failure): every turn handler logs its failure instead.
   */
  const safely =
    (event: string, handler: (bot: BotWorker, message: BotkitMessage) => Promise<unknown>) =>
    async (bot: BotWorker, message: BotkitMessage) => {
      try {
        await handler(bot, message);
      } catch (err) {
        o.logger.error('teams_turn_failed', { event, error: String((err as Error).message ?? err).split('\n')[0] });
      }
    };

  controller?.on('message', safely('message', async (bot: BotWorker, message: BotkitMessage) => {
    const ctx = contextOf(bot);
    const a = ctx.activity;
    const ref = referenceOf(a);
    if (!ref) return;
    const typed = stripMention(String(message.text ?? a.text ?? ''));
    if (await staffTurn(ctx, ref, typed)) return;
    const sessionId = teamsSessionId(ref.conversation.id);
    await refs.write(sessionId, ref);
    const choice = submittedChoice(a.value);
    let input: UserInput;
    if (choice) input = { choice };
    else if (typed.length > 0) {
      if (typed.length > o.maxMessageLength) return send(ctx, [{ type: 'message', text: `消息太长了，请控制在 ${o.maxMessageLength} 字以内。` }]);
      input = { text: typed };
    } else return send(ctx, [{ type: 'message', text: '请输入文字或点选按钮。' }]);
    let activities: CardActivity[];
    try {
      const out = await o.chat.handle(sessionId, input, 'teams', undefined, clientOf.get(ctx));
      activities = renderActivities(out.replies, o.publicUrl ?? null);
    } catch (err) {
      o.logger.error('teams_turn_failed', { error: String((err as Error).message ?? err) });
      activities = [{ type: 'message', text: '抱歉，系统出了点问题。请稍后再试，或拨打 12345 热线。' }];
    }
    // A connector that cannot be reached fails once (logged by `safely`), not twice with an apology.
    await send(ctx, activities);
  }));

  controller?.on('conversationUpdate', safely('conversationUpdate', async (bot: BotWorker) => {
    const ctx = contextOf(bot);
    const a = ctx.activity;
    const ref = referenceOf(a);
    if (ref) await refs.write(teamsSessionId(ref.conversation.id), ref);
    // Greet once, when the bot itself is added to the conversation.
    if (a.membersAdded?.some((m) => m.id === a.recipient?.id)) await send(ctx, [WELCOME]);
  }));

  const router = Router();
  router.post(TEAMS_PATH, async (req, res) => {
    if (!controller || !adapter) {
      res.status(404).json({ error: { code: 'teams_not_configured', message: '没有配置 MicrosoftAppId / MicrosoftAppPassword，Teams 接口未启用。' } });
      return;
    }
    // Without credentials nothing is verified, so only this machine may talk to the endpoint, and
    // replies go only to a connector on this machine (the Bot Framework Emulator, tests).
    if (emulator) {
      const refusal = emulatorRefusal(req);
      if (refusal) {
        o.logger.warn('teams_emulator_refused', { reason: refusal });
        res.status(401).json({ error: { code: 'unauthorized', message: `未配置 MicrosoftAppId / MicrosoftAppPassword：${refusal}` } });
        return;
      }
    }
    const { answer, res: captured } = captureAnswer();
    try {
      await adapter.processActivity(req, captured, async (ctx) => {
        clientOf.set(ctx, addressKey(req));
        await (controller as unknown as { handleTurn(ctx: unknown): Promise<void> }).handleTurn(ctx);
      });
    } catch (err) {
      // 400 for a bad body, 401 for a missing or bad token; the exception text stays in the log.
      o.logger.warn('teams_request_refused', { status: answer.status, error: String((err as Error).message ?? err).split('\n')[0] });
      if (answer.status < 400) answer.status = 500;
    }
    if (!res.headersSent) sendAdapterAnswer(res, answer);
  });

  return {
    name: 'teams',
    // A message to Teams is sent once, by the instance where it was added.
    delivery: 'platform',
    emulator,
    router,
    /** An officer's or the system's message to a citizen who talks to us in Teams. */
    async deliver(sessionId: string, message: TranscriptMessage) {
      if (!sessionId.startsWith('teams-')) return false;
      const ref = adapter ? await refs.read(sessionId) : undefined;
      if (!ref || !adapter) return false;
      const activities = renderActivities(message.replies, o.publicUrl ?? null).map((x) =>
        message.from === 'officer' && x.text && !x.attachments ? { ...x, text: `【工作人员】${x.text}` } : x,
      );
      try {
        await adapter.continueConversation(ref, async (ctx) => send(ctx, activities));
        return true;
      } catch (err) {
        o.logger.warn('teams_deliver_failed', { sessionId, error: String((err as Error).message ?? err) });
        return false;
      }
    },
    async notifyStaff(username: string, notice: StaffNotice) {
      const ref = adapter ? await staffRefs.read(username) : undefined;
      if (!ref || !adapter) return false;
      const activity = caseNoticeActivity(notice);
      try {
        await adapter.continueConversation(ref, async (ctx) => send(ctx, [activity]));
        return true;
      } catch (err) {
        o.logger.warn('teams_notify_failed', { username, error: String((err as Error).message ?? err) });
        return false;
      }
    },
    async close() {},
  };
}
