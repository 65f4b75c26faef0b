/**
 * Acceptance of the walkthroughs through the HTTP contract, on the shipped knowledge base and
 * flows: answering the offered choices reaches one checklist without duplicate materials, and the
 * printable page lists every material.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Reply } from '../../src/core/types.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { chatClient } from '../helpers/chat-client.js';

let running: RunningServer;
beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'yici-flows-'));
  running = await startServer(readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), silentLogger);
});
afterAll(() => running.close());

interface ChatOut {
  mode: string;
  replies: Reply[];
  match: { id: string } | null;
  seq: number;
}
const citizen = chatClient(() => running.url);
const chat = async (body: object): Promise<ChatOut> => {
  const res = await citizen.post(body);
  expect(res.status).toBe(200);
  return (await res.json()) as ChatOut;
};
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Answers every question with the option at `pick` (0 = first) until a checklist arrives. */
async function walk(sessionId: string, first: string, pick = 0) {
  let out = await chat({ sessionId, text: first });
  for (let turn = 0; turn < 12; turn++) {
    const list = out.replies.find((r) => r.type === 'checklist');
    if (list?.type === 'checklist') return { list, out };
    expect(out.mode, `turn ${turn}: still in the walkthrough`).toBe('flow');
    const q = out.replies.find((r) => r.type === 'choices');
    const answers = q?.type === 'choices' ? q.choices.filter((c) => c.value.startsWith('flow:answer:')) : [];
    expect(answers.length, `turn ${turn}: a question with answer buttons`).toBeGreaterThan(0);
    out = await chat({ sessionId, choice: answers[Math.min(pick, answers.length - 1)]!.value });
  }
  throw new Error('no checklist after 12 turns');
}

describe.each([
  ['开办小商店一件事', 'bundle-small-shop', '我想在镇上开个小卖部，还想卖烟'],
  ['新生儿出生一件事', 'bundle-newborn', '宝宝刚出生，要办哪些手续'],
  ['开办餐饮店一件事', 'bundle-restaurant', '我想开个饭店，要办什么证'],
])('%s', (_title, entryId, first) => {
  for (const pick of [0, 1]) {
    it(`reaches one checklist by answering the offered choices (option ${pick + 1} each time)`, async () => {
      const sessionId = `walk-${entryId}-${pick}`;
      const start = await chat({ sessionId, text: first });
      expect(start.match?.id).toBe(entryId);
      expect(start.mode).toBe('flow');
      const { list, out } = await walk(`${sessionId}-run`, first, pick);
      const names = list.materials.map((m) => m.name);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size, 'no duplicate materials').toBe(names.length);
      for (const m of list.materials) expect(m.usedBy.length).toBeGreaterThan(0);

      const page = await fetch(`${running.url}${list.url}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const html = await page.text();
      for (const name of names) expect(html, `printable page lists ${name}`).toContain(escapeHtml(name));
      expect(html).toContain('<svg'); // the QR code
      expect(html).toMatch(/资料核对日期 \d{4}-\d{2}-\d{2}/);

      const json = await fetch(`${running.url}/api/checklists/${list.id}`);
      expect(json.status).toBe(200);

      const fb = await citizen.postFor('/api/feedback', { sessionId: `${sessionId}-run`, seq: out.seq, helpful: true });
      expect(fb.status).toBe(201);
      expect(((await fb.json()) as { feedback: { checklistId: string } }).feedback.checklistId).toBe(list.id);
    });
  }
});

describe('checklist and feedback routes', () => {
  it('answers an unknown checklist with a Chinese 404 page, and a JSON 404 on the API', async () => {
    const page = await fetch(`${running.url}/checklist/nosuchlist`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('没有这份清单');
    const api = await fetch(`${running.url}/api/checklists/nosuchlist`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('refuses feedback on a message that does not exist, and bad feedback bodies', async () => {
    const sessionId = 'feedback-nothing-there';
    await chat({ sessionId, text: '你好' });
    expect((await citizen.postFor('/api/feedback', { sessionId, seq: 99, helpful: true })).status).toBe(404);
    // Without a conversation there is no key: refused like a wrong key.
    expect((await citizen.postFor('/api/feedback', { sessionId: 'nobody-has-this-id', seq: 2, helpful: true })).status).toBe(403);
    expect((await citizen.postFor('/api/feedback', { sessionId, seq: 'a', helpful: true })).status).toBe(400);
    expect((await citizen.postFor('/api/feedback', { sessionId, seq: 1, helpful: 'yes' })).status).toBe(400);
  });

  it('records feedback on an answer with the entry and its version, and never on a user message', async () => {
    const sessionId = 'feedback-session-1';
    const out = await chat({ sessionId, text: '个体户营业执照怎么办' });
    expect(out.match?.id).toBe('item-individual-business-registration');
    const ok = await citizen.postFor('/api/feedback', { sessionId, seq: out.seq, helpful: false, comment: '我的电话13812345678' });
    expect(ok.status).toBe(201);
    const log = await running.store.log<{ entryId: string; entryVersion: string; comment: string }>('feedback').recent(5);
    const mine = log.find((r) => r.comment?.includes('138'));
    expect(mine?.entryVersion).toMatch(/^[0-9a-f]{8}$/);
    expect(mine?.comment).toBe('我的电话138****5678');
    const userMsg = await citizen.postFor('/api/feedback', { sessionId, seq: out.seq - 1, helpful: true });
    expect(userMsg.status).toBe(404);
  });
});
