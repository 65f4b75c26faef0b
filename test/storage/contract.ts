/** The contract every Store implementation must meet; run by memory-store and lowdb-store tests. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChatService, type TranscriptMessage } from '../../src/service/chat-service.js';
import type { Store } from '../../src/storage/ports.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';

export function storeContract(name: string, make: () => Promise<Store>): void {
  describe(`${name} (store contract)`, () => {
    it('reads back what was written, and undefined for an unknown key', async () => {
      const store = await make();
      const docs = store.documents<{ n: number; tags: string[] }>('things');
      await docs.write('a', { n: 1, tags: ['x'] });
      expect(await docs.read('a')).toEqual({ n: 1, tags: ['x'] });
      expect(await docs.read('missing')).toBeUndefined();
      await store.close();
    });

    it('does not let callers alias stored values', async () => {
      const store = await make();
      const docs = store.documents<{ list: number[] }>('things');
      const value = { list: [1] };
      await docs.write('k', value);
      value.list.push(2);
      const read = await docs.read('k');
      read!.list.push(3);
      expect(await docs.read('k')).toEqual({ list: [1] });
      await store.close();
    });

    it('overwrites and deletes', async () => {
      const store = await make();
      const docs = store.documents<number>('numbers');
      await docs.write('k', 1);
      await docs.write('k', 2);
      expect(await docs.read('k')).toBe(2);
      await docs.delete('k');
      expect(await docs.read('k')).toBeUndefined();
      await store.close();
    });

    it('keeps collections apart and accepts keys with any characters', async () => {
      const store = await make();
      await store.documents<string>('a').write('../../etc/passwd', 'A');
      await store.documents<string>('b').write('../../etc/passwd', 'B');
      expect(await store.documents<string>('a').read('../../etc/passwd')).toBe('A');
      expect(await store.documents<string>('b').read('../../etc/passwd')).toBe('B');
      await store.close();
    });

    it('keeps the last of many concurrent writes to one key', async () => {
      const store = await make();
      const docs = store.documents<number>('race');
      await Promise.all(Array.from({ length: 50 }, (_, i) => docs.write('k', i)));
      expect(await docs.read('k')).toBe(49);
      await store.close();
    });

    it('appends to a log and reads it newest first, across many records', async () => {
      const store = await make();
      const log = store.log<{ i: number }>('events');
      for (let i = 0; i < 1203; i++) await log.append({ i });
      const recent = await log.recent(5);
      expect(recent.map((r) => r.i)).toEqual([1202, 1201, 1200, 1199, 1198]);
      const all = await log.recent(5000);
      expect(all.length).toBe(1203);
      expect(all.at(-1)).toEqual({ i: 0 });
      await store.close();
    });

    it('returns the newest `limit` records of a log, each once, whatever the count and the limit (segment edges included)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(99, 100, 101, 199, 200, 201), fc.integer({ min: 0, max: 230 })), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 4 }), async (n, limits) => {
          const store = await make();
          const log = store.log<number>('events');
          for (let i = 0; i < n; i++) await log.append(i);
          for (const limit of limits) {
            const expected = Array.from({ length: Math.min(limit, n) }, (_, i) => n - 1 - i);
            expect(await log.recent(limit), `${n} records, limit ${limit}`).toEqual(expected);
          }
          await store.close();
        }),
        { numRuns: 15 },
      );
    });

    it('pages a transcript so that a reader gets every message exactly once', async () => {
      // A conversation grows by turns (the citizen's message and the bot's answer) and by officer
      // messages, some sent without waiting; a reader polls with the last sequence number it has
      // seen, as the chat page and the officer console do. Long enough to span several pages.
      const op = fc.oneof(
        fc.record({ kind: fc.constant('turn' as const), text: fc.constantFrom('你好', '烟草证', '那要多少钱', '明天天气怎么样'), wait: fc.boolean() }),
        fc.record({ kind: fc.constant('post' as const), wait: fc.boolean() }),
        fc.record({ kind: fc.constant('poll' as const) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 45 }), async (ops) => {
          const store = await make();
          const chat = createChatService({ engine: fixtureEngine, store });
          const session = 'paging-session';
          await chat.handle(session, { text: '开始' }, 'test');
          const sent = ['开始'];
          const seen: TranscriptMessage[] = [];
          const poll = async () => {
            const after = seen.at(-1)?.seq ?? 0;
            const got = (await chat.transcript(session, after)) ?? [];
            // Whatever is in flight, a page is contiguous and starts right after what was seen.
            expect(got.map((m) => m.seq)).toEqual(got.map((_, i) => after + 1 + i));
            seen.push(...got);
          };
          const inFlight: Promise<unknown>[] = [];
          for (const [i, o] of ops.entries()) {
            if (o.kind === 'poll') {
              await poll();
              continue;
            }
            const text = o.kind === 'turn' ? `${o.text}（${i}）` : `工作人员消息 ${i}`;
            sent.push(text);
            const done =
              o.kind === 'turn'
                ? chat.handle(session, { text }, 'test')
                : chat.post(session, 'officer', [{ type: 'text', text }], '李');
            if (o.wait) await done;
            else inFlight.push(done);
          }
          await Promise.all(inFlight);
          await poll();

          const all = (await chat.transcript(session, 0))!;
          const n = all.length;
          expect(all.map((m) => m.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          // The reader got exactly the transcript: every message once, in order, none invented.
          expect(seen).toEqual(all);
          // What was sent is there, in the order it was sent.
          const said = all.map((m) => (m.from === 'user' ? m.text : m.from === 'officer' && m.replies[0]?.type === 'text' ? m.replies[0].text : null));
          expect(said.filter((t): t is string => t !== null && t !== undefined)).toEqual(sent);
          // Reading from any point returns exactly the messages after it.
          for (let after = 0; after <= n + 1; after++) {
            expect((await chat.transcript(session, after))!.map((m) => m.seq), `after ${after}`).toEqual(all.slice(after).map((m) => m.seq));
          }
          await store.close();
        }),
        { numRuns: 40 },
      );
    });

    it('keeps a transcript whole when saving stops half-way (a crash between a page and the conversation)', async () => {
      const store = await make();
      // From now on a page write never completes, as if the process died while making it.
      const stalled: Store = {
        ...store,
        documents: <T>(collection: string) => {
          const docs = store.documents<T>(collection);
          return collection === 'transcripts' ? { ...docs, write: () => new Promise<void>(() => {}) } : docs;
        },
      };
      const chat = createChatService({ engine: fixtureEngine, store: stalled });
      const session = 'crash-session';
      // Turns (two messages each) until one stalls: the one that has to archive the first full page.
      let done = 0;
      const stalledTurn = await (async () => {
        for (let i = 0; i < 20; i++) {
          const turn = chat.handle(session, { text: `问题${i}` }, 'test').then(() => true);
          if (!(await Promise.race([turn, new Promise<false>((r) => setTimeout(() => r(false), 2000))]))) return i;
          done++;
        }
        return null;
      })();
      // Readers — the live service and one started afresh over what was stored — see the turns
      // saved before, whole and numbered from 1; nothing of the turn that did not finish.
      for (const reader of [chat, createChatService({ engine: fixtureEngine, store })]) {
        const seqs = ((await reader.transcript(session, 0)) ?? []).map((m) => m.seq);
        expect(seqs).toEqual(Array.from({ length: 2 * done }, (_, i) => i + 1));
      }
      expect(stalledTurn).not.toBeNull(); // the test did reach a page write
      await store.close();
    });

    it('says it is writable', async () => {
      const store = await make();
      expect(await store.writable()).toBe(true);
      await store.close();
    });

    it('says it is writable when asked many times at once (health checks under load)', async () => {
      const store = await make();
      const answers = await Promise.all(Array.from({ length: 50 }, () => store.writable()));
      expect(answers.every(Boolean)).toBe(true);
      await store.close();
    });
  });
}

export function concurrentLogContract(name: string, make: () => Promise<Store>): void {
  describe(`${name} (concurrent appends)`, () => {
    it('loses no record when many appends race across segment boundaries', async () => {
      const store = await make();
      const log = store.log<number>('race');
      await Promise.all(Array.from({ length: 450 }, (_, i) => log.append(i)));
      const all = await log.recent(1000);
      expect(all.length).toBe(450);
      expect(new Set(all).size).toBe(450);
      await store.close();
    });
  });
}
