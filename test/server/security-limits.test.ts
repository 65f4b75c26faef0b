/**
 * Issue 11, finding 7: per-client rate limits on chat, search, sign-in and new handoffs
 * (one conversation took 416 messages/s; 300 new conversations saying 「转人工」 grew the queue
 * from 9 to 309). Limits are set low here through the environment; each test speaks from its own
 * client address (X-Forwarded-For through a trusted proxy on this machine).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { DEFAULT_RATE_LIMITS } from '../../src/server/rate-limits.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

let running: RunningServer;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'yici-limits-'));
  running = await startServer(
    readConfig({
      PORT: '0',
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'silent',
      ADMIN_USERNAME: 'chief',
      ADMIN_PASSWORD: 'Strong-pass-2026',
      OFFICE_HOURS: 'always',
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_CHAT_PER_MINUTE: '6',
      RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: '3',
      RATE_LIMIT_SEARCH_PER_MINUTE: '2',
      RATE_LIMIT_LOGIN_PER_MINUTE: '3',
      RATE_LIMIT_HANDOFFS_PER_10_MINUTES: '2',
    }),
    silentLogger,
    { print: () => {} },
  );
});
afterAll(() => running.close());

const from = (address: string) => ({ 'x-forwarded-for': address });
/** Each conversation's key (X-Session-Key), remembered from its first response. */
const keys = new Map<string, string>();
const keyed = (sessionId: string): Record<string, string> => (keys.has(sessionId) ? { 'x-session-key': keys.get(sessionId)! } : {});
const chat = async (address: string, sessionId: string, text: string) => {
  const res = await fetch(`${running.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...from(address), ...keyed(sessionId) }, body: JSON.stringify({ sessionId, text }) });
  if (res.ok) {
    const { sessionKey } = (await res.clone().json()) as { sessionKey?: string };
    if (sessionKey) keys.set(sessionId, sessionKey);
  }
  return res;
};

const expectLimited = async (res: Response) => {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = await res.json();
  expect(body.error.code).toBe('rate_limited');
  expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
};

describe('rate limits', () => {
  it('defaults that a person never meets, each configurable', () => {
    expect(readConfig({}).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(DEFAULT_RATE_LIMITS).toEqual({ chatPerMinute: 60, chatPerConversationPerMinute: 20, searchPerMinute: 120, loginPerMinute: 20, handoffsPer10Minutes: 5 });
    expect(() => readConfig({ RATE_LIMIT_CHAT_PER_MINUTE: 'lots' })).toThrow(/RATE_LIMIT_CHAT_PER_MINUTE/);
  });

  it('chat: per conversation, then per client address; a refused message is not stored', async () => {
    const ip = '198.51.100.1';
    for (let i = 0; i < 3; i++) expect((await chat(ip, 'limits-conversation-a', `身份证丢了怎么补 ${i}`)).status).toBe(200);
    await expectLimited(await chat(ip, 'limits-conversation-a', '第四条'));
    const transcript = await (await fetch(`${running.url}/api/chat/limits-conversation-a/messages`, { headers: { ...from(ip), ...keyed('limits-conversation-a') } })).json();
    expect(JSON.stringify(transcript)).not.toContain('第四条');
    // The same address in another conversation: 4 requests counted so far, 6 allowed.
    expect((await chat(ip, 'limits-conversation-b', '营业执照')).status).toBe(200);
    expect((await chat(ip, 'limits-conversation-b', '营业执照')).status).toBe(200);
    await expectLimited(await chat(ip, 'limits-conversation-c', '营业执照'));
    // Another citizen is not affected.
    expect((await chat('198.51.100.2', 'limits-conversation-d', '营业执照')).status).toBe(200);
  });

  it('search: per client address', async () => {
    const search = (ip: string) => fetch(`${running.url}/api/search?q=${encodeURIComponent('营业执照')}`, { headers: from(ip) });
    expect((await search('198.51.100.10')).status).toBe(200);
    expect((await search('198.51.100.10')).status).toBe(200);
    await expectLimited(await search('198.51.100.10'));
    expect((await search('198.51.100.11')).status).toBe(200);
  });

  it('sign-in: per client address, whatever the account', async () => {
    const login = (ip: string, username: string, password: string) =>
      fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...from(ip) }, body: JSON.stringify({ username, password }) });
    for (const name of ['guess-one', 'guess-two', 'guess-three']) expect((await login('198.51.100.20', name, 'Wrong-pass-2026')).status).toBe(401);
    await expectLimited(await login('198.51.100.20', 'chief', 'Strong-pass-2026'));
    // The real administrator, from their own address, still signs in.
    expect((await login('198.51.100.21', 'chief', 'Strong-pass-2026')).status).toBe(200);
  });

  it('new handoffs: per client address; the third new conversation asking for a person is told to wait and queues nothing', async () => {
    const ip = '198.51.100.30';
    const replies: string[] = [];
    for (const sessionId of ['limits-handoff-1', 'limits-handoff-2', 'limits-handoff-3']) {
      const res = await chat(ip, sessionId, '转人工');
      expect(res.status).toBe(200);
      replies.push(JSON.stringify((await res.json()).replies));
    }
    expect(replies[0]).toContain('已为您转接人工服务');
    expect(replies[1]).toContain('已为您转接人工服务');
    expect(replies[2]).toContain('转人工的请求太多了');
    expect(replies[2]).not.toContain('已为您转接人工服务');
    // Saying it again in a conversation already queued is not a new handoff.
    expect(JSON.stringify((await (await chat(ip, 'limits-handoff-1', '转人工')).json()).replies)).not.toContain('转人工的请求太多了');
    // Another citizen still reaches a person.
    expect(JSON.stringify((await (await chat('198.51.100.31', 'limits-handoff-4', '转人工')).json()).replies)).toContain('已为您转接人工服务');
    // The officers' queue holds the three accepted cases, not the refused one.
    const signIn = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...from('198.51.100.32') }, body: JSON.stringify({ username: 'chief', password: 'Strong-pass-2026' }) });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const { conversations } = await (await fetch(`${running.url}/api/officer/queue`, { headers: { cookie } })).json();
    expect(conversations.map((c: { sessionId: string }) => c.sessionId).filter((id: string) => id.startsWith('limits-handoff-')).sort()).toEqual(['limits-handoff-1', 'limits-handoff-2', 'limits-handoff-4']);
  });

  it('the web socket: the same handoff limit per client address, and a message limit per address', async () => {
    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/api/web/socket`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const frames: string[] = [];
    ws.on('message', (d) => frames.push(String(d)));
    const say = async (sessionId: string, text: string) => {
      const before = frames.length;
      ws.send(JSON.stringify({ type: 'message', user: sessionId, text }));
      for (let i = 0; i < 200 && frames.length === before; i++) await new Promise((r) => setTimeout(r, 10));
      return frames.slice(before).join('\n');
    };
    try {
      // New handoffs: 2 per address in this configuration; the socket's address is its own (no proxy header).
      expect(await say('socket-handoff-0001', '转人工')).toContain('已为您转接人工服务');
      expect(await say('socket-handoff-0002', '转人工')).toContain('已为您转接人工服务');
      const third = await say('socket-handoff-0003', '转人工');
      expect(third).toContain('转人工的请求太多了');
      expect(third).not.toContain('已为您转接人工服务');
      // Messages: 6 per address per minute; 3 used above.
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await say(`socket-flood-${String(i).padStart(8, '0')}`, '营业执照'));
      expect(answers.filter((a) => a.includes('rate_limited'))).toHaveLength(2);
    } finally {
      ws.close();
    }
  });
});
