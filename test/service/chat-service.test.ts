import { describe, expect, it } from 'vitest';
import type { UnansweredRecord } from '../../src/service/analytics.js';
import { createChatService, TRANSCRIPT_PAGE, type ConversationRecord } from '../../src/service/chat-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';

const setup = () => {
  const store = createMemoryStore();
  const chat = createChatService({ engine: fixtureEngine, store, now: () => new Date('2026-11-26T08:00:00Z') });
  return { store, chat };
};

describe('chat service', () => {
  it('masks personal numbers before they are stored', async () => {
    const { store, chat } = setup();
    await chat.handle('s1', { text: '我号码450403199001011234，手机13812345678，天气怎么样' }, 'test');
    const record = await store.documents<ConversationRecord>('conversations').read('s1');
    const page = await store.documents<unknown>('transcripts').read(JSON.stringify(['s1', 0]));
    const stored = JSON.stringify([record, page]);
    expect(stored).not.toContain('450403199001011234');
    expect(stored).not.toContain('13812345678');
    expect(stored).toContain('138****5678');
    const log = await store.log<UnansweredRecord>('unanswered').recent(10);
    expect(log).toHaveLength(1);
    expect(log[0]!.text).not.toContain('13812345678');
  });

  it('keeps a transcript with increasing sequence numbers and returns what came after', async () => {
    const { chat } = setup();
    const a = await chat.handle('s1', { text: '你好' }, 'test');
    const b = await chat.handle('s1', { text: '烟草证' }, 'test');
    expect([a.seq, b.seq]).toEqual([2, 4]);
    const all = await chat.transcript('s1', 0);
    expect(all?.map((m) => [m.seq, m.from])).toEqual([
      [1, 'user'],
      [2, 'bot'],
      [3, 'user'],
      [4, 'bot'],
    ]);
    expect((await chat.transcript('s1', 2))?.map((m) => m.seq)).toEqual([3, 4]);
    expect(await chat.transcript('unknown', 0)).toBeNull();
  });

  it('records the label of a pressed button as what the user said', async () => {
    const { chat } = setup();
    await chat.handle('s1', { text: '烟草证' }, 'test');
    await chat.handle('s1', { choice: 'aspect:materials' }, 'test');
    const t = await chat.transcript('s1', 2);
    expect(t?.[0]).toMatchObject({ from: 'user', text: '材料清单' });
  });

  it('handles messages of one conversation in order, even when sent at once', async () => {
    const { chat } = setup();
    const outs = await Promise.all(['你好', '烟草证', '那要多少钱', '谢谢'].map((text) => chat.handle('s1', { text }, 'test')));
    expect(outs.map((o) => o.seq)).toEqual([2, 4, 6, 8]);
    // 那要多少钱 was understood as a follow-up to 烟草证, so the order really was kept.
    expect(outs[2]!.match?.id).toBe('item-tobacco');
  });

  it('keeps conversations apart', async () => {
    const { chat } = setup();
    await chat.handle('a', { text: '烟草证' }, 'test');
    const b = await chat.handle('b', { text: '那要多少钱' }, 'test');
    expect(b.match).toBeNull();
  });
});

describe('chat service transcript pages', () => {
  it('splits a long conversation into pages and still returns every message after SEQ', async () => {
    const { store, chat } = setup();
    const turns = TRANSCRIPT_PAGE + 5; // 2 messages a turn: spans three pages
    for (let i = 0; i < turns; i++) await chat.handle('long', { text: i % 2 ? '烟草证' : '那要多少钱' }, 'test');
    const all = await chat.transcript('long', 0);
    expect(all?.map((m) => m.seq)).toEqual(Array.from({ length: 2 * turns }, (_, i) => i + 1));
    const tail = await chat.transcript('long', 2 * turns - 3);
    expect(tail?.map((m) => m.seq)).toEqual([2 * turns - 2, 2 * turns - 1, 2 * turns]);
    expect(await chat.transcript('long', 2 * turns)).toEqual([]);
    // No page holds more than TRANSCRIPT_PAGE messages.
    const pages = store.documents<unknown[]>('transcripts');
    for (let p = 0; p < 3; p++) expect(((await pages.read(JSON.stringify(['long', p]))) ?? []).length).toBeLessThanOrEqual(TRANSCRIPT_PAGE);
  });
});
