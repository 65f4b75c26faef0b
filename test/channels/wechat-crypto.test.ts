/**
 * The WeChat channel's signatures, encryption and XML against the published test vectors.
 *
 * Sources of the vectors:
 * - 微信开放文档「消息推送」/「消息加解密说明 › 接入指引」(developers.weixin.qq.com, e.g.
 *   /doc/oplatform/Website_App/WeChat_Login/message_push.md and
 *   /doc/subscription/guide/dev/push/encryption.md): Token "AAAAA"; the URL check
 *   signature=f464b24fc39322e44b38aa78f5edd27bd1441696&echostr=4375120948345356249&timestamp=1714036504&nonce=1514711492,
 *   and a pushed message signature=899cf89e464efb63f54ddac96b0a0a235f53aa78&timestamp=1714037059&nonce=486452656.
 * - The official-account sample code Tencent publishes with 「消息加解密说明」 (cryptoDemo.zip,
 *   Python Sample.py, © 1998-2014 Tencent): token "spamtest", EncodingAESKey
 *   "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", AppId "wx2c2769f8efd9abc2", timestamp 1409735669,
 *   nonce 1320562132, msg_signature 5d197aaffba7e9b25a30732f161a50dee96bd5fa and the Encrypt below;
 *   it decrypts to a text message 「abcdteT」 from oyORnuP8q7ou2gfYjqLzSIWZf0rs.
 * - 企业微信开发者文档「加解密方案说明 › 举例说明」(developer.work.weixin.qq.com/document/path/91144)
 *   — the same scheme with the CorpId in the AppId's place: token "QDG6eK", EncodingAESKey
 *   "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", id "wx5823bf96d3bd56c7", timestamp 1409659813,
 *   nonce 1372623149, msg_signature 477715d11cdb4164915debcba66cb864d751f3e6; decrypts to 「hello」
 *   from "mycreate".
 */
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptMessage, encryptMessage, sha1OfSorted, signatureOf } from '../../src/channels/wechat/wechat-crypto.js';
import { readMessage, readXml, textReplyXml } from '../../src/channels/wechat/wechat-xml.js';
import { docDecrypt, docEncrypt, xmlFields } from '../helpers/fake-wechat.js';

const MP_SAMPLE = {
  token: 'spamtest',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx2c2769f8efd9abc2',
  timestamp: '1409735669',
  nonce: '1320562132',
  msgSignature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
  encrypt:
    'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=',
};
const WECOM_SAMPLE = {
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  id: 'wx5823bf96d3bd56c7',
  timestamp: '1409659813',
  nonce: '1372623149',
  msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
  encrypt:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
};

describe('signatures (published vectors)', () => {
  it('plain signature: the documentation examples of the URL check and of a pushed message', () => {
    expect(signatureOf('AAAAA', '1714036504', '1514711492')).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
    expect(signatureOf('AAAAA', '1714037059', '486452656')).toBe('899cf89e464efb63f54ddac96b0a0a235f53aa78');
    // Written out as the documentation does it: sort, concatenate, sha1.
    expect(sha1OfSorted(['AAAAA', '1714036504', '1514711492'])).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
  });

  it('message signature: the official-account sample and the WeCom documentation example', () => {
    expect(signatureOf(MP_SAMPLE.token, MP_SAMPLE.timestamp, MP_SAMPLE.nonce, MP_SAMPLE.encrypt)).toBe(MP_SAMPLE.msgSignature);
    expect(signatureOf(WECOM_SAMPLE.token, WECOM_SAMPLE.timestamp, WECOM_SAMPLE.nonce, WECOM_SAMPLE.encrypt)).toBe(WECOM_SAMPLE.msgSignature);
    expect(signatureOf(MP_SAMPLE.token, MP_SAMPLE.timestamp, MP_SAMPLE.nonce, `${MP_SAMPLE.encrypt.slice(0, -2)}x=`)).not.toBe(MP_SAMPLE.msgSignature);
  });
});

