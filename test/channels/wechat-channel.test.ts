/**
 * The WeChat official account end to end, in 安全模式: Yici started with startServer on the shipped
 * knowledge base and walkthroughs (a temp DATA_DIR), a local fake WeChat that signs and encrypts as
 * documented and serves the API, and officers working through the HTTP API.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatSessionId, type WechatUser } from '../../src/channels/wechat/wechat-channel.js';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import type { TranscriptMessage } from '../../src/service/chat-service.js';
import { createLowdbStore } from '../../src/storage/lowdb-store.js';
import type { Store } from '../../src/storage/ports.js';
import { messageXml, nextMsgId, startFakeWechat, TEST_ACCOUNT, wechatEnv, type FakeWechat } from '../helpers/fake-wechat.js';
import { staffHttp } from '../helpers/staff-http.js';

const PUBLIC_URL = 'https://yici.wuzhou.example.gov.cn';

/** One clock for Yici and the fake WeChat, moved forward by the 48-hour test. */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

/** The lowdb store with writes of conversations slowed on demand, so that retries arrive mid-turn. */
let slowWritesMs = 0;
const slowed = (store: Store): Store => ({
  ...store,
  documents<T>(collection: string) {
    const docs = store.documents<T>(collection);
    if (collection !== 'conversations') return docs;
    return { ...docs, write: async (k: string, v: T) => (slowWritesMs ? new Promise((r) => setTimeout(r, slowWritesMs)) : Promise.resolve()).then(() => docs.write(k, v)) };
  },
});

let fake: FakeWechat;
let running: RunningServer;
const staff = staffHttp(() => running.url);

beforeAll(async () => {
  fake = await startFakeWechat({ ...TEST_ACCOUNT, now: clock });
  const dataDir = await mkdtemp(join(tmpdir(), 'yici-wechat-'));
  const config = readConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    OFFICE_HOURS: 'always',
    HANDOFF_SWEEP_SECONDS: '3600',
    PUBLIC_URL,
    ADMIN_USERNAME: 'chief',
    ADMIN_PASSWORD: 'Strong-pass-2026',
    ...wechatEnv(fake.apiBase),
  });
  running = await startServer(config, silentLogger, { store: slowed(await createLowdbStore(dataDir)), print: () => {}, now: () => new Date(clock()) });
  await running.accounts.create({ username: 'lihua', password: 'Window-Desk-2026', role: 'officer' });
});
afterAll(async () => {
  await running?.close();
  await fake?.close();
});

const transcript = async (openid: string): Promise<TranscriptMessage[]> => {
  const record = await running.store.documents<{ recent: TranscriptMessage[] }>('conversations').read(wechatSessionId(openid));
  return record?.recent ?? [];
};
/** The channel's record of a citizen, read under its lock: after the write that follows a reply. */
const userOf = (openid: string) =>
  running.store.exclusive(`wechat:user:${wechatSessionId(openid)}`, () => running.store.documents<WechatUser>('wechat-users').read(wechatSessionId(openid)));
const content = (a: { reply: Record<string, string> | null }) => a.reply?.Content ?? '';
const waitFor = async (what: () => boolean, ms = 3000) => {
  for (let waited = 0; !what() && waited < ms; waited += 20) await new Promise((r) => setTimeout(r, 20));
  expect(what()).toBe(true);
};

