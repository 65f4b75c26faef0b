/**
 * Issue 16 part 1: saving a message appends to the conversation's journal instead of rewriting
 * its document — with the same durability as before. The real server runs as a child process on
 * a temporary DATA_DIR (lowdb), is killed with SIGKILL while messages are in flight, and restarted:
 * every acknowledged message is in its transcript exactly once and in order, and the conversation
 * goes on from its saved state. Enough messages that journals are compacted on the way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { freePort } from '../../scripts/lib/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConversationRecord } from '../../src/service/chat-service.js';
import { createLowdbStore, JOURNAL_LIMIT } from '../../src/storage/lowdb-store.js';
import { chatClient } from '../helpers/chat-client.js';

const root = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

async function launch(dataDir: string, port: number): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'silent', OFFICE_HOURS: 'always', RATE_LIMIT_CHAT_PER_MINUTE: '100000', RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: '100000' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => void (err = (err + c.toString()).slice(-2000)));
  children.push(child);
  for (const until = Date.now() + 90_000; Date.now() < until; await sleep(200)) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200) return child;
    } catch {
      /* not listening yet */
    }
  }
  throw new Error(`the server did not start:\n${err}`);
}

const QUESTIONS = ['社保卡丢了怎么补', '要带什么材料', '身份证丢了怎么补', '要多少钱', '个体户营业执照怎么办', '在哪里办', '明天天气怎么样', '多久能办好'];

describe('kill -9 during chat (lowdb journal)', () => {
  it('keeps every acknowledged message exactly once and in order, and the conversation goes on', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-kill-'));
    const port = await freePort();
    const child = await launch(dataDir, port);
    const citizen = chatClient(`http://127.0.0.1:${port}`);
    const conversations = Array.from({ length: 4 }, (_, i) => `kill-restart-conv-${i}-abcdefgh`);
    // What the server acknowledged: per conversation, [user text, seq of the bot reply].
    const acked = new Map<string, { text: string; seq: number }[]>(conversations.map((c) => [c, []]));
    const killAfter = 4 * (JOURNAL_LIMIT + 6); // past one compaction in each conversation
    let total = 0;
    let killed = false;
    const refused: string[] = [];
    await Promise.all(
      conversations.map(async (sessionId, c) => {
        for (let i = 0; !killed; i++) {
          const text = `${QUESTIONS[(i + c) % QUESTIONS.length]}（第${i + 1}句）`;
          let res: Response;
          try {
            res = await citizen.post({ sessionId, text });
          } catch {
            break; // the server is gone: this message was never acknowledged
          }
          if (res.status !== 200) {
            refused.push(`${res.status} ${await res.text()}`);
            break;
          }
          const out = (await res.json()) as { seq: number };
          acked.get(sessionId)!.push({ text, seq: out.seq });
          if (++total >= killAfter && !killed) {
            // Right after an acknowledgement, with the other conversations' messages in flight.
            killed = true;
            child.kill('SIGKILL');
          }
        }
      }),
    );
    expect(refused, 'only the kill may stop the conversations').toEqual([]);
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    expect(child.signalCode).toBe('SIGKILL');

    const again = await launch(dataDir, port);
    try {
      for (const sessionId of conversations) {
        const sent = acked.get(sessionId)!;
        expect(sent.length).toBeGreaterThan(JOURNAL_LIMIT / 2);
        const res = await citizen.messages(sessionId);
        expect(res.status).toBe(200);
        const messages = ((await res.json()) as { messages: { seq: number; from: string; text?: string }[] }).messages;
        // Numbered 1, 2, 3 … with no gap or repeat.
        expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
        const userTexts = messages.filter((m) => m.from === 'user').map((m) => m.text);
        // Every acknowledged message once, in the order sent; after them at most the one in flight at the kill.
        expect(userTexts.slice(0, sent.length)).toEqual(sent.map((s) => s.text));
        expect(userTexts.length - sent.length).toBeLessThanOrEqual(1);
        for (const s of sent) {
          expect(messages[s.seq - 1]?.from).toBe('bot');
          expect(messages[s.seq - 2]).toMatchObject({ from: 'user', text: s.text });
        }
        // The conversation goes on: its key still opens it and the next message is numbered after the last.
        const next = await citizen.post({ sessionId, text: '谢谢' });
        expect(next.status).toBe(200);
        expect(((await next.json()) as { seq: number }).seq).toBe(messages.length + 2);
      }
    } finally {
      again.kill('SIGTERM');
      await new Promise((r) => (again.exitCode !== null ? r(null) : again.once('exit', r)));
    }
    // The saved state is whole too: read in-process, each conversation's record agrees with its transcript.
    const store = await createLowdbStore(dataDir);
    for (const sessionId of conversations) {
      const record = await store.documents<ConversationRecord>('conversations').read(sessionId);
      expect(record?.recent.at(-1)?.seq).toBe(record!.nextSeq - 1);
      expect(record?.recent.at(-1)?.from).toBe('bot');
    }
    await store.close();
  }, 240_000);
});