describe('decryption (published vectors)', () => {
  it('decrypts the official-account sample to its text message, for its AppId only', () => {
    const out = decryptMessage(MP_SAMPLE.aesKey, MP_SAMPLE.appId, MP_SAMPLE.encrypt);
    expect(out.ok).toBe(true);
    const fields = out.ok ? readXml(out.message) : null;
    expect(fields?.ok && fields.value).toMatchObject({ FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', MsgType: 'text', Content: 'abcdteT', MsgId: '6054768590064713728' });
    expect(decryptMessage(MP_SAMPLE.aesKey, 'wx0000000000000000', MP_SAMPLE.encrypt)).toEqual({ ok: false, reason: 'wrong_app_id' });
  });

  it('decrypts the WeCom documentation example (same scheme, CorpId for AppId)', () => {
    const out = decryptMessage(WECOM_SAMPLE.aesKey, WECOM_SAMPLE.id, WECOM_SAMPLE.encrypt);
    expect(out.ok && xmlFields(out.message)).toMatchObject({ FromUserName: 'mycreate', Content: 'hello' });
    // The independent implementation in the fake server agrees.
    expect(docDecrypt(WECOM_SAMPLE.aesKey, WECOM_SAMPLE.encrypt).appId).toBe(WECOM_SAMPLE.id);
  });

  it('refuses a ciphertext under another key, cut short, or not base64 — never a message', () => {
    expect(decryptMessage(WECOM_SAMPLE.aesKey, MP_SAMPLE.appId, MP_SAMPLE.encrypt).ok).toBe(false);
    expect(decryptMessage(MP_SAMPLE.aesKey, MP_SAMPLE.appId, MP_SAMPLE.encrypt.slice(0, 44)).ok).toBe(false);
    expect(decryptMessage(MP_SAMPLE.aesKey, MP_SAMPLE.appId, '!!not base64!!')).toEqual({ ok: false, reason: 'bad_ciphertext' });
    expect(decryptMessage('short', MP_SAMPLE.appId, MP_SAMPLE.encrypt)).toEqual({ ok: false, reason: 'bad_ciphertext' });
    // Well encrypted, but only 16 bytes of plaintext: shorter than the random + length header.
    const key = Buffer.from(`${MP_SAMPLE.aesKey}=`, 'base64');
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    const headerless = Buffer.concat([cipher.update(Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(16, 16)])), cipher.final()]).toString('base64');
    expect(decryptMessage(MP_SAMPLE.aesKey, MP_SAMPLE.appId, headerless)).toEqual({ ok: false, reason: 'bad_ciphertext' });
  });

  it('round trip: what Yici encrypts the documented way decrypts, and the other way round', () => {
    const text = '<xml><Content><![CDATA[您好，要带身份证原件]]></Content></xml>';
    expect(docDecrypt(MP_SAMPLE.aesKey, encryptMessage(MP_SAMPLE.aesKey, MP_SAMPLE.appId, text))).toEqual({ message: text, appId: MP_SAMPLE.appId });
    expect(decryptMessage(MP_SAMPLE.aesKey, MP_SAMPLE.appId, docEncrypt(MP_SAMPLE.aesKey, MP_SAMPLE.appId, text))).toEqual({ ok: true, message: text });
    // Padding to 32 bytes, including a plaintext that is already a multiple of 32 (a whole block of padding).
    for (const len of [0, 1, 11, 12, 13, 44, 45]) {
      const m = 'a'.repeat(len);
      expect(decryptMessage(MP_SAMPLE.aesKey, MP_SAMPLE.appId, encryptMessage(MP_SAMPLE.aesKey, MP_SAMPLE.appId, m))).toEqual({ ok: true, message: m });
    }
  });
});

describe('XML', () => {
  it('reads a message as strings: a 64-bit MsgId is not rounded', () => {
    const r = readXml('<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1714037059</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[开小卖部 <要> 什么证]]></Content><MsgId>6054768590064713728</MsgId></xml>');
    expect(r.ok && readMessage(r.value)).toEqual({ ok: true, value: { ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: '1714037059', MsgType: 'text', Content: '开小卖部 <要> 什么证', MsgId: '6054768590064713728' } });
  });

  it('refuses a DOCTYPE or entity declaration outright, and malformed XML', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>`;
    expect(readXml(bomb)).toMatchObject({ ok: false, code: 'xml_doctype' });
    expect(readXml('<!doctype xml><xml/>')).toMatchObject({ ok: false, code: 'xml_doctype' });
    for (const bad of ['<xml><Content>abc</xml>', 'not xml at all', '<xml>text</xml>', '<other><a>1</a></other>', '<xml><a>1</a><a>2</a></xml>', '']) {
      expect(readXml(bad), bad).toMatchObject({ ok: false, code: 'invalid_xml' });
    }
    const missing = readXml('<xml><ToUserName>gh</ToUserName></xml>');
    expect(missing.ok && readMessage(missing.value).ok).toBe(false);
  });

  it('writes a reply whose text survives a "]]>" inside it', () => {
    const xml = textReplyXml('o1', 'gh_1', 1, 'a]]>b');
    expect(xmlFields(xml).Content).toBe('a]]>b');
    const back = readXml(xml);
    expect(back.ok && back.value.Content).toBe('a]]>b');
  });
});
