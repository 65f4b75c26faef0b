/** The citizen side of ../shared/api.md, exercised over HTTP in-process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatClient } from '../helpers/chat-client.js';
import { startTestApp } from '../helpers/test-app.js';

let app: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());
const client = chatClient(() => app.url);

const get = (path: string) => fetch(app.url + path);
const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(app.url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const expectError = async (res: Response, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|node_modules/); // no stack traces
  return body;
};

describe('GET /api/health', () => {
  it('answers ok with the knowledge loaded', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', knowledge: { entries: 8 }, store: { writable: true } });
  });
});

describe('GET /api/search', () => {
  it('ranks entries with id, title, kind and score, and says whether it can answer', async () => {
    const res = await get(`/api/search?q=${encodeURIComponent('個體戶營業執照怎麼辦')}&k=3`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { query: string; answerable: boolean; results: { id: string; title: string; kind: string; score: number }[] };
    expect(body.query).toBe('個體戶營業執照怎麼辦');
    expect(body.answerable).toBe(true);
    expect(body.results.length).toBeLessThanOrEqual(3);
    expect(body.results[0]).toEqual({ id: 'item-licence', title: '个体工商户设立登记', kind: 'item', score: expect.any(Number) });
  });

  it('says answerable false for an out-of-scope question, still listing nearest entries', async () => {
    const body = (await (await get(`/api/search?q=${encodeURIComponent('明天天气怎么样')}`)).json()) as { answerable: boolean; results: unknown[] };
    expect(body.answerable).toBe(false);
    expect(Array.isArray(body.results)).toBe(true);
  });

  it('says what the bot does with the question: band, with answerable true only in the answer band', async () => {
    for (const q of ['個體戶營業執照怎麼辦', '明天天气怎么样', '致某某医院医生的感谢信']) {
      const body = (await (await get(`/api/search?q=${encodeURIComponent(q)}`)).json()) as { answerable: boolean; band: string; appeal: string | null; suggestions: { id: string }[] };
      expect(['answer', 'suggest', 'refuse'], q).toContain(body.band);
      expect(body.answerable, q).toBe(body.band === 'answer');
      if (body.band !== 'suggest') expect(body.suggestions, q).toEqual([]);
    }
    const thanks = (await (await get(`/api/search?q=${encodeURIComponent('致某某医院医生的感谢信')}`)).json()) as { band: string; appeal: string };
    expect(thanks).toMatchObject({ band: 'refuse', appeal: 'thanks' });
  });

  it('defaults k to 5', async () => {
    // Names four matters: every entry of the fixture (7) is a candidate, more than 5.
    const q = encodeURIComponent('营业执照 身份证 社保卡 烟草证');
    const ids = async (query: string) => ((await (await get(`/api/search?q=${query}`)).json()) as { results: { id: string }[] }).results.map((r) => r.id);
    const all = await ids(`${q}&k=20`);
    expect(all.length).toBeGreaterThan(5);
    expect(await ids(q)).toEqual(all.slice(0, 5));
    expect(await ids(`${q}&k=2`)).toEqual(all.slice(0, 2));
  });

  it.each([
    ['/api/search', 'missing q'],
    ['/api/search?q=', 'empty q'],
    ['/api/search?q=%20%20', 'blank q'],
    ['/api/search?q=a&k=0', 'k too small'],
    ['/api/search?q=a&k=abc', 'k not a number'],
    ['/api/search?q=a&k=1.5', 'k not whole'],
    [`/api/search?q=${'长'.repeat(501)}`, 'q too long'],
  ])('%s → 400 (%s)', async (path) => {
    await expectError(await get(path), 400, 'invalid_request');
  });
});

const VALID_ID = 'never-used-valid-01';

describe('POST /api/chat', () => {
  it('answers typed text with mode, replies and match', async () => {
    const res = await client.post({ sessionId: 'api-session-0001', text: '个体户营业执照怎么办' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sessionId: string; mode: string; replies: { type: string }[]; match: { id: string; title: string; kind: string; score: number } };
    expect(body.sessionId).toBe('api-session-0001');
    expect(body.mode).toBe('bot');
    expect(body.replies.map((r) => r.type)).toEqual(['text', 'choices']);
    expect(body.match).toEqual({ id: 'item-licence', title: '个体工商户设立登记', kind: 'item', score: expect.any(Number) });
  });

  it('takes a pressed button as choice, and a typed label as the button', async () => {
    await client.post({ sessionId: 'api-session-0002', text: '烟草证' });
    const pressed = (await (await client.post({ sessionId: 'api-session-0002', choice: 'aspect:materials' })).json()) as { replies: { text?: string }[] };
    expect(pressed.replies[0]?.text).toContain('需要准备的材料');
    const typed = (await (await client.post({ sessionId: 'api-session-0002', text: '办理流程' })).json()) as { replies: { text?: string }[] };
    expect(typed.replies[0]?.text).toContain('办理流程');
  });

  it('gives match null when nothing matched', async () => {
    const body = (await (await client.post({ sessionId: 'api-session-0003', text: '明天天气怎么样' })).json()) as { match: unknown };
    expect(body.match).toBeNull();
  });

  it.each([
    [{}, 'missing everything'],
    [{ sessionId: VALID_ID }, 'neither text nor choice'],
    [{ sessionId: VALID_ID, text: 'a', choice: 'b' }, 'both text and choice'],
    [{ text: '你好' }, 'missing sessionId'],
    [{ sessionId: 42, text: '你好' }, 'sessionId not a string'],
    [{ sessionId: VALID_ID, text: 42 }, 'text not a string'],
    [{ sessionId: VALID_ID, text: '   ' }, 'blank text'],
    [{ sessionId: 'has space in the id', text: '你好' }, 'bad sessionId characters'],
    [{ sessionId: 'x'.repeat(65), text: '你好' }, 'sessionId too long'],
    [{ sessionId: 'x', text: '你好' }, 'sessionId too short'],
    [{ sessionId: VALID_ID, text: '你好', extra: 1 }, 'unknown field'],
    [[1, 2], 'not an object'],
    [{ sessionId: VALID_ID, text: '长'.repeat(501) }, 'message too long'],
  ] as [unknown, string][])('%j → 400 (%s)', async (body) => {
    await expectError(await client.post(body), 400, 'invalid_request');
  });

  it('refuses malformed JSON with 400 invalid_json', async () => {
    await expectError(await client.post('{"sessionId": "never-used-valid-01", "text": '), 400, 'invalid_json');
  });

  it('refuses a body over the size limit with 413', async () => {
    await expectError(await client.post({ sessionId: VALID_ID, text: 'a'.repeat(20_000) }), 413, 'payload_too_large');
  });

  it('refuses a non-JSON body with 415', async () => {
    await expectError(await client.post('sessionId=x&text=hi', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
  });

  it('stores nothing for a refused request: the conversation does not exist, so no key was issued', async () => {
    const refused = await client.post({ sessionId: 'api-refused-00001', text: '长'.repeat(501) });
    expect(((await refused.json()) as { sessionKey?: string }).sessionKey).toBeUndefined();
    // A later first message starts the conversation afresh: the user's message is 1, the bot's 2.
    const first = (await (await client.post({ sessionId: 'api-refused-00001', text: '你好' })).json()) as { seq: number; sessionKey?: string };
    expect(first.seq).toBe(2);
    expect(first.sessionKey).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  });
});

describe('GET /api/chat/:sessionId/messages', () => {
  it('returns the transcript after SEQ with seq, from, replies and at', async () => {
    await client.post({ sessionId: 'api-transcript-01', text: '你好' });
    await client.post({ sessionId: 'api-transcript-01', text: '烟草证' });
    const all = (await (await client.messages('api-transcript-01')).json()) as { messages: { seq: number; from: string; replies: unknown[]; at: string }[] };
    expect(all.messages.map((m) => [m.seq, m.from])).toEqual([[1, 'user'], [2, 'bot'], [3, 'user'], [4, 'bot']]);
    for (const m of all.messages) {
      expect(Array.isArray(m.replies)).toBe(true);
      expect(new Date(m.at).toISOString()).toBe(m.at);
    }
    const after = (await (await client.messages('api-transcript-01', 2)).json()) as { messages: { seq: number }[] };
    expect(after.messages.map((m) => m.seq)).toEqual([3, 4]);
  });

  it('rejects a bad after or session id', async () => {
    await expectError(await client.messages('api-transcript-01', -1), 400, 'invalid_request');
    await expectError(await client.messages('api-transcript-01', 'x'), 400, 'invalid_request');
    await expectError(await get(`/api/chat/${'x'.repeat(200)}/messages`), 400, 'invalid_request');
  });
});

describe('errors everywhere are JSON', () => {
  it('unknown route → 404', async () => {
    await expectError(await get('/api/nope'), 404, 'not_found');
    await expectError(await post('/nope', {}), 404, 'not_found');
  });

  it('wrong method on a known route → 405', async () => {
    await expectError(await fetch(`${app.url}/api/chat`, { method: 'GET' }), 405, 'method_not_allowed');
    await expectError(await fetch(`${app.url}/api/search?q=a`, { method: 'DELETE' }), 405, 'method_not_allowed');
  });
});

describe('the chat page', () => {
  it('is served at / in Chinese', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('lang="zh-CN"');
    expect(html).toContain('/chat.js');
  });
});
