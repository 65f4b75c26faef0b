/**
 * Issue 14: how many PostgreSQL statements (round trips) one chat message costs, counted in the
 * store's driver wrapper. The conversation is read once and committed once — the turn's analytics
 * records and its counts for the dashboard's running totals ride in the same statement, and no lock
 * session is asked to try-lock and unlock around it. Skipped without PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chinaDay } from '../../src/core/china-time.js';
import { createHandoffService } from '../../src/handoff/handoff-service.js';
import { createChatService } from '../../src/service/chat-service.js';
import { TALLY } from '../../src/service/dashboard-totals.js';
import { createPostgresStore, statements } from '../../src/storage/postgres-store.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';
import { dropTestSchemas, freshSchema, postgresAvailable, TEST_DATABASE_URL } from '../helpers/postgres.js';

afterAll(dropTestSchemas);

describe.skipIf(!postgresAvailable)('chat on PostgreSQL', () => {
  it('costs two statements per message without a handoff desk: read the conversation, commit it with the turn and its dashboard counts', async () => {
    const sent: string[] = [];
    const names = new Map<string, Set<string | undefined>>();
    const store = await createPostgresStore(TEST_DATABASE_URL, {
      schema: freshSchema(),
      poolSize: 2,
      onStatement: (text, _values, name) => {
        sent.push(text);
        names.set(text, (names.get(text) ?? new Set()).add(name));
      },
    });
    const chat = createChatService({ engine: fixtureEngine, store });
    const questions = ['社保卡丢了怎么补', '要带什么材料', '明天天气怎么样', '身份证丢了怎么补'];
    // The first message of a store also makes the dashboard totals' marker, once, under a lock.
    await chat.handle('pg-statements-0000', { text: '你好' }, 'web');
    sent.length = 0;
    const turns = 20;
    const counted = async () => [...(await store.tallies(TALLY).sum([chinaDay(new Date())])).values()].reduce((a, b) => a + b, 0);
    const before = await counted();
    const first = sent.length;
    for (let i = 0; i < turns; i++) await chat.handle('pg-statements-0001', { text: questions[i % questions.length]! }, 'web');
    const ofTurns = sent.slice(first);
    const perMessage = sent.length / turns;
    // Every message, and its turn record, is stored.
    expect((await chat.transcript('pg-statements-0001', 0))?.length).toBe(2 * turns);
    expect((await store.log<{ sessionId: string }>('turns').recent(100)).filter((t) => t.sessionId === 'pg-statements-0001').length).toBe(turns);
    // …and counted on the dashboard's running totals, by the same commits.
    expect(await counted()).toBeGreaterThanOrEqual(before + turns);
    await store.close();
    // 20 messages: 20 reads and 20 commits, plus one page write each time 10 messages fill a transcript page (3 here).
    expect(sent.filter((t) => /advisory/.test(t))).toEqual([]);
    expect(sent.filter((t) => /^\s*insert into \S+\.tallies/.test(t))).toEqual([]);
    expect(perMessage).toBeLessThanOrEqual(2.25);
    // Each of them goes as a prepared statement, always under the same name: PostgreSQL parses
    // and plans it once per connection, not once per message.
    const perTurn = [...new Set(ofTurns)];
    expect(perTurn.length).toBeGreaterThanOrEqual(2);
    for (const text of perTurn) {
      const used = [...(names.get(text) ?? [])];
      expect(used, text).toHaveLength(1);
      expect(used[0] ?? `unnamed: ${text.slice(0, 80)}`).toMatch(/^yici_/);
    }
  });
  it('costs two statements per message with the handoff desk too: the conversation and its case read in one', async () => {
    const sent: string[] = [];
    const schema = freshSchema();
    const wholes: boolean[] = [];
    const { commitBatch } = statements(schema);
    const store = await createPostgresStore(TEST_DATABASE_URL, {
      schema,
      poolSize: 2,
      onStatement: (text, values) => {
        sent.push(text);
        // The fifth parameter of a batch of commits says, per document, whether it is written whole.
        if (text === commitBatch) wholes.push(...(values[4] as boolean[]));
      },
    });
    const handoff = createHandoffService(store);
    const chat = createChatService({ engine: fixtureEngine, store, handoff });
    await chat.handle('pg-statements-0002', { text: '你好' }, 'web');
    sent.length = 0;
    wholes.length = 0;
    const turns = 20;
    for (let i = 0; i < turns; i++) await chat.handle('pg-statements-0003', { text: ['社保卡丢了怎么补', '要带什么材料'][i % 2]! }, 'web');
    expect((await chat.transcript('pg-statements-0003', 0))?.length).toBe(2 * turns);
    // One read of the conversation with its case and one commit per message; besides them only the
    // transcript pages that fill up (3) and a few reads of the case where a turn's reply depends on it.
    expect(sent.filter((t) => /join unnest\(\$1::text\[\], \$2::text\[\]\) as w/.test(t)).length).toBe(turns);
    expect(sent.filter((t) => t === commitBatch).length).toBe(turns);
    // A message stores its change, not the conversation again; only the first one creates it.
    expect(wholes.filter((whole) => !whole).length).toBe(turns - 1);
    expect(wholes.length).toBe(turns);
    expect(sent.length / turns).toBeLessThanOrEqual(2.4);
    // The case still decides the mode: asked for a person, the citizen is queued, read through the same statement.
    const out = await chat.handle('pg-statements-0003', { text: '转人工' }, 'web');
    expect(out.mode).toBe('queued');
    expect((await chat.handle('pg-statements-0003', { text: '还在吗' }, 'web')).mode).toBe('queued');
    await store.close();
  });
});
