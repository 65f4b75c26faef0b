/**
 * The WeChat official account (微信公众号) at GET|POST /api/wechat — the 「服务器配置」 URL.
 *
 * GET answers WeChat's check of the URL (echostr, only with the right signature). POST takes
 * messages and events: plain (明文模式, signature over token, timestamp and nonce) or encrypted
 * (安全模式, msg_signature over the ciphertext too, AES with the EncodingAESKey and the AppId
 * checked); once WECHAT_AES_KEY is set only encrypted messages are taken. The answer is a passive
 * reply (one XML text message) within WeChat's five seconds; an answer that is not ready by then is
 * sent through the customer-service API instead, and the passive reply is "success".
 *
 * WeChat retries a message three times when it waits too long. Each message is handled once: the
 * citizen's record holds the replies of their recent messages (by MsgId, events by CreateTime and
 * event), read and written under a store lock that every instance sharing the store honours. A retry
 * that arrives while the message is being handled waits on the lock and gets the same reply; one
 * that arrives later gets it from the record. Nothing is stored twice.
 *
 * A citizen is the session `wechat-<sha256 of the openid>`; the openid itself is kept only in the
 * channel's record, for sending officers' replies through the customer-service API, which WeChat
 * allows within 48 hours of the citizen's last message or click. Beyond that, deliver() refuses,
 * the officer sees a notice in the conversation, and the reply goes out with the citizen's next
 * passive reply.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express, { Router, type RequestHandler, type Response } from 'express';
import type { Config, WechatSettings } from '../../config.js';
import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Choice, Reply, UserInput } from '../../core/types.js';
import type { Flow } from '../../dialogue/parse-flows.js';
import type { Engine } from '../../knowledge/engine.js';
import { StartupError } from '../../server/startup-error.js';
import type { ChatService, TranscriptMessage } from '../../service/chat-service.js';
import type { Store } from '../../storage/ports.js';
import type { Channel } from '../channel.js';
import { createWechatApi, WechatApiError, type WechatApi } from './wechat-api.js';
import { decryptMessage, encryptMessage, newNonce, sameSignature, signatureOf } from './wechat-crypto.js';
import { clickInput, parseWechatMenu, type WechatMenu } from './wechat-menu.js';
import { encryptedReplyXml, newsReplyXml, readMessage, readXml, textReplyXml, type InboundMessage, type NewsArticle } from './wechat-xml.js';
import { choiceFor, cutToBytes, positionOutOfRange, renderWechat, TEXT_LIMIT_BYTES } from './render-wechat.js';

export const WECHAT_PATH = '/api/wechat';

/** WeChat gives up on a request after 5 s; the passive reply waits this long for the answer. */
export const PASSIVE_WAIT_MS = 4500;
/** The customer-service API may message a citizen this long after their last message or click. */
export const SERVICE_WINDOW_MS = 48 * 3600_000;
/** A request whose timestamp is further than this from our clock is refused (a replayed request). */
export const TIMESTAMP_WINDOW_MS = 10 * 60_000;
/** How long, and how many, handled messages a citizen's record remembers against retries and replays. */
const RECENT_MS = 30 * 60_000;
const RECENT_MAX = 10;
/** Officers' replies kept for a citizen beyond the 48 hours, sent with their next message. */
const UNDELIVERED_MAX = 5;
/** The largest body WeChat sends is well under this (an encrypted text message of 2,048 bytes is ~3 KB). */
const BODY_LIMIT = '32kb';

const SORRY = '抱歉，系统出了点问题。请稍后再试，或拨打 12345 热线。';
const PLEASE_TYPE = '抱歉，目前只能看懂文字（也可以发语音，我会按识别出的文字回答）。请直接输入文字说说您要办的事，比如「身份证丢了怎么补」。';
const DEFAULT_WELCOME =
  '您好，欢迎关注！我是「一次」办事小助手，帮您把要办的事一次弄清楚：要带什么材料、去哪里办。直接用大白话问我就行，比如「开个小卖部要办啥证」「身份证丢了怎么补」。需要工作人员帮忙时，回复「转人工」。';

/** The session of a WeChat citizen: a stable hash of the openid, which is personal data. */
export const wechatSessionId = (openid: string): string => `wechat-${createHash('sha256').update(`wechat:${openid}`, 'utf8').digest('hex').slice(0, 32)}`;

