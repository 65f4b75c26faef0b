/**
 * A local stand-in for WeChat, for the channel's tests and its benchmark: it signs and encrypts
 * messages to Yici's /api/wechat as the official documentation says (「接入概述」「消息加解密说明」),
 * and serves the API calls Yici makes — GET /cgi-bin/token, POST /cgi-bin/message/custom/send and
 * POST /cgi-bin/menu/create — counting them.
 *
 * The crypto here is written from the documentation with node:crypto, not with the library the
 * channel uses, so that a mistake shared by both cannot pass unnoticed.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeWechatOptions {
  token: string;
  appId: string;
  appSecret: string;
  /** EncodingAESKey: messages are sent in 安全模式 when given. */
  aesKey?: string;
  /** Lifetime of the access tokens it issues, in seconds (WeChat: 7200). */
  tokenLifetime?: number;
  /** WeChat's clock, for the timestamps it signs and the tokens' expiry (tests move it with Yici's). */
  now?: () => number;
}

export interface SentMessage {
  touser: string;
  content: string;
  accessToken: string;
}

export interface WechatAnswer {
  status: number;
  /** The raw body (an XML reply, "success", or a JSON error). */
  body: string;
  /** The reply's fields (decrypted and its signature checked in 安全模式); null for "success" or an error. */
  reply: Record<string, string> | null;
}

export const sha1Sorted = (parts: string[]): string => createHash('sha1').update([...parts].sort().join(''), 'utf8').digest('hex');

