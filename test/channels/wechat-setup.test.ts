/**
 * The WeChat channel's settings and edges, on the channel alone (a stub chat service, a memory
 * store) with a fake WeChat: off without a token, the documentation's vectors through the route
 * (URL check, plain and encrypted messages at their own timestamps), an answer later than the
 * passive reply sent through the API, the access token renewed before it expires, the menu file,
 * and the settings.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatApi } from '../../src/channels/wechat/wechat-api.js';
import { createWechatChannel, wechatSessionId, type WechatChannelOptions, type WechatUser } from '../../src/channels/wechat/wechat-channel.js';
import { menuCreateBody, parseWechatMenu } from '../../src/channels/wechat/wechat-menu.js';
import { readYamlFiles } from '../../src/adapters/load-knowledge.js';
import { ConfigError, readConfig, type WechatSettings } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Reply, UserInput } from '../../src/core/types.js';
import { parseFlows } from '../../src/dialogue/parse-flows.js';
import type { Engine } from '../../src/knowledge/engine.js';
import { errorHandler } from '../../src/server/http-error.js';
import type { ChatService } from '../../src/service/chat-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { Store } from '../../src/storage/ports.js';
import { docDecrypt, messageXml, sha1Sorted, startFakeWechat, xmlFields, type FakeWechat } from '../helpers/fake-wechat.js';
import { realKb, root } from '../helpers/real-engine.js';

/** A chat service that answers every message with `answer` after `delayMs`, counting calls and posts. */
function stubChat(answer: (input: UserInput) => Reply[], delayMs = 0) {
  const calls: UserInput[] = [];
  const posts: { sessionId: string; from: string; replies: Reply[] }[] = [];
  const chat = {
    async handle(sessionId: string, input: UserInput) {
      calls.push(input);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return { sessionId, mode: 'bot' as const, replies: answer(input), match: null, seq: calls.length * 2 };
    },
    async post(sessionId: string, from: string, replies: Reply[]) {
      posts.push({ sessionId, from, replies });
      return null;
    },
  };
  return { chat: chat as unknown as ChatService, calls, posts };
}

const noKnowledge = { engine: () => ({ entry: () => undefined }) as unknown as Engine, flows: () => [] };