/** What the channel keeps per citizen (collection `wechat-users`, by session id). */
export interface WechatUser {
  openid: string;
  /** The account's id (ToUserName of the citizen's messages): the sender of passive replies. */
  account: string;
  /** The last message, click or 关注 — the start of the 48-hour window. */
  lastInboundAt: string;
  /** The choices of the last message sent, numbered from 1; `words` are offered by label only. */
  choices: Choice[];
  words: Choice[];
  /** Recently handled messages with the reply each got: retries get the same reply. */
  recent: { key: string; at: string; reply: string | null; pushed: boolean; news?: NewsArticle }[];
  /** Officers' replies WeChat would not take (beyond 48 h), for the next passive reply. */
  undelivered: string[];
}

/** The notice an officer sees when a reply cannot reach WeChat; deliver() never sends it itself. */
const UNDELIVERED_STATUS = 'wechat_undelivered';
const isOwnNotice = (m: TranscriptMessage) => m.replies.some((r) => r.type === 'handoff' && r.status === UNDELIVERED_STATUS);

export interface WechatChannelOptions {
  chat: ChatService;
  logger: Logger;
  store: Store;
  config: Pick<Config, 'wechat' | 'publicUrl' | 'maxMessageLength'>;
  /** The knowledge base and walkthroughs, to check the menu's clicks at start-up. */
  engine: () => Engine;
  flows: () => readonly Flow[];
  now?: (() => Date) | undefined;
  /** How long a passive reply waits for the answer before it says "success" and the API sends it. */
  passiveWaitMs?: number;
}

/**
 * A turn's answer: `reply` is the text; with `news` (WECHAT_NEWS=on and a checklist) the passive
 * reply is that 图文 card and the text goes through the customer-service API, once (`fresh`: not
 * a retry's recorded answer).
 */
type Outcome = { reply: string | null; late: boolean; news?: NewsArticle; fresh?: boolean };

/** A refusal of the request (not of the citizen's message): JSON, as every error of the HTTP contract. */
const refuse = (res: Response, status: number, code: string, message: string) => res.status(status).json({ error: { code, message } });

export function createWechatChannel(o: WechatChannelOptions): Channel {
  const settings = o.config.wechat;
  const router = Router();
  if (!settings) {
    router.all(WECHAT_PATH, (_req, res) => {
      refuse(res, 404, 'wechat_not_configured', '没有配置 WECHAT_TOKEN，微信公众号接口未启用。');
    });
    o.logger.info('wechat_off', { message: '未设置 WECHAT_TOKEN：微信公众号接口 /api/wechat 未启用。' });
    return { name: 'wechat', router, close: async () => {} };
  }
  return enabledChannel(o, settings, router);
}

function loadMenu(file: string, o: WechatChannelOptions, logger: Logger): WechatMenu | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      logger.warn('wechat_menu_missing', { file, message: '没有公众号菜单文件：点菜单时会请群众直接输入问题。' });
      return null;
    }
    throw err;
  }
  const engine = o.engine();
  const r = parseWechatMenu(text, file, { entry: (id) => engine.entry(id) !== undefined, flow: (id) => o.flows().some((f) => f.id === id) });
  if (!r.ok) throw new StartupError(`微信公众号菜单校验失败（${file}），服务未启动。请按提示修改后再启动：`, r.problems);
  return r.menu;
}

