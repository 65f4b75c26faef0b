/**
 * Teams activities (shapes as in Microsoft's Bot Framework documentation) replayed against
 * POST /api/messages, with a local fake connector standing in for the activity's serviceUrl.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { chatClient } from '../helpers/chat-client.js';

interface Sent {
  path: string;
  body: { type: string; text?: string; attachments?: { contentType: string; content: { body: { text?: string }[]; actions?: { type: string; title: string; data?: { yiciChoice: string }; url?: string }[] } }[] };
}

let connector: Server;
let connectorUrl: string;
let sent: Sent[] = [];

const startConnector = () =>
  new Promise<void>((resolve) => {
    connector = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        sent.push({ path: req.url ?? '', body: JSON.parse(data || '{}') });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `reply-${sent.length}` }));
      });
    });
    connector.listen(0, '127.0.0.1', () => {
      const a = connector.address() as { port: number };
      connectorUrl = `http://127.0.0.1:${a.port}/`;
      resolve();
    });
  });

const activity = (over: Record<string, unknown>) => ({
  type: 'message',
  id: `act-${Math.random().toString(36).slice(2)}`,
  timestamp: new Date().toISOString(),
  serviceUrl: connectorUrl,
  channelId: 'msteams',
  from: { id: '29:1citizen-aad-id', name: '张阿姨', aadObjectId: '00000000-0000-0000-0000-000000000001' },
  conversation: { id: 'a:1personal-chat-id', conversationType: 'personal', tenantId: 'tenant-1' },
  recipient: { id: '28:yici-bot-app-id', name: 'Yici' },
  locale: 'zh-CN',
  channelData: { tenant: { id: 'tenant-1' } },
  ...over,
});

const post = (server: RunningServer, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const waitForSent = async (n: number) => {
  for (let i = 0; i < 100 && sent.length < n; i++) await new Promise((r) => setTimeout(r, 20));
  return sent;
};

describe('Teams endpoint in emulator mode (no credentials)', () => {
  let running: RunningServer;
  beforeAll(async () => {
    await startConnector();
    const dir = await mkdtemp(join(tmpdir(), 'yici-teams-'));
    running = await startServer(
      readConfig({ PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', PUBLIC_URL: 'https://yici.example.gov.cn', OFFICE_HOURS: 'always', TEAMS_EMULATOR: 'on' }),
      silentLogger,
      { print: () => {} },
    );
  });
  afterAll(async () => {
    await running.close();
    await new Promise((r) => connector.close(r));
  });
  beforeEach(() => {
    sent = [];
  });

  it('answers a message with an Adaptive Card posted back to the serviceUrl', async () => {
    const res = await post(running, activity({ text: '个体户营业执照怎么办' }));
    expect(res.status).toBe(200);
    const out = await waitForSent(1);
    expect(out[0]!.path).toMatch(/^\/v3\/conversations\/a%3A1personal-chat-id\/activities/);
    const card = out.find((s) => s.body.attachments?.[0]?.contentType === 'application/vnd.microsoft.card.adaptive');
    expect(card).toBeDefined();
    const texts = card!.body.attachments![0]!.content.body.map((b) => b.text ?? '').join('\n');
    expect(texts).toContain('个体工商户设立登记');
    expect(texts).toContain('来源');
  });

  it('asks walkthrough questions as card buttons, and a button press continues the walkthrough over many turns', async () => {
    const conv = { id: 'a:1walkthrough-chat', conversationType: 'personal', tenantId: 'tenant-1' };
    await post(running, activity({ conversation: conv, text: '我想开个小卖部' }));
    let out = await waitForSent(1);
    const buttons = () => out.flatMap((s) => s.body.attachments?.flatMap((a) => a.content.actions ?? []) ?? []).filter((a) => a.type === 'Action.Submit');
    let turns = 0;
    // Keep pressing the first button until a checklist arrives (or give up after 12 turns).
    while (!out.some((s) => s.body.attachments?.some((a) => a.content.actions?.some((x) => x.type === 'Action.OpenUrl'))) && turns < 12) {
      const first = buttons()[0];
      expect(first, `turn ${turns}: no button in ${JSON.stringify(out.map((s) => s.body.text))}`).toBeDefined();
      sent = [];
      // A card submit: no text, the button's data in `value`.
      await post(running, activity({ conversation: conv, text: undefined, value: first!.data }));
      out = await waitForSent(1);
      turns++;
    }
    const open = out.flatMap((s) => s.body.attachments?.flatMap((a) => a.content.actions ?? []) ?? []).find((a) => a.type === 'Action.OpenUrl');
    expect(open?.url).toMatch(/^https:\/\/yici\.example\.gov\.cn\/checklist\//);
    expect(turns).toBeGreaterThan(1);
  });

  it('greets when the bot is added, and reaches the citizen proactively when an officer answers', async () => {
    const conv = { id: 'a:1handoff-chat', conversationType: 'personal', tenantId: 'tenant-1' };
    await post(running, activity({ type: 'conversationUpdate', text: undefined, conversation: conv, membersAdded: [{ id: '28:yici-bot-app-id' }] }));
    expect((await waitForSent(1))[0]!.body.text).toContain('一次');
    sent = [];
    await post(running, activity({ conversation: conv, text: '转人工' }));
    await waitForSent(1);
    const { teamsSessionId } = await import('../../src/channels/teams/teams-channel.js');
    const sessionId = teamsSessionId(conv.id);
    await running.accounts.create({ username: 'officerli', password: 'Officer-desk-2026', role: 'officer' });
    const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'officerli', password: 'Officer-desk-2026' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const officer = (path: string, body: unknown) => fetch(`${running.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    expect((await officer(`/api/officer/conversations/${sessionId}/claim`, {})).status).toBe(200);
    sent = [];
    expect((await officer(`/api/officer/conversations/${sessionId}/messages`, { text: '您好，我是窗口的李工，请问要办什么？' })).status).toBeLessThan(300);
    for (let i = 0; i < 100 && !sent.some((x) => x.body.text?.includes('李工')); i++) await new Promise((r) => setTimeout(r, 20));
    const reply = sent.find((x) => x.body.text?.includes('李工'));
    expect(reply?.path).toContain(encodeURIComponent(conv.id));
    expect(reply?.body.text).toBe('【工作人员】您好，我是窗口的李工，请问要办什么？');
  });

  it('notifies a linked officer in Teams of a new case; 接单 claims it, and what the officer types reaches the web citizen', async () => {
    await running.accounts.create({ username: 'officerwang', password: 'Officer-desk-2026', role: 'officer', displayName: '王工' });
    const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'officerwang', password: 'Officer-desk-2026' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const linkRes = await fetch(`${running.url}/api/officer/teams-link`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' });
    expect(linkRes.status).toBe(201);
    const { code } = (await linkRes.json()) as { code: string };
    const officerConv = { id: 'a:1officer-wang-chat', conversationType: 'personal', tenantId: 'tenant-1' };
    const officerFrom = { id: '29:1officer-wang', name: '王工', aadObjectId: '00000000-0000-0000-0000-00000000000a' };
    const asOfficer = (over: Record<string, unknown>) => post(running, activity({ conversation: officerConv, from: officerFrom, ...over }));

    await asOfficer({ text: '绑定 000000' });
    expect((await waitForSent(1))[0]!.body.text).toContain('绑定码不对');
    sent = [];
    await asOfficer({ text: `绑定 ${code}` });
    expect((await waitForSent(1))[0]!.body.text).toContain('已绑定工作人员账号 officerwang');
    sent = [];

    // A citizen on the web asks for a person.
    const citizen = chatClient(running.url);
    const chat = (text: string) => citizen.post({ sessionId: 'web-citizen-teams', text });
    await chat('办个体户执照要啥材料');
    await chat('转人工');
    for (let i = 0; i < 100 && !sent.some((x) => x.body.attachments); i++) await new Promise((r) => setTimeout(r, 20));
    const notice = sent.find((x) => x.path.includes(encodeURIComponent(officerConv.id)) && x.body.attachments);
    expect(notice?.body.text).toContain('新的转人工');
    const claim = notice!.body.attachments![0]!.content.actions!.find((x) => x.title === '接单')!;
    sent = [];
    await asOfficer({ text: undefined, value: claim.data });
    for (let i = 0; i < 100 && !sent.some((x) => x.body.text?.includes('已接单')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(sent.some((x) => x.body.text?.includes('已接单'))).toBe(true);

    await asOfficer({ text: '您好，材料是身份证和经营场所证明。' });
    const transcript = async () => ((await (await citizen.messages('web-citizen-teams')).json()) as { messages: { from: string; replies: { text?: string }[] }[] }).messages;
    await expect.poll(async () => (await transcript()).some((m) => m.from === 'officer' && m.replies[0]?.text === '您好，材料是身份证和经营场所证明。')).toBe(true);

    sent = [];
    await asOfficer({ text: '结束服务' });
    for (let i = 0; i < 100 && !sent.some((x) => x.body.text?.includes('已结束')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(sent.some((x) => x.body.text === '已结束本次服务。')).toBe(true);
    await expect.poll(async () => (await transcript()).some((m) => m.from === 'system' && m.replies.some((r) => r.text?.includes('人工服务已结束')))).toBe(true);
  });

  it('only talks to a connector on this machine while no credentials are set', async () => {
    const res = await post(running, activity({ serviceUrl: 'https://smba.trafficmanager.net/apac/', text: '你好' }));
    expect(res.status).toBe(401);
    expect(sent).toEqual([]);
  });

  it('survives a connector that cannot be reached: the turn fails, logged, and the server keeps answering', async () => {
    const res = await post(running, activity({ serviceUrl: 'http://127.0.0.1:1/', text: '身份证丢了怎么补' }));
    expect(res.status).toBeLessThan(500);
    expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
    await post(running, activity({ text: '身份证丢了怎么补' }));
    expect((await waitForSent(1)).length).toBeGreaterThan(0);
  });

  it('refuses a body that is not an activity', async () => {
    const res = await post(running, { hello: 'world' });
    expect(res.status).toBeGreaterThanOrEqual(400);
  });
});

describe('Teams endpoint with credentials', () => {
  let running: RunningServer;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yici-teams-auth-'));
    running = await startServer(
      readConfig({ PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'not-a-real-secret' }),
      silentLogger,
      { print: () => {} },
    );
  });
  afterAll(() => running.close());

  it('refuses a request without a token, or with a token that is not signed by the Bot Framework, with 401', async () => {
    const body = activity({ serviceUrl: 'https://smba.trafficmanager.net/apac/', text: '你好' });
    expect((await post(running, body)).status).toBe(401);
    // A well-formed JWT with a foreign issuer and no valid signature.
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const forged = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'x' })}.${b64({ iss: 'https://evil.example', aud: '11111111-2222-3333-4444-555555555555', exp: Math.floor(Date.now() / 1000) + 600 })}.c2lnbmF0dXJl`;
    expect((await post(running, body, { authorization: `Bearer ${forged}` })).status).toBe(401);
    expect((await post(running, body, { authorization: 'Bearer garbage' })).status).toBe(401);
  });
});