/** AES-256-CBC with the EncodingAESKey as the documentation describes it. */
export function docEncrypt(aesKey: string, appId: string, message: string): string {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(appId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

export function docDecrypt(aesKey: string, encrypted: string): { message: string; appId: string } {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const plain = padded.subarray(0, padded.length - padded[padded.length - 1]!);
  const len = plain.readUInt32BE(16);
  return { message: plain.subarray(20, 20 + len).toString('utf8'), appId: plain.subarray(20 + len).toString('utf8') };
}

/** The children of <xml>, CDATA or plain text — enough for the replies WeChat's clients accept. */
export function xmlFields(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /<(\w+)>(?:((?:<!\[CDATA\[[\s\S]*?\]\]>)+)|([^<]*))<\/\1>/g;
  for (const m of xml.matchAll(re)) {
    const value = m[2] !== undefined ? [...m[2].matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((c) => c[1]).join('') : (m[3] ?? '');
    if (m[1] !== 'xml') out[m[1]!] = value;
  }
  return out;
}

const cdata = (s: string) => `<![CDATA[${s}]]>`;

/** A message as WeChat posts it. `fields` beyond the common four are written as given. */
export function messageXml(from: string, to: string, fields: Record<string, string | number>, createTime = Math.floor(Date.now() / 1000)): string {
  const parts = [`<ToUserName>${cdata(to)}</ToUserName>`, `<FromUserName>${cdata(from)}</FromUserName>`, `<CreateTime>${createTime}</CreateTime>`];
  // Numbers (MsgId, coordinates) are written bare, as WeChat does; text in CDATA.
  for (const [k, v] of Object.entries(fields)) parts.push(typeof v === 'number' || k === 'MsgId' ? `<${k}>${v}</${k}>` : `<${k}>${cdata(v)}</${k}>`);
  return `<xml>${parts.join('')}</xml>`;
}

export interface FakeWechat {
  apiBase: string;
  /** The account's original id (ToUserName of citizens' messages). */
  account: string;
  calls: { token: number; send: number; menu: number };
  sent: SentMessage[];
  menus: unknown[];
  /** Every token issued so far is expired from now on (the API answers 42001). */
  expireTokens(): void;
  /** The API answers 45015 (out of the 48-hour window) for this openid. */
  refuseWindow(openid: string): void;
  /** Signs (and in 安全模式 encrypts) a message for Yici: the query string and the body. */
  sign(xml: string, options?: { timestamp?: number; token?: string; appId?: string }): { query: string; body: string };
  /** Posts a signed request to Yici's /api/wechat and reads the answer. */
  post(yiciUrl: string, signed: { query: string; body: string }): Promise<WechatAnswer>;
  /** sign + post: a citizen's text message. */
  text(yiciUrl: string, openid: string, content: string, msgId?: string): Promise<WechatAnswer>;
  /** sign + post: an event (subscribe, CLICK with its key). */
  event(yiciUrl: string, openid: string, event: string, key?: string, createTime?: number): Promise<WechatAnswer>;
  close(): Promise<void>;
}

let msgIds = 7_000_000_000_000_000_000n;
export const nextMsgId = (): string => String(++msgIds);

export async function startFakeWechat(o: FakeWechatOptions): Promise<FakeWechat> {
  const now = o.now ?? Date.now;
  const account = 'gh_0123456789ab';
  const calls = { token: 0, send: 0, menu: 0 };
  const sent: SentMessage[] = [];
  const menus: unknown[] = [];
  const issued = new Map<string, { expiresAt: number; expired: boolean }>();
  const windowClosed = new Set<string>();
  let counter = 0;

  const json = (res: import('node:http').ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      if (url.pathname === '/cgi-bin/token' && req.method === 'GET') {
        calls.token++;
        if (url.searchParams.get('grant_type') !== 'client_credential' || url.searchParams.get('appid') !== o.appId || url.searchParams.get('secret') !== o.appSecret) {
          return json(res, { errcode: 40013, errmsg: 'invalid appid or secret' });
        }
        const token = `ACCESS_TOKEN_${++counter}_${randomBytes(4).toString('hex')}`;
        const lifetime = o.tokenLifetime ?? 7200;
        issued.set(token, { expiresAt: now() + lifetime * 1000, expired: false });
        return json(res, { access_token: token, expires_in: lifetime });
      }
      const token = url.searchParams.get('access_token') ?? '';
      const held = issued.get(token);
      const tokenError = !held ? { errcode: 40001, errmsg: 'invalid credential' } : held.expired || held.expiresAt < now() ? { errcode: 42001, errmsg: 'access_token expired' } : null;
      if (url.pathname === '/cgi-bin/message/custom/send' && req.method === 'POST') {
        calls.send++;
        if (tokenError) return json(res, tokenError);
        const body = JSON.parse(data) as { touser: string; msgtype: string; text?: { content: string } };
        if (windowClosed.has(body.touser)) return json(res, { errcode: 45015, errmsg: 'response out of time limit or subscription is canceled' });
        sent.push({ touser: body.touser, content: body.text?.content ?? '', accessToken: token });
        return json(res, { errcode: 0, errmsg: 'ok' });
      }
      if (url.pathname === '/cgi-bin/menu/create' && req.method === 'POST') {
        calls.menu++;
        if (tokenError) return json(res, tokenError);
        menus.push(JSON.parse(data));
        return json(res, { errcode: 0, errmsg: 'ok' });
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sign: FakeWechat['sign'] = (xml, options = {}) => {
    const timestamp = String(options.timestamp ?? Math.floor(now() / 1000));
    const nonce = String(randomBytes(4).readUInt32BE(0));
    const token = options.token ?? o.token;
    const q = new URLSearchParams({ signature: sha1Sorted([token, timestamp, nonce]), timestamp, nonce });
    if (!o.aesKey) return { query: q.toString(), body: xml };
    const fields = xmlFields(xml);
    const encrypted = docEncrypt(o.aesKey, options.appId ?? o.appId, xml);
    q.set('openid', fields.FromUserName ?? '');
    q.set('encrypt_type', 'aes');
    q.set('msg_signature', sha1Sorted([token, timestamp, nonce, encrypted]));
    return { query: q.toString(), body: `<xml><ToUserName>${cdata(fields.ToUserName ?? '')}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt></xml>` };
  };

  const post: FakeWechat['post'] = async (yiciUrl, signed) => {
    const res = await fetch(`${yiciUrl}/api/wechat?${signed.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: signed.body });
    const body = await res.text();
    if (res.status !== 200 || !body.startsWith('<xml>')) return { status: res.status, body, reply: null };
    let reply = xmlFields(body);
    if (o.aesKey) {
      // 安全模式: the reply is an envelope whose MsgSignature must check out.
      const { Encrypt: enc = '', MsgSignature: sig, TimeStamp: ts = '', Nonce: nonce = '' } = reply;
      if (sha1Sorted([o.token, ts, nonce, enc]) !== sig) throw new Error('the encrypted reply is not signed with the token');
      const opened = docDecrypt(o.aesKey, enc);
      if (opened.appId !== o.appId) throw new Error(`the reply is encrypted for ${opened.appId}`);
      reply = xmlFields(opened.message);
    }
    return { status: res.status, body, reply };
  };

  return {
    apiBase,
    account,
    calls,
    sent,
    menus,
    expireTokens: () => {
      for (const t of issued.values()) t.expired = true;
    },
    refuseWindow: (openid) => void windowClosed.add(openid),
    sign,
    post,
    text: (yiciUrl, openid, content, msgId = nextMsgId()) => post(yiciUrl, sign(messageXml(openid, account, { MsgType: 'text', Content: content, MsgId: msgId }, Math.floor(now() / 1000)))),
    event: (yiciUrl, openid, event, key, createTime = Math.floor(now() / 1000)) =>
      post(yiciUrl, sign(messageXml(openid, account, { MsgType: 'event', Event: event, ...(key !== undefined ? { EventKey: key } : {}) }, createTime))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The official account the WeChat tests register (AppID of Tencent's published sample). */
export const TEST_ACCOUNT = {
  token: 'yiciWechatToken1',
  appId: 'wx2c2769f8efd9abc2',
  appSecret: 'fakeappsecret0123456789abcdef0123',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
} as const;

/** Yici's WECHAT_* settings for TEST_ACCOUNT in 安全模式, its API at the fake's `apiBase`. */
export const wechatEnv = (apiBase: string): Record<string, string> => ({
  WECHAT_TOKEN: TEST_ACCOUNT.token,
  WECHAT_APP_ID: TEST_ACCOUNT.appId,
  WECHAT_APP_SECRET: TEST_ACCOUNT.appSecret,
  WECHAT_AES_KEY: TEST_ACCOUNT.aesKey,
  WECHAT_API_BASE: apiBase,
});
