/**
 * The XML of WeChat's server protocol: reading what WeChat posts and writing passive replies.
 * fast-xml-parser with entity processing off, and any DOCTYPE refused before parsing — an entity
 * declaration (the "billion laughs" bomb) is never read, let alone expanded. Values stay strings:
 * a MsgId is a 64-bit number that a JavaScript number would round.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A message or event as WeChat sends it (the fields Yici reads; all strings). */
export interface InboundMessage {
  ToUserName: string;
  FromUserName: string;
  CreateTime: string;
  MsgType: string;
  Content?: string;
  MsgId?: string;
  Event?: string;
  EventKey?: string;
  Recognition?: string;
}

export type XmlRead<T> = { ok: true; value: T } | { ok: false; code: 'xml_doctype' | 'invalid_xml'; message: string };

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 10,
});

/** `<!DOCTYPE`, `<!ENTITY` and the like anywhere in the body: WeChat never sends them. */
const DECLARATION = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

/** The children of the root `<xml>` element, as strings; anything else is malformed. */
export function readXml(body: string): XmlRead<Record<string, string>> {
  if (DECLARATION.test(body)) {
    return { ok: false, code: 'xml_doctype', message: '请求体含有 DOCTYPE 或实体声明，拒绝处理（微信消息不会含有它们）。' };
  }
  const bad = { ok: false as const, code: 'invalid_xml' as const, message: '请求体不是有效的微信消息 XML。' };
  if (XMLValidator.validate(body) !== true) return bad;
  let parsed: unknown;
  try {
    parsed = parser.parse(body);
  } catch {
    return bad;
  }
  const root = (parsed as { xml?: unknown } | null)?.xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) return bad;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    // Nested elements (ScanCodeInfo, SendLocationInfo, …) are not read; repeated fields are malformed.
    else if (Array.isArray(v)) return bad;
  }
  return { ok: true, value: out };
}

/** The fields of a message Yici handles; a message without the mandatory ones is malformed. */
export function readMessage(fields: Record<string, string>): XmlRead<InboundMessage> {
  const { ToUserName, FromUserName, CreateTime, MsgType } = fields;
  if (!ToUserName || !FromUserName || !CreateTime || !/^\d{1,12}$/.test(CreateTime) || !MsgType) {
    return { ok: false, code: 'invalid_xml', message: '微信消息缺少 ToUserName、FromUserName、CreateTime 或 MsgType。' };
  }
  const pick = (k: keyof InboundMessage) => (fields[k] !== undefined ? { [k]: fields[k] } : {});
  return {
    ok: true,
    value: { ToUserName, FromUserName, CreateTime, MsgType, ...pick('Content'), ...pick('MsgId'), ...pick('Event'), ...pick('EventKey'), ...pick('Recognition') },
  };
}

/** Text inside CDATA: a `]]>` in it is split across two sections. */
const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** A passive text reply to `to` (the citizen's openid) from `from` (the account's id). */
export const textReplyXml = (to: string, from: string, createTime: number, content: string): string =>
  `<xml><ToUserName>${cdata(to)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${createTime}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content></xml>`;

/** One 图文 article: a title, a line under it and the page it opens. */
export interface NewsArticle {
  title: string;
  description: string;
  url: string;
}

/** A passive 图文 (news) reply with one article. */
export const newsReplyXml = (to: string, from: string, createTime: number, article: NewsArticle): string =>
  `<xml><ToUserName>${cdata(to)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${createTime}</CreateTime><MsgType>${cdata('news')}</MsgType><ArticleCount>1</ArticleCount>` +
  `<Articles><item><Title>${cdata(article.title)}</Title><Description>${cdata(article.description)}</Description><PicUrl>${cdata('')}</PicUrl><Url>${cdata(article.url)}</Url></item></Articles></xml>`;

/** The envelope of an encrypted passive reply (安全模式). */
export const encryptedReplyXml = (encrypted: string, signature: string, timestamp: string, nonce: string): string =>
  `<xml><Encrypt>${cdata(encrypted)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`;
