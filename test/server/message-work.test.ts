/**
 * Issue 16 part 2: work per chat message that nobody needs, counted rather than timed. On one
 * instance with no officer connected, a message reads the conversation's case once (the chat
 * service's mode), not once more for an officer console that is not there, and its transcript
 * messages are not copied onto a bus that only this instance listens to.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { Store } from '../../src/storage/ports.js';
import { chatClient } from '../helpers/chat-client.js';

/** The store, with the reads of each collection counted (a read of several documents together counts one per document). */
function countingReads(store: Store): { store: Store; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const count = (collection: string) => reads.set(collection, (reads.get(collection) ?? 0) + 1);
  const counted: Store = Object.create(store) as Store;
  counted.documents = <T>(collection: string) => {
    const docs = store.documents<T>(collection);
    return {
      ...docs,
      read: (key: string) => {
        count(collection);
        return docs.read(key);
      },
      readVersioned: (key: string) => {
        count(collection);
        return docs.readVersioned(key);
      },
    };
  };
  counted.readTogether = (items) => {
    for (const i of items) count(i.collection);
    return store.readTogether(items);
  };
  return { store: counted, reads };
}

let running: RunningServer;
let reads: Map<string, number>;
beforeAll(async () => {
  const counting = countingReads(createMemoryStore());
  reads = counting.reads;
  const dataDir = await mkdtemp(join(tmpdir(), 'yici-message-work-'));
  running = await startServer(readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), silentLogger, { store: counting.store });
});
afterAll(() => running.close());

describe('one chat message on one instance', () => {
  it('reads its case once and publishes nothing on the bus', async () => {
    const citizen = chatClient(running.url);
    const publish = vi.spyOn(running.bus, 'publish');
    for (const [i, text] of ['个体户营业执照怎么办', '那要多少钱？', '明天天气怎么样'].entries()) {
      reads.clear();
      publish.mockClear();
      const res = await citizen.post({ sessionId: 'message-work-check-0001', text });
      expect(res.status, text).toBe(200);
      expect(((await res.json()) as { seq: number }).seq, text).toBe(2 * (i + 1));
      expect(reads.get('cases') ?? 0, text).toBe(1);
      expect(reads.get('conversations') ?? 0, text).toBe(1);
      expect(publish, text).not.toHaveBeenCalled();
    }
    publish.mockRestore();
  });
});

describe('one chat message on an instance with others on its bus', () => {
  it('publishes nothing while the citizen talks with the bot, and every message once a person is asked for', async () => {
    const { createLocalBus } = await import('../../src/storage/local-bus.js');
    const bus = createLocalBus();
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-message-work-bus-'));
    const shared = await startServer(readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', OFFICE_HOURS: 'always' }), silentLogger, { store: createMemoryStore(), bus, print: () => {} });
    try {
      const topics: string[] = [];
      const publish = vi.spyOn(bus, 'publish').mockImplementation(async (topic) => void topics.push(topic));
      const citizen = chatClient(shared.url);
      const session = 'message-work-check-0003';
      for (const text of ['个体户营业执照怎么办', '那要多少钱？']) expect((await citizen.post({ sessionId: session, text })).status).toBe(200);
      expect(topics.filter((t) => t === 'chat.message')).toEqual([]);
      const queued = await citizen.post({ sessionId: session, text: '转人工' });
      expect(((await queued.json()) as { mode: string }).mode).toBe('queued');
      topics.length = 0;
      expect((await citizen.post({ sessionId: session, text: '我还想问一下营业执照的事' })).status).toBe(200);
      // The citizen's message and the reply reach the officers' consoles on every instance.
      expect(topics.filter((t) => t === 'chat.message').length).toBeGreaterThanOrEqual(1);
      publish.mockRestore();
    } finally {
      await shared.close();
    }
  });
});

describe('the chat answer, written directly', () => {
  it('carries the headers res.json gave it, in the same order, and its exact length', async () => {
    const { request } = await import('node:http');
    const body = JSON.stringify({ sessionId: 'message-work-check-0002', text: '个体户营业执照怎么办' });
    const { status, names, headers, bytes } = await new Promise<{ status: number; names: string[]; headers: Record<string, unknown>; bytes: number }>((resolve, reject) => {
      const req = request(`${running.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, names: res.rawHeaders.filter((_, i) => i % 2 === 0), headers: res.headers, bytes: n }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(200);
    expect(names.slice(names.indexOf('X-XSS-Protection'))).toEqual(['X-XSS-Protection', 'RateLimit-Policy', 'RateLimit', 'Content-Type', 'Content-Length', 'Date', 'Connection', 'Keep-Alive']);
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(headers['content-length'])).toBe(bytes);
    expect(bytes).toBeGreaterThan(1000); // a real answer, longer than res.send's short-body path
  });
});
