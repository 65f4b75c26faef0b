/** The real server (lowdb on disk, shipped knowledge): transcripts survive a restart. */
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer } from '../../src/server/start-server.js';
import { chatClient } from '../helpers/chat-client.js';

describe('restart', () => {
  it('keeps transcripts and the unanswered log across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-restart-'));
    const config = readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });

    const first = await startServer(config, silentLogger);
    let url = first.url;
    // One client across both runs: the key issued by the first run opens the conversation in the second.
    const citizen = chatClient(() => url);
    expect((await citizen.post({ sessionId: 'keep-me-across-restart', text: '个体户营业执照怎么办' })).status).toBe(200);
    expect((await citizen.post({ sessionId: 'keep-me-across-restart', text: '明天天气怎么样' })).status).toBe(200);
    await first.close();

    const second = await startServer(config, silentLogger);
    url = second.url;
    try {
      const res = await citizen.messages('keep-me-across-restart');
      const body = (await res.json()) as { messages: { seq: number; from: string; text?: string }[] };
      expect(body.messages.map((m) => [m.seq, m.from])).toEqual([[1, 'user'], [2, 'bot'], [3, 'user'], [4, 'bot']]);
      expect(body.messages[0]?.text).toBe('个体户营业执照怎么办');
      // The conversation goes on where it was: the next message gets the next sequence number.
      const next = (await (await citizen.post({ sessionId: 'keep-me-across-restart', text: '那要多少钱' })).json()) as { seq: number };
      expect(next.seq).toBe(6);
      const log = await second.store.log<{ text: string }>('unanswered').recent(10);
      expect(log.map((r) => r.text)).toContain('明天天气怎么样');
    } finally {
      await second.close();
    }
    expect(await readdir(dataDir)).toEqual(expect.arrayContaining(['conversations', 'unanswered']));
  });

  it('refuses to start on a broken knowledge base, naming the problem', async () => {
    const knowledgeDir = await mkdtemp(join(tmpdir(), 'yici-badkb-'));
    const config = readConfig({ PORT: '0', KNOWLEDGE_DIR: knowledgeDir, DATA_DIR: join(knowledgeDir, 'data') });
    await expect(startServer(config, silentLogger)).rejects.toMatchObject({
      problems: expect.arrayContaining([expect.stringContaining('settings.yaml › settings › (file)')]),
    });
  });
});