/** The channel's router on its own express app, with the server's error handler (413 and the like). */
async function serve(options: Partial<WechatChannelOptions> & { wechat?: WechatSettings; store?: Store }) {
  const { chat } = options.chat ? { chat: options.chat } : stubChat(() => [{ type: 'text', text: '收到' }]);
  const channel = createWechatChannel({
    chat,
    logger: silentLogger,
    store: options.store ?? createMemoryStore(),
    config: { maxMessageLength: 500, ...(options.wechat ? { wechat: options.wechat } : {}) },
    ...noKnowledge,
    ...(options.now ? { now: options.now } : {}),
    ...(options.passiveWaitMs !== undefined ? { passiveWaitMs: options.passiveWaitMs } : {}),
  });
  const app = express();
  app.use(channel.router!);
  app.use(errorHandler(silentLogger));
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, channel, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const settings = (over: Partial<WechatSettings>): WechatSettings => ({ token: 'AAAAA', apiBase: 'http://127.0.0.1:9', menuFile: '/nonexistent/menu.yaml', news: false, ...over });

describe('off without WECHAT_TOKEN', () => {
  it('answers GET and POST /api/wechat with a clear JSON 404', async () => {
    const s = await serve({});
    try {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(`${s.url}/api/wechat?signature=x&timestamp=1&nonce=1&echostr=1`, { method, ...(method === 'POST' ? { body: '<xml/>' } : {}) });
        expect(res.status).toBe(404);
        expect(((await res.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'wechat_not_configured', message: expect.stringContaining('WECHAT_TOKEN') });
      }
    } finally {
      await s.close();
    }
  });
});

describe('the documentation examples through the route (明文模式, Token "AAAAA")', () => {
  it('echoes the documented URL check, and refuses it with any part changed', async () => {
    const s = await serve({ wechat: settings({}), now: () => new Date(1714036504 * 1000) });
    try {
      const documented = 'signature=f464b24fc39322e44b38aa78f5edd27bd1441696&echostr=4375120948345356249&timestamp=1714036504&nonce=1514711492';
      const ok = await fetch(`${s.url}/api/wechat?${documented}`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('4375120948345356249');
      for (const changed of [documented.replace('nonce=1514711492', 'nonce=1514711493'), documented.replace('f464b24f', 'f464b24e')]) {
        const bad = await fetch(`${s.url}/api/wechat?${changed}`);
        expect(bad.status).toBe(401);
      }
    } finally {
      await s.close();
    }
  });

  it('takes a message signed as in the documented push and answers in plain XML', async () => {
    const { chat, calls } = stubChat(() => [{ type: 'text', text: '您好' }]);
    const store = createMemoryStore();
    const s = await serve({ wechat: settings({}), chat, store, now: () => new Date(1714037059 * 1000) });
    try {
      const query = 'signature=899cf89e464efb63f54ddac96b0a0a235f53aa78&timestamp=1714037059&nonce=486452656';
      const body = messageXml('o9AgO5Kd5ggOC-bXrbNODIiE3bGY', 'gh_97417a04a28d', { MsgType: 'text', Content: '你好', MsgId: '24550000000000001' }, 1714037059);
      const res = await fetch(`${s.url}/api/wechat?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      expect(res.status).toBe(200);
      expect(xmlFields(await res.text())).toMatchObject({ ToUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY', FromUserName: 'gh_97417a04a28d', MsgType: 'text', Content: '您好' });
      expect(calls).toEqual([{ text: '你好' }]);
      const refused = await fetch(`${s.url}/api/wechat?${query.replace('899c', '899d')}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      expect(refused.status).toBe(401);
      expect(calls).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});

describe('without the AppSecret', () => {
  it('an officer\'s reply is refused and the officer told why (no API, then beyond 48 hours); a notice is never delivered', async () => {
    const { chat, posts } = stubChat(() => [{ type: 'text', text: '您好' }]);
    let clock = 1714037059 * 1000;
    const s = await serve({ wechat: settings({}), chat, now: () => new Date(clock) });
    try {
      const query = 'signature=899cf89e464efb63f54ddac96b0a0a235f53aa78&timestamp=1714037059&nonce=486452656';
      const body = messageXml('oNoApiCitizen', 'gh_97417a04a28d', { MsgType: 'text', Content: '转人工', MsgId: '24550000000000002' }, 1714037059);
      expect((await fetch(`${s.url}/api/wechat?${query}`, { method: 'POST', body })).status).toBe(200);
      const sessionId = wechatSessionId('oNoApiCitizen');
      const reply = { seq: 3, from: 'officer' as const, replies: [{ type: 'text' as const, text: '您好，我是窗口的小王。' }], at: new Date().toISOString() };
      expect(await s.channel.deliver!(sessionId, reply)).toBe(false);
      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatchObject({ sessionId, from: 'system', replies: [{ type: 'handoff', status: 'wechat_undelivered', text: expect.stringContaining('WECHAT_APP_SECRET') }] });
      // Beyond 48 hours: the officer is told that instead. The notice comes back to deliver() like
      // every system message; it is neither sent nor noticed again (else each notice makes another).
      clock += 49 * 3600_000;
      expect(await s.channel.deliver!(sessionId, { ...reply, seq: 5 })).toBe(false);
      expect(posts).toHaveLength(2);
      expect(posts[1]!.replies[0]).toMatchObject({ status: 'wechat_undelivered', text: expect.stringContaining('48 小时') });
      expect(await s.channel.deliver!(sessionId, { seq: 6, from: 'system', replies: posts[1]!.replies, at: new Date().toISOString() })).toBe(false);
      expect(posts).toHaveLength(2);
      // Other channels' sessions are not this channel's business.
      expect(await s.channel.deliver!('web-session-0123456789', reply)).toBe(false);
    } finally {
      await s.close();
    }
  });
});

describe('the official-account sample through the route (安全模式)', () => {
  it('decrypts the sample message at its own time, answers it encrypted for the same AppId, and refuses it for another', async () => {
    const { chat, calls } = stubChat(() => [{ type: 'text', text: '收到：abcdteT' }]);
    const sample = {
      token: 'spamtest',
      aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      appId: 'wx2c2769f8efd9abc2',
      query: 'timestamp=1409735669&nonce=1320562132&encrypt_type=aes&msg_signature=5d197aaffba7e9b25a30732f161a50dee96bd5fa',
      body: '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>',
    };
    const at = () => new Date(1409735669 * 1000);
    const s = await serve({ wechat: settings({ token: sample.token, aesKey: sample.aesKey, appId: sample.appId }), chat, now: at });
    const other = await serve({ wechat: settings({ token: sample.token, aesKey: sample.aesKey, appId: 'wx0000000000000000' }), chat, now: at });
    try {
      const res = await fetch(`${s.url}/api/wechat?${sample.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: sample.body });
      expect(res.status).toBe(200);
      const envelope = xmlFields(await res.text());
      expect(sha1Sorted([sample.token, envelope.TimeStamp!, envelope.Nonce!, envelope.Encrypt!])).toBe(envelope.MsgSignature);
      const opened = docDecrypt(sample.aesKey, envelope.Encrypt!);
      expect(opened.appId).toBe(sample.appId);
      expect(xmlFields(opened.message)).toMatchObject({ ToUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', FromUserName: 'gh_10f6c3c3ac5a', Content: '收到：abcdteT' });
      expect(calls).toEqual([{ text: 'abcdteT' }]);

      const wrong = await fetch(`${other.url}/api/wechat?${sample.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: sample.body });
      expect(wrong.status).toBe(403);
      expect(calls).toHaveLength(1);
    } finally {
      await s.close();
      await other.close();
    }
  });
});

describe('the API', () => {
  let fake: FakeWechat;
  let clock = Date.now();
  beforeAll(async () => {
    fake = await startFakeWechat({ token: 'tok123', appId: 'wx1111111111111111', appSecret: 'secretsecretsecret', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', now: () => clock });
  });
  afterAll(() => fake.close());
  const wechat = () => settings({ token: 'tok123', appId: 'wx1111111111111111', appSecret: 'secretsecretsecret', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', apiBase: fake.apiBase });

  it('an answer not ready within the passive wait is sent through the customer-service API, once, and a retry gets "success"', async () => {
    const { chat, calls } = stubChat(() => [{ type: 'text', text: '这是晚到的答案' }], 300);
    const store = createMemoryStore();
    const s = await serve({ wechat: wechat(), chat, store, passiveWaitMs: 50, now: () => new Date(clock) });
    try {
      const xml = messageXml('oSlowCitizen', fake.account, { MsgType: 'text', Content: '慢一点的问题', MsgId: '9000000000000000001' }, Math.floor(clock / 1000));
      const first = await fake.post(s.url, fake.sign(xml));
      expect(first.body).toBe('success');
      for (let i = 0; i < 100 && !fake.sent.some((m) => m.touser === 'oSlowCitizen'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(fake.sent.filter((m) => m.touser === 'oSlowCitizen').map((m) => m.content)).toEqual(['这是晚到的答案']);
      const retry = await fake.post(s.url, fake.sign(xml));
      expect(retry.body).toBe('success');
      expect(calls).toHaveLength(1);
      expect(fake.sent.filter((m) => m.touser === 'oSlowCitizen')).toHaveLength(1);
      const record = await store.exclusive(`wechat:user:${wechatSessionId('oSlowCitizen')}`, () => store.documents<WechatUser>('wechat-users').read(wechatSessionId('oSlowCitizen')));
      expect(record?.recent.at(-1)).toMatchObject({ pushed: true });
    } finally {
      await s.close();
    }
  });

  it('caches the access token, fetches it once for parallel calls, and renews it before it expires', async () => {
    const store = createMemoryStore();
    const api = createWechatApi({ apiBase: fake.apiBase, appId: 'wx1111111111111111', appSecret: 'secretsecretsecret', store, logger: silentLogger, now: () => clock });
    const before = fake.calls.token;
    await Promise.all([api.sendText('oA', '一'), api.sendText('oB', '二'), api.sendText('oC', '三')]);
    expect(fake.calls.token - before).toBe(1);
    clock += 3600_000; // an hour later: still fresh
    await api.sendText('oA', '四');
    expect(fake.calls.token - before).toBe(1);
    clock += 7200_000 - 3600_000 - 4 * 60_000; // four minutes before it expires: renewed, although WeChat still takes it
    await api.sendText('oA', '五');
    expect(fake.calls.token - before).toBe(2);
    const tokens = fake.sent.slice(-2).map((m) => m.accessToken);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('creates the menu of the shipped file through /cgi-bin/menu/create', async () => {
    const kb = await realKb();
    const flows = parseFlows(await readYamlFiles(resolve(root, 'flows')), kb);
    if (!flows.ok) throw new Error('flows do not validate');
    const file = resolve(root, 'wechat/menu.yaml');
    const parsed = parseWechatMenu(await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8')), file, {
      entry: (id) => kb.entries.some((e) => e.id === id),
      flow: (id) => flows.flows.some((f) => f.id === id),
    });
    expect(parsed.ok, parsed.ok ? '' : parsed.problems.join('\n')).toBe(true);
    if (!parsed.ok) return;
    const api = createWechatApi({ apiBase: fake.apiBase, appId: 'wx1111111111111111', appSecret: 'secretsecretsecret', store: createMemoryStore(), logger: silentLogger, now: () => clock });
    await api.createMenu(menuCreateBody(parsed.menu.file));
    const sent = fake.menus.at(-1) as { button: { name: string; type?: string; key?: string; sub_button?: { type: string; key: string }[] }[] };
    expect(sent.button).toHaveLength(3);
    expect(sent.button[0]!.sub_button?.[0]).toMatchObject({ type: 'click', key: 'FLOW_SMALL_SHOP' });
    expect(sent.button[2]).toMatchObject({ type: 'click', name: '转人工', key: 'HANDOFF' });
  });
});

describe('the menu file', () => {
  const refs = { entry: (id: string) => id === 'item-resident-id-card', flow: (id: string) => id === 'small-shop' };
  it('names the file, the button and the field of every problem, and how to fix it', () => {
    const bad = parseWechatMenu(
      `buttons:
  - name: 办事
    sub:
      - { name: 身份证, key: A, do: { entry: item-nope } }
      - { name: 小卖部, key: A, do: { flow: no-flow } }
  - { name: 这个一级菜单的名字太长了, key: B, do: { handoff: true } }
`,
      'wechat/menu.yaml',
      refs,
    );
    expect(bad.ok).toBe(false);
    const problems = bad.ok ? '' : bad.problems.join('\n');
    expect(problems).toContain('wechat/menu.yaml › buttons.0.sub.0「身份证」› do.entry：知识库里没有 item-nope');
    expect(problems).toContain('buttons.0.sub.1「小卖部」› key：A 重复了');
    expect(problems).toContain('buttons.0.sub.1「小卖部」› do.flow：没有 id 为 no-flow 的引导流程');
    expect(problems).toContain('buttons.1「这个一级菜单的名字太长了」› name：太长');
    const tooMany = parseWechatMenu(`buttons: [${Array.from({ length: 4 }, (_, i) => `{ name: b${i}, key: K${i}, do: { handoff: true } }`).join(', ')}]`, 'm.yaml', refs);
    expect(tooMany.ok ? '' : tooMany.problems.join()).toContain('一级菜单最多 3 个');
    expect(parseWechatMenu('buttons: [', 'm.yaml', refs)).toMatchObject({ ok: false, problems: [expect.stringContaining('不是有效的 YAML')] });
  });
});

describe('settings', () => {
  it('reads the WeChat settings; the others need the token and the AppId; secrets are never shown', () => {
    expect(readConfig({}).wechat).toBeUndefined();
    const c = readConfig({ WECHAT_TOKEN: 'tok123', WECHAT_APP_ID: 'wx2c2769f8efd9abc2', WECHAT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' }, '/srv/yici');
    expect(c.wechat).toEqual({ token: 'tok123', appId: 'wx2c2769f8efd9abc2', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', apiBase: 'https://api.weixin.qq.com', menuFile: '/srv/yici/wechat/menu.yaml', news: false });
    expect(readConfig({ WECHAT_TOKEN: 'tok123', WECHAT_NEWS: 'on' }).wechat?.news).toBe(true);
    const problems = (env: Record<string, string>) => {
      try {
        readConfig(env);
        return '';
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems.join('\n');
      }
    };
    expect(problems({ WECHAT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' })).toMatch(/WECHAT_TOKEN 未设置[\s\S]*WECHAT_APP_ID 未设置/);
    const shortKey = problems({ WECHAT_TOKEN: 'tok123', WECHAT_APP_ID: 'wx2c2769f8efd9abc2', WECHAT_AES_KEY: 'tooShortKey' });
    expect(shortKey).toContain('WECHAT_AES_KEY 应为 43 个');
    expect(shortKey).not.toContain('tooShortKey');
    expect(problems({ WECHAT_TOKEN: 'tok123', WECHAT_APP_SECRET: 'secretsecretsecret' })).toContain('WECHAT_APP_ID 未设置');
    expect(problems({ WECHAT_TOKEN: 'x' })).toContain('WECHAT_TOKEN 应为 3 到 32 个');
  });
});