describe('a conversation in WeChat', () => {
  it('five turns: the welcome, a question, two numbered answers and a walkthrough that ends with a checklist link', async () => {
    const openid = 'oCitizen_conversation_01';
    const welcome = await fake.event(running.url, openid, 'subscribe');
    expect(welcome.status).toBe(200);
    expect(welcome.reply).toMatchObject({ ToUserName: openid, FromUserName: fake.account, MsgType: 'text' });
    expect(content(welcome)).toContain('开个小卖部要办啥证');

    const first = await fake.text(running.url, openid, '我想在镇上开个小卖部，还想卖烟');
    expect(content(first)).toContain('个体户还是公司');
    expect(content(first)).toMatch(/回复数字选择：\n1\. 个体户\n2\. 公司/);

    // A number beyond the list says which numbers there are, and the list stays on offer.
    expect(content(await fake.text(running.url, openid, '5'))).toBe('请回复 1 到 3 之间的数字，或者直接输入您的问题。');
    const second = await fake.text(running.url, openid, '1');
    expect(content(second)).toContain('卖不卖吃的');
    // The citizen may also type the words of a choice.
    const third = await fake.text(running.url, openid, '不卖食品（或只卖蔬菜水果）');
    expect(content(third)).toContain('中小学校或幼儿园');

    const fourth = await fake.text(running.url, openid, '2');
    const link = new RegExp(`${PUBLIC_URL.replace(/[.]/g, '\\.')}(/checklist/[a-z0-9]+)`).exec(content(fourth));
    expect(link, content(fourth)).not.toBeNull();
    expect(content(fourth)).toContain('烟草专卖零售许可证');
    expect(Buffer.byteLength(content(fourth))).toBeLessThanOrEqual(2048);
    const page = await fetch(`${running.url}${link![1]}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('烟草专卖零售许可证');

    // The transcript has the citizen's words (the labels for numbers), each once, on the wechat channel.
    const said = (await transcript(openid)).filter((m) => m.from === 'user').map((m) => m.text);
    expect(said).toEqual(['我想在镇上开个小卖部，还想卖烟', '个体户', '不卖食品（或只卖蔬菜水果）', '否']);
    const record = await running.store.documents<{ channel: string }>('conversations').read(wechatSessionId(openid));
    expect(record?.channel).toBe('wechat');
    // The openid is personal: the session id does not contain it.
    expect(wechatSessionId(openid)).not.toContain(openid);
  });

  it('answers a voice message by its recognised text, and asks images and locations to type', async () => {
    const openid = 'oCitizen_voice_01';
    const voice = await fake.post(running.url, fake.sign(messageXml(openid, fake.account, { MsgType: 'voice', MediaId: 'm1', Format: 'amr', Recognition: '身份证丢了怎么补', MsgId: nextMsgId() })));
    expect(content(voice)).toContain('身份证');
    const unheard = await fake.post(running.url, fake.sign(messageXml(openid, fake.account, { MsgType: 'voice', MediaId: 'm2', Format: 'amr', Recognition: '', MsgId: nextMsgId() })));
    expect(content(unheard)).toContain('没听清');
    const others: Record<string, string | number>[] = [
      { MsgType: 'image', PicUrl: 'http://mmbiz.example/p.jpg', MediaId: 'm3', MsgId: nextMsgId() },
      { MsgType: 'location', Location_X: 23.47, Location_Y: 111.28, Scale: 15, Label: '梧州市', MsgId: nextMsgId() },
    ];
    for (const fields of others) {
      const other = await fake.post(running.url, fake.sign(messageXml(openid, fake.account, fields)));
      expect(other.status).toBe(200);
      expect(content(other)).toContain('请直接输入文字');
    }
    expect((await transcript(openid)).filter((m) => m.from === 'user').map((m) => m.text)).toEqual(['身份证丢了怎么补']);
  });

  it('menu clicks start a walkthrough and answer an entry, as the menu file says', async () => {
    const openid = 'oCitizen_menu_01';
    expect(content(await fake.event(running.url, openid, 'CLICK', 'FLOW_ID_CARD'))).toContain('办身份证');
    expect(content(await fake.event(running.url, openid, 'CLICK', 'ENTRY_SOCIAL_SECURITY_CARD', Math.floor(clock() / 1000) + 1))).toContain('社保卡');
    expect(content(await fake.event(running.url, openid, 'CLICK', 'NO_SUCH_KEY', Math.floor(clock() / 1000) + 2))).toContain('这个菜单暂时没有内容');
  });
});

describe('WeChat retries', () => {
  it('a message retried while it is being answered, and after, gets one answer and is stored once', async () => {
    const openid = 'oCitizen_retry_01';
    const xml = messageXml(openid, fake.account, { MsgType: 'text', Content: '个体户营业执照怎么办', MsgId: nextMsgId() });
    slowWritesMs = 400;
    try {
      // WeChat's first try and three retries, each signed anew, the retries arriving mid-turn.
      const tries: Promise<{ reply: Record<string, string> | null }>[] = [];
      for (let i = 0; i < 4; i++) {
        tries.push(fake.post(running.url, fake.sign(xml)));
        await new Promise((r) => setTimeout(r, 60));
      }
      const answers = (await Promise.all(tries)).map(content);
      expect(answers[0]).toContain('个体工商户');
      expect(new Set(answers).size).toBe(1);
    } finally {
      slowWritesMs = 0;
    }
    const late = await fake.post(running.url, fake.sign(xml));
    expect(content(late)).toContain('个体工商户');
    const said = (await transcript(openid)).filter((m) => m.from === 'user');
    expect(said).toHaveLength(1);
    expect((await transcript(openid)).filter((m) => m.from === 'bot')).toHaveLength(1);
  });

  it('an event is deduplicated by sender and time', async () => {
    const openid = 'oCitizen_retry_02';
    const at = Math.floor(clock() / 1000);
    const a = await fake.event(running.url, openid, 'CLICK', 'ENTRY_RESIDENT_PENSION', at);
    const b = await fake.event(running.url, openid, 'CLICK', 'ENTRY_RESIDENT_PENSION', at);
    expect(content(a)).toContain('养老');
    expect(content(b)).toBe(content(a));
    expect((await transcript(openid)).filter((m) => m.from === 'user')).toHaveLength(1);
  });
});

describe('refused requests store nothing', () => {
  const nothingStored = async (openid: string) => {
    expect(await running.store.documents('conversations').read(wechatSessionId(openid))).toBeUndefined();
    expect(await userOf(openid)).toBeUndefined();
  };

  it('a bad signature, a wrong AppId, a stale timestamp or a plain message in 安全模式', async () => {
    const openid = 'oAttacker_01';
    const xml = () => messageXml(openid, fake.account, { MsgType: 'text', Content: '转人工', MsgId: nextMsgId() });
    const badSignature = await fake.post(running.url, fake.sign(xml(), { token: 'notTheToken' }));
    expect(badSignature.status).toBe(401);
    expect(JSON.parse(badSignature.body).error.code).toBe('bad_signature');
    const wrongApp = await fake.post(running.url, fake.sign(xml(), { appId: 'wx0000000000000000' }));
    expect(wrongApp.status).toBe(403);
    expect(JSON.parse(wrongApp.body).error.code).toBe('wrong_app_id');
    const stale = await fake.post(running.url, fake.sign(xml(), { timestamp: Math.floor(clock() / 1000) - 3600 }));
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body).error.code).toBe('stale_request');
    const signed = fake.sign(xml());
    const tampered = await fake.post(running.url, { ...signed, body: signed.body.replace(/<Encrypt><!\[CDATA\[(.)/, (_m, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`) });
    expect(tampered.status).toBe(401);
    const plain = await fetch(`${running.url}/api/wechat?${fake.sign(xml()).query.replace(/&?(encrypt_type|msg_signature|openid)=[^&]*/g, '')}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml() });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('encryption_required');
    await nothingStored(openid);
  });

  it('malformed XML and an entity bomb get a clear 400, outside or inside the encryption', async () => {
    const openid = 'oAttacker_02';
    const bomb = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><xml><ToUserName><![CDATA[${fake.account}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&d;&d;&d;&d;</Content><MsgId>1</MsgId></xml>`;
    const outside = await fetch(`${running.url}/api/wechat?${fake.sign(bomb).query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: bomb });
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'xml_doctype', message: expect.stringContaining('DOCTYPE') });
    const inside = await fake.post(running.url, fake.sign(bomb));
    expect(inside.status).toBe(400);
    expect(JSON.parse(inside.body).error.code).toBe('xml_doctype');
    const broken = await fake.post(running.url, fake.sign(`<xml><ToUserName>${fake.account}</ToUserName><FromUserName>${openid}</FromUserName><Content>abc</xml>`));
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).error.code).toBe('invalid_xml');
    const junk = await fetch(`${running.url}/api/wechat?${fake.sign('x').query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml><Encrypt>' });
    expect(junk.status).toBe(400);
    const huge = await fetch(`${running.url}/api/wechat?${fake.sign('x').query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: `<xml><Encrypt>${'A'.repeat(100_000)}</Encrypt></xml>` });
    expect(huge.status).toBe(413);
    await nothingStored(openid);
  });

  it('the URL check echoes echostr only with the right signature', async () => {
    const q = new URLSearchParams(fake.sign('').query);
    q.delete('msg_signature');
    q.delete('encrypt_type');
    q.delete('openid');
    q.set('echostr', '4375120948345356249');
    const ok = await fetch(`${running.url}/api/wechat?${q}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('4375120948345356249');
    q.set('signature', '0'.repeat(40));
    const bad = await fetch(`${running.url}/api/wechat?${q}`);
    expect(bad.status).toBe(401);
    expect(await bad.text()).not.toContain('4375120948345356249');
  });
});

describe('a person: 转人工 from WeChat and the officer\'s replies', () => {
  it('reaches the console showing the channel; the claim and the reply reach the customer-service API; an expired token is renewed once', async () => {
    const openid = 'oCitizen_handoff_01';
    await fake.text(running.url, openid, '身份证丢了怎么补');
    const queued = await fake.event(running.url, openid, 'CLICK', 'HANDOFF');
    expect(content(queued)).toContain('已为您转接人工服务');
    expect(content(queued)).toContain('会在微信里回复您');

    const cookie = await staff.login('lihua', 'Window-Desk-2026');
    const sessionId = wechatSessionId(openid);
    const queue = (await (await staff.json('GET', '/api/officer/queue', undefined, cookie)).json()) as { conversations: { sessionId: string; channel?: string }[] };
    expect(queue.conversations.find((c) => c.sessionId === sessionId)?.channel).toBe('wechat');

    const tokensBefore = fake.calls.token;
    const sentBefore = fake.sent.length;
    expect((await staff.json('POST', `/api/officer/conversations/${sessionId}/claim`, {}, cookie)).status).toBe(200);
    await waitFor(() => fake.sent.length >= sentBefore + 1);
    expect(fake.sent.at(-1)).toMatchObject({ touser: openid, content: expect.stringContaining('已接入') });

    expect((await staff.json('POST', `/api/officer/conversations/${sessionId}/messages`, { text: '您好，补办身份证请带户口簿到派出所。' }, cookie)).status).toBe(201);
    await waitFor(() => fake.sent.some((m) => m.content.includes('请带户口簿')));
    expect(fake.sent.find((m) => m.content.includes('请带户口簿'))).toMatchObject({ touser: openid, content: '【工作人员】您好，补办身份证请带户口簿到派出所。' });
    // One token for both messages: it is cached.
    expect(fake.calls.token - tokensBefore).toBeLessThanOrEqual(1);

    // WeChat expires the token: the next reply renews it once and goes through.
    fake.expireTokens();
    const tokens = fake.calls.token;
    const sends = fake.calls.send;
    expect((await staff.json('POST', `/api/officer/conversations/${sessionId}/messages`, { text: '材料齐了就可以去。' }, cookie)).status).toBe(201);
    await waitFor(() => fake.sent.some((m) => m.content.includes('材料齐了')));
    expect(fake.calls.token - tokens).toBe(1);
    expect(fake.calls.send - sends).toBe(2);
    expect(fake.sent.filter((m) => m.content.includes('材料齐了'))).toHaveLength(1);

    // The citizen's words go to the officer while the case is held; the passive reply says nothing more.
    const meanwhile = await fake.text(running.url, openid, '好的谢谢');
    expect(meanwhile.body).toBe('success');
  });

  it('beyond 48 hours the reply is refused, the officer is told in the conversation, and the citizen gets it with their next message', async () => {
    const openid = 'oCitizen_window_01';
    await fake.event(running.url, openid, 'CLICK', 'HANDOFF');
    const cookie = await staff.login('lihua', 'Window-Desk-2026');
    const sessionId = wechatSessionId(openid);
    expect((await staff.json('POST', `/api/officer/conversations/${sessionId}/claim`, {}, cookie)).status).toBe(200);
    await waitFor(() => fake.sent.some((m) => m.touser === openid));

    offsetMs += 49 * 3600_000;
    const sends = fake.calls.send;
    expect((await staff.json('POST', `/api/officer/conversations/${sessionId}/messages`, { text: '您的材料审核通过了。' }, cookie)).status).toBe(201);
    const card = async () => (await (await staff.json('GET', `/api/officer/conversations/${sessionId}`, undefined, cookie)).json()) as { messages: TranscriptMessage[] };
    let notice: string | undefined;
    for (let i = 0; i < 100 && !notice; i++) {
      const found = (await card()).messages.flatMap((m) => m.replies).find((r) => r.type === 'handoff' && r.status === 'wechat_undelivered');
      notice = found?.type === 'handoff' ? found.text : undefined;
      if (!notice) await new Promise((r) => setTimeout(r, 20));
    }
    expect(notice).toContain('没有送达微信');
    expect(notice).toContain('48 小时');
    expect(notice).toContain('电话回访');
    expect(fake.calls.send).toBe(sends);
    expect(fake.sent.some((m) => m.content.includes('审核通过'))).toBe(false);

    // The citizen writes again: the held reply comes with the passive reply.
    const back = await fake.text(running.url, openid, '请问结果怎么样');
    expect(content(back)).toContain('【工作人员此前的回复】');
    expect(content(back)).toContain('您的材料审核通过了。');
    expect((await userOf(openid))?.undelivered).toEqual([]);
    offsetMs = 0;
  });

  it('a reply WeChat itself refuses as out of the window (45015) is treated the same', async () => {
    const openid = 'oCitizen_window_02';
    await fake.event(running.url, openid, 'CLICK', 'HANDOFF');
    const cookie = await staff.login('lihua', 'Window-Desk-2026');
    const sessionId = wechatSessionId(openid);
    fake.refuseWindow(openid);
    expect((await staff.json('POST', `/api/officer/conversations/${sessionId}/claim`, {}, cookie)).status).toBe(200);
    expect((await staff.json('POST', `/api/officer/conversations/${sessionId}/messages`, { text: '请留意短信通知。' }, cookie)).status).toBe(201);
    let kept: string[] = [];
    for (let i = 0; i < 100 && kept.length === 0; i++) {
      kept = (await userOf(openid))?.undelivered ?? [];
      if (kept.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(kept).toEqual(['【工作人员】请留意短信通知。']);
  });
});

describe('claim time-outs and call-backs work the same in WeChat', () => {
  let quick: RunningServer;
  let wx: FakeWechat;
  beforeAll(async () => {
    wx = await startFakeWechat(TEST_ACCOUNT);
    const config = readConfig({
      PORT: '0',
      DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-wechat-timeout-')),
      LOG_LEVEL: 'silent',
      OFFICE_HOURS: 'always',
      // A case unclaimed for 1.2 s is offered a call-back; the queue is swept every 0.2 s.
      CLAIM_TIMEOUT_MINUTES: '0.02',
      HANDOFF_SWEEP_SECONDS: '0.2',
      ADMIN_USERNAME: 'chief',
      ADMIN_PASSWORD: 'Strong-pass-2026',
      ...wechatEnv(wx.apiBase),
    });
    quick = await startServer(config, silentLogger, { print: () => {} });
  });
  afterAll(async () => {
    await quick?.close();
    await wx?.close();
  });

  it('the offer arrives through the API with numbers, 「1」 books the call-back, and the officer sees it with the channel', async () => {
    const openid = 'oCitizen_callback_01';
    expect(content(await wx.event(quick.url, openid, 'CLICK', 'HANDOFF'))).toContain('已为您转接人工服务');
    await waitFor(() => wx.sent.some((m) => m.touser === openid), 5000);
    const offer = wx.sent.find((m) => m.touser === openid)!.content;
    expect(offer).toContain('工作人员暂时都在忙');
    expect(offer).toMatch(/1\. 留下电话等回电\n2\. 继续等待/);

    expect(content(await wx.text(quick.url, openid, '1'))).toContain('请输入您的电话号码');
    const booked = content(await wx.text(quick.url, openid, '我的电话是 13812345678'));
    expect(booked).toContain('138****5678');
    expect(booked).not.toContain('13812345678');

    const admin = staffHttp(() => quick.url);
    const cookie = await admin.login('chief', 'Strong-pass-2026');
    const { callbacks } = (await (await admin.json('GET', '/api/officer/callbacks', undefined, cookie)).json()) as { callbacks: { sessionId: string; channel: string; phone: string }[] };
    expect(callbacks.find((c) => c.sessionId === wechatSessionId(openid))).toMatchObject({ channel: 'wechat', phone: '13812345678' });
  });
});
