/**
 * The WeChat API calls Yici makes: the access token (GET /cgi-bin/token), customer-service messages
 * (POST /cgi-bin/message/custom/send — an officer's reply outside a passive reply) and the custom
 * menu (POST /cgi-bin/menu/create).
 *
 * The access token is shared through the store: fetching a new one invalidates the old one after a
 * few minutes, so instances sharing a store must not each fetch their own. It is renewed ahead of
 * its expiry, under a store lock so only one instance fetches; a call refused because the token
 * is expired or invalid (40001, 42001, 40014) renews it once and is tried once more.
 */
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../storage/ports.js';

/** The token is renewed this long before WeChat says it expires. */
export const TOKEN_RENEW_BEFORE_MS = 5 * 60_000;
/** No API call may hold up a turn or an officer for long. */
const CALL_TIMEOUT_MS = 5000;
/** Refusals that mean "get a new access token": invalid credential, expired token, invalid token. */
const STALE_TOKEN = new Set([40001, 42001, 40014]);

/** WeChat's answer to an API call that failed, with its errcode; messages are for logs, not citizens. */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    message: string,
  ) {
    super(message);
    this.name = 'WechatApiError';
  }
}

interface StoredToken {
  token: string;
  /** Epoch ms when WeChat said it expires. */
  expiresAt: number;
}

export interface WechatApiOptions {
  apiBase: string;
  appId: string;
  appSecret: string;
  store: Store;
  logger: Logger;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface WechatApi {
  /** Sends a text message to a citizen through the customer-service API (within 48 h of their last message). */
  sendText(openid: string, content: string): Promise<void>;
  /** Creates (replaces) the custom menu. */
  createMenu(menu: unknown): Promise<void>;
}

type Json = Record<string, unknown>;

export function createWechatApi(o: WechatApiOptions): WechatApi {
  const now = o.now ?? Date.now;
  const http = o.fetch ?? fetch;
  const tokens = o.store.documents<StoredToken>('wechat-access-token');
  const KEY = o.appId;

  const call = async (path: string, init?: { method: 'POST'; body: unknown }): Promise<Json> => {
    const res = await http(`${o.apiBase}${path}`, {
      method: init?.method ?? 'GET',
      ...(init ? { headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    if (!res.ok) throw new WechatApiError(-1, `HTTP ${res.status} from ${path.split('?')[0]}`);
    const body = (await res.json()) as unknown;
    if (!body || typeof body !== 'object') throw new WechatApiError(-1, `not JSON from ${path.split('?')[0]}`);
    return body as Json;
  };

  const fetchToken = async (): Promise<StoredToken> => {
    const q = new URLSearchParams({ grant_type: 'client_credential', appid: o.appId, secret: o.appSecret });
    const body = await call(`/cgi-bin/token?${q}`);
    if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new WechatApiError(Number(body.errcode ?? -1), `access token refused: ${String(body.errmsg ?? 'no token in the answer')}`);
    }
    o.logger.info('wechat_token_fetched', { expiresInSeconds: body.expires_in });
    return { token: body.access_token, expiresAt: now() + body.expires_in * 1000 };
  };

  /** A usable token: the stored one while it is fresh, else a new one (never `stale`, the one just refused). */
  const token = (stale?: string): Promise<string> =>
    o.store.exclusive(`wechat:access-token:${KEY}`, async () => {
      const held = await tokens.read(KEY);
      if (held && held.token !== stale && held.expiresAt - TOKEN_RENEW_BEFORE_MS > now()) return held.token;
      const fresh = await fetchToken();
      await tokens.write(KEY, fresh);
      return fresh.token;
    });

  /** An API call with the token; renewed once and retried once when WeChat says the token is stale. */
  const withToken = async (path: string, body: unknown): Promise<void> => {
    let t = await token();
    for (let attempt = 0; ; attempt++) {
      const answer = await call(`${path}?access_token=${encodeURIComponent(t)}`, { method: 'POST', body });
      const errcode = Number(answer.errcode ?? 0);
      if (errcode === 0) return;
      if (STALE_TOKEN.has(errcode) && attempt === 0) {
        o.logger.warn('wechat_token_refused', { errcode, path });
        t = await token(t);
        continue;
      }
      throw new WechatApiError(errcode, `${path}: ${String(answer.errmsg ?? 'refused')}`);
    }
  };

  return {
    sendText: (openid, content) => withToken('/cgi-bin/message/custom/send', { touser: openid, msgtype: 'text', text: { content } }),
    createMenu: (menu) => withToken('/cgi-bin/menu/create', menu),
  };
}