function enabledChannel(o: WechatChannelOptions, s: WechatSettings, router: Router): Channel {
  const { chat, logger, store } = o;
  const now = () => (o.now ?? (() => new Date()))();
  const passiveWaitMs = o.passiveWaitMs ?? PASSIVE_WAIT_MS;
  const users = store.documents<WechatUser>('wechat-users');
  const menu = loadMenu(s.menuFile, o, logger);
  const api: WechatApi | null =
    s.appId && s.appSecret ? createWechatApi({ apiBase: s.apiBase, appId: s.appId, appSecret: s.appSecret, store, logger, now: () => now().getTime() }) : null;
  const encrypted = Boolean(s.aesKey && s.appId);
  // Links in messages need the public address; without PUBLIC_URL, the one WeChat's requests came to.
  let seenBase: string | null = null;
  const base = () => o.config.publicUrl ?? seenBase;

  logger.info('wechat_on', {
    mode: encrypted ? '安全模式（只接受加密消息）' : '明文模式（建议在公众平台改为安全模式并设置 WECHAT_AES_KEY）',
    api: api ? '已配置：工作人员的回复可以发到微信' : '未设置 WECHAT_APP_ID / WECHAT_APP_SECRET：工作人员的回复无法发到微信',
    menu: menu ? `${menu.clicks.size} 个点击菜单` : '无',
  });

  /** The citizen's record, changed under the lock every instance honours (see the file comment). */
  const withUser = <T>(sessionId: string, task: () => Promise<T>) => store.exclusive(`wechat:user:${sessionId}`, task);

  /** Whether the request is signed by WeChat with our token, at about the present time. */
  const freshAndSigned = (q: Record<string, unknown>, encryptedPart?: string): 'ok' | 'stale' | 'bad' => {
    const timestamp = typeof q.timestamp === 'string' ? q.timestamp : '';
    const nonce = typeof q.nonce === 'string' ? q.nonce : '';
    if (!/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9]{1,64}$/.test(nonce)) return 'bad';
    const presented = encryptedPart === undefined ? q.signature : q.msg_signature;
    if (!sameSignature(presented, signatureOf(s.token, timestamp, nonce, encryptedPart))) return 'bad';
    return Math.abs(now().getTime() - Number(timestamp) * 1000) <= TIMESTAMP_WINDOW_MS ? 'ok' : 'stale';
  };

  const SIGNATURE_REFUSED = '签名校验失败：请求不是用公众平台「服务器配置」里的令牌（WECHAT_TOKEN）签名的。';
  const STALE_REFUSED = '请求的时间戳与服务器时间相差超过 10 分钟，拒绝处理（可能是重放的请求；请检查服务器时钟）。';

  router.get(WECHAT_PATH, (req, res) => {
    const q = req.query as Record<string, unknown>;
    const echostr = typeof q.echostr === 'string' ? q.echostr : '';
    if (!echostr) return void refuse(res, 400, 'invalid_request', '缺少 echostr。');
    // WeCom-style check of an encrypted echostr; official accounts send it in plain.
    const sealed = typeof q.msg_signature === 'string' && s.aesKey && s.appId;
    const check = freshAndSigned(q, sealed ? echostr : undefined);
    if (check !== 'ok') return void refuse(res, 401, check === 'stale' ? 'stale_request' : 'bad_signature', check === 'stale' ? STALE_REFUSED : SIGNATURE_REFUSED);
    if (!sealed) return void res.type('text/plain').send(echostr);
    const opened = decryptMessage(s.aesKey!, s.appId!, echostr);
    if (!opened.ok) return void refuse(res, opened.reason === 'wrong_app_id' ? 403 : 400, opened.reason, '无法解开 echostr。');
    res.type('text/plain').send(opened.message);
  });

  // Plain mode signs the URL only: an unsigned request is refused before its body is read.
  const plainSignature: RequestHandler = (req, res, next) => {
    if (encrypted) return next();
    const check = freshAndSigned(req.query as Record<string, unknown>);
    if (check === 'ok') return next();
    refuse(res, 401, check === 'stale' ? 'stale_request' : 'bad_signature', check === 'stale' ? STALE_REFUSED : SIGNATURE_REFUSED);
  };
  router.post(WECHAT_PATH, plainSignature, express.text({ type: () => true, limit: BODY_LIMIT, defaultCharset: 'utf-8' }), async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const body = typeof req.body === 'string' ? req.body : null;
    if (!body) return void refuse(res, 400, 'invalid_xml', '请求体应为微信消息 XML（text/xml）。');
    const outer = readXml(body);
    if (!outer.ok) return void refuse(res, 400, outer.code, outer.message);
    let fields = outer.value;
    if (encrypted) {
      const sealed = fields.Encrypt;
      if (!sealed || q.encrypt_type !== 'aes') {
        return void refuse(res, 400, 'encryption_required', '已设置 WECHAT_AES_KEY，只接受安全模式的加密消息：请在公众平台「服务器配置」选择安全模式。');
      }
      const check = freshAndSigned(q, sealed);
      if (check !== 'ok') return void refuse(res, 401, check === 'stale' ? 'stale_request' : 'bad_signature', check === 'stale' ? STALE_REFUSED : '消息签名（msg_signature）校验失败。');
      const opened = decryptMessage(s.aesKey!, s.appId!, sealed);
      if (!opened.ok) {
        return void (opened.reason === 'wrong_app_id'
          ? refuse(res, 403, 'wrong_app_id', '加密消息不是发给本公众号的（AppID 不符），拒绝处理。')
          : refuse(res, 400, 'bad_ciphertext', '无法解密消息：请检查 WECHAT_AES_KEY 是否与公众平台的 EncodingAESKey 相同。'));
      }
      const inner = readXml(opened.message);
      if (!inner.ok) return void refuse(res, 400, inner.code, inner.message);
      fields = inner.value;
    }
    const message = readMessage(fields);
    if (!message.ok) return void refuse(res, 400, message.code, message.message);
    const msg = message.value;
    if (!o.config.publicUrl) seenBase = `${req.protocol}://${req.get('host')}`;

    const answered = await answerWithin(msg);
    if (answered === null) return void res.type('text/plain').send('success');
    const createTime = Math.floor(now().getTime() / 1000);
    const xml = answered.news ? newsReplyXml(msg.FromUserName, msg.ToUserName, createTime, answered.news) : textReplyXml(msg.FromUserName, msg.ToUserName, createTime, answered.reply!);
    // The card is the passive reply; the answer's text follows it through the API (not again on a retry).
    if (answered.news && answered.fresh && answered.reply && api) {
      const text = answered.reply;
      setImmediate(() => void api.sendText(msg.FromUserName, text).catch((err: unknown) => logger.error('wechat_news_text_failed', { error: String((err as Error).message ?? err) })));
    }
    if (!encrypted) return void res.type('text/xml').send(xml);
    const sealedReply = encryptMessage(s.aesKey!, s.appId!, xml);
    const timestamp = String(Math.floor(now().getTime() / 1000));
    const nonce = newNonce();
    res.type('text/xml').send(encryptedReplyXml(sealedReply, signatureOf(s.token, timestamp, nonce, sealedReply), timestamp, nonce));
  });
  router.all(WECHAT_PATH, (req, res) => {
    refuse(res, 405, 'method_not_allowed', `${WECHAT_PATH} 不支持 ${req.method}`);
  });

  /**
   * The passive reply's text, or null for "success". Waits for the answer up to the passive
   * deadline; an answer that comes later is sent through the customer-service API (when it is
   * configured — otherwise the request waits on, and WeChat's retry picks the answer up).
   */
  async function answerWithin(msg: InboundMessage): Promise<Outcome | null> {
    const ctl = { abandoned: false, committed: false };
    const work = handleOnce(msg, ctl);
    const passive = (o: Outcome): Outcome | null => (o.reply === null && !o.news ? null : o);
    if (!api) return passive(await work);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), passiveWaitMs)));
    const first = await Promise.race([work, deadline]);
    clearTimeout(timer);
    if (first !== 'late') return passive(first);
    // Recorded already (only the write is left): the answer is moments away, reply with it.
    if (ctl.committed) return passive(await work);
    ctl.abandoned = true;
    logger.warn('wechat_answer_late', { waitedMs: passiveWaitMs });
    void work.then(
      async (out) => {
        if (!out.late || out.reply === null) return;
        try {
          await api.sendText(msg.FromUserName, out.reply);
        } catch (err) {
          logger.error('wechat_late_answer_failed', { error: String((err as Error).message ?? err) });
        }
      },
      (err) => logger.error('wechat_turn_failed', { error: String((err as Error).message ?? err) }),
    );
    return null;
  }

  /**
   * Handles a message once (see the file comment); a retry or replay gets the recorded reply. The
   * reply is released as soon as it is known, while the record is still being written: the lock is
   * held until the write is done, so a retry still waits for it, and the write is off the path of
   * the passive reply (it is the second file write of a turn, after the conversation's).
   */
  function handleOnce(msg: InboundMessage, ctl: { abandoned: boolean; committed: boolean }): Promise<Outcome> {
    const sessionId = wechatSessionId(msg.FromUserName);
    const key = msg.MsgId ? `m:${msg.MsgId}` : `e:${msg.CreateTime}:${msg.Event ?? msg.MsgType}:${msg.EventKey ?? ''}`;
    return new Promise<Outcome>((resolve, reject) => {
      let released = false;
      const release = (o: Outcome) => {
        released = true;
        resolve(o);
      };
      withUser(sessionId, async () => {
        const at = now();
        const before = await users.read(sessionId);
        const recent = (before?.recent ?? []).filter((r) => at.getTime() - Date.parse(r.at) < RECENT_MS);
        const seen = recent.find((r) => r.key === key);
        if (seen) return release({ reply: seen.pushed ? null : seen.reply, late: false, ...(seen.news && !seen.pushed ? { news: seen.news } : {}) });
        if (msg.MsgType === 'event' && msg.Event === 'unsubscribe') return release({ reply: null, late: false });

        const user: WechatUser = before ?? { openid: msg.FromUserName, account: msg.ToUserName, lastInboundAt: at.toISOString(), choices: [], words: [], recent: [], undelivered: [] };
        const turn = await answer(sessionId, msg, user);
        // Officers' replies that could not be sent are passed on now that the citizen is back (also
        // when the turn itself has nothing to say: their words went to the officer holding the case).
        const room = TEXT_LIMIT_BYTES - (turn.text ? Buffer.byteLength(turn.text, 'utf8') + 2 : 0);
        const held = user.undelivered.length ? cutToBytes(`【工作人员此前的回复】\n${user.undelivered.join('\n')}`, Math.max(room, 400)) : '';
        const reply = cutToBytes([held, turn.text].filter(Boolean).join('\n\n'), TEXT_LIMIT_BYTES) || null;
        ctl.committed = !ctl.abandoned;
        const news: NewsArticle | undefined =
          s.news && api && turn.checklist ? { title: `【清单】${turn.checklist.title}`, description: `要带的材料共 ${turn.checklist.count} 项。点开看可打印的清单，办事时给窗口看。`, url: turn.checklist.url } : undefined;
        const next: WechatUser = {
          ...user,
          account: msg.ToUserName,
          lastInboundAt: at.toISOString(),
          ...(turn.text !== null ? { choices: turn.choices, words: turn.words } : {}),
          undelivered: held ? [] : user.undelivered,
          recent: [...recent, { key, at: at.toISOString(), reply, pushed: ctl.abandoned, ...(news ? { news } : {}) }].slice(-RECENT_MAX),
        };
        release({ reply, late: ctl.abandoned, fresh: true, ...(news ? { news } : {}) });
        await users.write(sessionId, next);
      }).catch((err: unknown) => {
        if (!released) return reject(err);
        // The citizen has the reply; a retry of this message would now be answered again.
        logger.error('wechat_record_failed', { sessionId, error: String((err as Error).message ?? err) });
      });
    });
  }

  type Turn = { text: string | null; choices: Choice[]; words: Choice[]; checklist?: { title: string; count: number; url: string } };
  const say = (text: string): Turn => ({ text, choices: [], words: [] });

  /** What the message asks of the assistant, and its answer as WeChat text. */
  async function answer(sessionId: string, msg: InboundMessage, user: WechatUser): Promise<Turn> {
    let input: UserInput;
    switch (msg.MsgType) {
      case 'text':
      case 'voice': {
        const typed = (msg.MsgType === 'voice' ? msg.Recognition : msg.Content)?.trim() ?? '';
        if (!typed) return say(msg.MsgType === 'voice' ? '抱歉，没听清您的语音。请再说一遍，或者直接输入文字。' : PLEASE_TYPE);
        if (typed.length > o.config.maxMessageLength) return say(`消息太长了，请控制在 ${o.config.maxMessageLength} 字以内。`);
        const choice = choiceFor(typed, user.choices, user.words);
        const offered = choice ? null : positionOutOfRange(typed, user.choices);
        if (offered !== null) return { ...say(`请回复 1 到 ${offered} 之间的数字，或者直接输入您的问题。`), choices: user.choices, words: user.words };
        input = choice ? { choice } : { text: typed };
        break;
      }
      case 'event': {
        if (msg.Event === 'subscribe') return say(menu?.file.welcome ?? DEFAULT_WELCOME);
        if (msg.Event !== 'CLICK') return { text: null, choices: user.choices, words: user.words };
        const action = menu?.clicks.get(msg.EventKey ?? '');
        if (!action) return say('这个菜单暂时没有内容。请直接输入您要办的事，我来帮您查。');
        input = clickInput(action);
        break;
      }
      default:
        return say(PLEASE_TYPE);
    }
    try {
      // New handoffs are limited per follower (the openid's conversation), not per WeChat server address.
      const out = await chat.handle(sessionId, input, 'wechat', undefined, `wechat:${sessionId}`);
      if (out.replies.length === 0) return { text: null, choices: user.choices, words: user.words };
      return renderWechat(out.replies, base());
    } catch (err) {
      // A refusal meant for the citizen (too many 转人工, say) is said; a web conversation that took
      // this session id first (session_forbidden) is an error of ours, not theirs.
      if (err instanceof AppError && err.status < 500 && err.code !== 'session_forbidden') return say(err.message);
      logger.error('wechat_turn_failed', { sessionId, error: String((err as Error).message ?? err) });
      return say(SORRY);
    }
  }

  /** Tells the officer (in the conversation they see) that a message did not reach the citizen. */
  const tellOfficer = (sessionId: string, text: string) =>
    chat.post(sessionId, 'system', [{ type: 'handoff', status: UNDELIVERED_STATUS, text } satisfies Reply]).catch((err: unknown) => {
      logger.error('wechat_notice_failed', { sessionId, error: String((err as Error).message ?? err) });
    });

  return {
    name: 'wechat',
    router,
    // Sent through WeChat's API once, by the instance where the officer replied (not once per instance).
    delivery: 'platform',
    /** An officer's or the system's message, through the customer-service API within the 48 hours. */
    async deliver(sessionId: string, message: TranscriptMessage) {
      if (!sessionId.startsWith('wechat-') || isOwnNotice(message)) return false;
      const rendered = renderWechat(message.replies, base());
      const text = message.from === 'officer' ? `【工作人员】${rendered.text}` : rendered.text;
      const user = await users.read(sessionId);
      if (!user) return false;
      /** Keeps an officer's reply for the citizen's next message. */
      const keep = () =>
        message.from !== 'officer'
          ? Promise.resolve()
          : withUser(sessionId, async () => {
              const u = (await users.read(sessionId)) ?? user;
              await users.write(sessionId, { ...u, undelivered: [...u.undelivered, text].slice(-UNDELIVERED_MAX) });
            });
      // The API call is made outside the citizen's lock: a slow API must not hold up their messages.
      const outcome = await (async (): Promise<'sent' | 'window' | 'no_api' | string> => {
        if (now().getTime() - Date.parse(user.lastInboundAt) > SERVICE_WINDOW_MS) return keep().then(() => 'window');
        if (!api) return 'no_api';
        try {
          await api.sendText(user.openid, text);
        } catch (err) {
          const errcode = err instanceof WechatApiError ? err.errcode : -1;
          logger.warn('wechat_deliver_failed', { sessionId, errcode, error: String((err as Error).message ?? err) });
          // 45015: WeChat's own count of the 48 hours says no.
          if (errcode === 45015) return keep().then(() => 'window');
          return `微信接口没有接受这条消息（错误码 ${errcode}）`;
        }
        // What the citizen now sees numbered is this message's choices (a call-back offer, say).
        await withUser(sessionId, async () => {
          const u = await users.read(sessionId);
          if (u) await users.write(sessionId, { ...u, choices: rendered.choices, words: rendered.words });
        });
        return 'sent';
      })();
      if (outcome === 'sent') return true;
      // Only what an officer did needs an officer told; a notice of ours that failed stays in the log.
      if (message.from !== 'officer' && outcome !== 'window') return false;
      if (outcome === 'window') {
        await tellOfficer(
          sessionId,
          message.from === 'officer'
            ? '⚠ 这条回复没有送达微信：群众已超过 48 小时没有在公众号里发消息或点菜单，微信不允许公众号再主动给他发消息。群众下次在公众号发消息时，小助手会把您的回复一并转给他。急需联系的，请改为电话回访（请群众留电话，或查看「回电」列表里是否有他的号码）。'
            : '⚠ 系统通知没有送达微信：群众已超过 48 小时没有在公众号里发消息，微信不允许再主动发消息。',
        );
      } else if (outcome === 'no_api') {
        await tellOfficer(sessionId, '⚠ 这条回复没有送达微信：服务器没有配置公众号的 AppID 和 AppSecret（WECHAT_APP_ID、WECHAT_APP_SECRET），无法主动给微信群众发消息。请联系管理员，或改为电话回访。');
      } else {
        await tellOfficer(sessionId, `⚠ 这条回复没有送达微信：${outcome}。请稍后再发一次；仍不行请联系管理员，或改为电话回访。`);
      }
      return false;
    },
    async close() {},
  };
}
