/**
 * The contract every Store implementation must meet; run by the memory, lowdb and PostgreSQL store
 * tests. A lease is refused to a second holder while it is live in every store: PostgreSQL shares it
 * between processes, the embedded stores between instances started in one process (tests).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChatService, type TranscriptMessage } from '../../src/service/chat-service.js';
import type { Store } from '../../src/storage/ports.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The task's outcome, or 'still waiting' after `ms`: a lock that wrongly waits fails fast instead of timing the test out. */
export const within = <T>(ms: number, p: Promise<T>): Promise<T | 'still waiting'> => Promise.race([p, sleep(ms).then(() => 'still waiting' as const)]);

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

    it('does not let callers alias values stored by a commit', async () => {
      const store = await make();
      const docs = store.documents<{ n: number; list: number[] }>('committed');
      expect(await docs.commit('k', { version: 0, value: { n: 0, list: [] } })).toBe(true);
      for (let i = 1; i <= 5; i++) {
        const cur = (await docs.readVersioned('k'))!;
        const value = { n: i, list: [...cur.value.list, i] };
        expect(await docs.commit('k', { version: cur.version, value, change: { set: { n: i }, push: { list: [i] } } })).toBe(true);
        value.list.push(99); // the caller's object changes after the commit
        const read = (await docs.read('k'))!;
        expect(read).toEqual({ n: i, list: Array.from({ length: i }, (_, k) => k + 1) });
        read.list.push(-1); // and so does what a read gave
      }
      expect(await docs.readVersioned('k')).toEqual({ value: { n: 5, list: [1, 2, 3, 4, 5] }, version: 6 });
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

    it('versions documents: a commit stores only over the version it read, with its log records, or nothing', async () => {
      const store = await make();
      const docs = store.documents<{ n: number; items: string[] }>('versioned');
      const turns = store.log<{ at: string; n: number }>('commit-log');
      expect(await docs.readVersioned('a')).toBeUndefined();
      const at = '2026-01-01T00:00:00.000Z';
      expect(await docs.commit('a', { version: 0, value: { n: 1, items: ['x'] }, appends: [{ log: 'commit-log', record: { at, n: 1 } }] })).toBe(true);
      // A second creator lost the race: nothing of it is stored, its records neither.
      expect(await docs.commit('a', { version: 0, value: { n: 99, items: [] }, appends: [{ log: 'commit-log', record: { at, n: 99 } }] })).toBe(false);
      expect(await docs.readVersioned('a')).toEqual({ value: { n: 1, items: ['x'] }, version: 1 });
      // With a change: what is read back is the value, whichever of the two the store kept.
      const v2 = { n: 2, items: ['x', 'y', 'z'] };
      expect(await docs.commit('a', { version: 1, value: v2, change: { set: { n: 2 }, push: { items: ['y', 'z'] } }, appends: [{ log: 'commit-log', record: { at, n: 2 } }] })).toBe(true);
      expect(await docs.commit('a', { version: 1, value: { n: 98, items: [] }, change: { set: { n: 98 } } })).toBe(false);
      expect(await docs.readVersioned('a')).toEqual({ value: v2, version: 2 });
      // A plain write is a new version too: a commit that read before it fails.
      await docs.write('a', { n: 3, items: [] });
      expect(await docs.commit('a', { version: 2, value: { n: 97, items: [] }, change: { set: { n: 97 } } })).toBe(false);
      expect(await docs.readVersioned('a')).toEqual({ value: { n: 3, items: [] }, version: 3 });
      expect((await turns.recent(10)).map((r) => r.n)).toEqual([2, 1]);
      await store.close();
    });

    it('reads documents of several collections together, each with its version, in the order asked', async () => {
      const store = await make();
      await store.documents<{ n: number }>('together-a').write('k', { n: 1 });
      await store.documents<{ n: number }>('together-a').write('k', { n: 2 });
      await store.documents<string>('together-b').write('k', 'b');
      await store.documents<string>('together-b').write('other', 'o');
      expect(
        await store.readTogether([
          { collection: 'together-b', key: 'k' },
          { collection: 'together-a', key: 'missing' },
          { collection: 'together-a', key: 'k' },
          { collection: 'together-b', key: 'other' },
        ]),
      ).toEqual([{ value: 'b', version: 1 }, undefined, { value: { n: 2 }, version: 2 }, { value: 'o', version: 1 }]);
      expect(await store.readTogether([])).toEqual([]);
      await store.close();
    });

    it('answers many reads asked at once each with its own documents, never one object shared between two callers', async () => {
      const store = await make();
      const docs = store.documents<{ n: number; items: string[] }>('together-many');
      for (let i = 0; i < 30; i++) await docs.write(`k${i}`, { n: i, items: [] });
      // 60 readers at once, each document asked for by two of them (and once twice in one call).
      const asked = Array.from({ length: 60 }, (_, r) => [{ collection: 'together-many', key: `k${r % 30}` }, ...(r === 7 ? [{ collection: 'together-many', key: 'k7' }] : []), { collection: 'together-many', key: 'none' }]);
      const answers = await Promise.all(asked.map((items) => store.readTogether(items)));
      answers.forEach((a, r) => {
        expect(a[0]).toEqual({ value: { n: r % 30, items: [] }, version: 1 });
        expect(a.at(-1)).toBeUndefined();
      });
      // Changing what one caller got changes nothing another caller or the store holds.
      (answers[0]![0]!.value as { items: string[] }).items.push('changed');
      (answers[7]![0]!.value as { items: string[] }).items.push('changed');
      expect(answers[30]![0]!.value).toEqual({ n: 0, items: [] });
      expect(answers[37]![0]!.value).toEqual({ n: 7, items: [] });
      expect(answers[7]![1]!.value).toEqual({ n: 7, items: [] });
      expect(await docs.read('k0')).toEqual({ n: 0, items: [] });
      await store.close();
    });

    it('adds a commit\u2019s tally counts with its document, or none of them when the commit loses', async () => {
      const store = await make();
      const docs = store.documents<{ n: number }>('tallied');
      const totals = store.tallies('commit-tally');
      const counts = (n: number) => [
        { bucket: 'day:2026-01-01', key: 'asked', n },
        { bucket: 'day:2026-01-01', key: 'asked', n },
        { bucket: 'day:2026-01-02', key: 'answered', n: 1 },
      ];
      expect(await docs.commit('a', { version: 0, value: { n: 1 }, tally: { name: 'commit-tally', counts: counts(1) } })).toBe(true);
      expect(await docs.commit('a', { version: 0, value: { n: 9 }, tally: { name: 'commit-tally', counts: counts(100) } })).toBe(false);
      expect(await docs.commit('a', { version: 1, value: { n: 2 }, change: { set: { n: 2 } }, tally: { name: 'commit-tally', counts: counts(1) } })).toBe(true);
      expect(await docs.commit('a', { version: 1, value: { n: 8 }, change: { set: { n: 8 } }, tally: { name: 'commit-tally', counts: counts(100) } })).toBe(false);
      // An empty tally is no error; a count that is not an integer is refused and stores nothing.
      expect(await docs.commit('a', { version: 2, value: { n: 3 }, tally: { name: 'commit-tally', counts: [] } })).toBe(true);
      await expect(docs.commit('a', { version: 3, value: { n: 7 }, tally: { name: 'commit-tally', counts: [{ bucket: 'day:2026-01-01', key: 'asked', n: 0.5 }] } })).rejects.toThrow();
      expect(await docs.readVersioned('a')).toEqual({ value: { n: 3 }, version: 3 });
      expect(Object.fromEntries(await totals.sum(['day:2026-01-01', 'day:2026-01-02']))).toEqual({ asked: 4, answered: 2 });
      await store.close();
    });

    it('keeps commits of many documents made at once apart: each stores, logs and counts only if it read the current version', async () => {
      const store = await make();
      const docs = store.documents<{ n: number; items: number[] }>('at-once');
      const totals = store.tallies('at-once-tally');
      const log = store.log<{ at: string; key: string; n: number }>('at-once-log');
      const at = '2026-01-01T02:00:00.000Z';
      const keys = Array.from({ length: 30 }, (_, i) => `d${i}`);
      const commitOf = (key: string, version: number, n: number, change?: { set: { n: number }; push: { items: number[] } }) =>
        docs.commit(key, {
          version,
          value: { n, items: change ? [1, n] : [n] },
          change,
          appends: [{ log: 'at-once-log', record: { at, key, n } }],
          tally: { name: 'at-once-tally', counts: [{ bucket: 'day:2026-01-01', key: 'asked', n: 1 }, { bucket: 'day:2026-01-01', key, n }] },
        });
      // First, all at once: create each (and, for the odd ones, a stale second creation).
      const created = await Promise.all(keys.flatMap((key, i) => (i % 2 === 0 ? [commitOf(key, 0, 1)] : [commitOf(key, 0, 1), commitOf(key, 0, 50)])));
      expect(created.filter(Boolean)).toHaveLength(30);
      // Then a change of every document at once, a third of them over a version that is not theirs.
      const changed = await Promise.all(keys.map((key, i) => commitOf(key, i % 3 === 0 ? 7 : 1, 2, { set: { n: 2 }, push: { items: [2] } })));
      expect(changed).toEqual(keys.map((_, i) => i % 3 !== 0));
      for (const [i, key] of keys.entries()) {
        expect(await docs.readVersioned(key)).toEqual(i % 3 === 0 ? { value: { n: 1, items: [1] }, version: 1 } : { value: { n: 2, items: [1, 2] }, version: 2 });
      }
      // Only what committed was logged and counted.
      const logged = await log.between('2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
      expect(logged.filter((r) => r.n === 1)).toHaveLength(30);
      expect(logged.filter((r) => r.n === 2).map((r) => r.key).sort()).toEqual(keys.filter((_, i) => i % 3 !== 0).sort());
      expect(logged.filter((r) => r.n === 50)).toEqual([]);
      const sums = await totals.sum(['day:2026-01-01']);
      expect(sums.get('asked')).toBe(30 + 20);
      for (const [i, key] of keys.entries()) expect(sums.get(key)).toBe(i % 3 === 0 ? 1 : 3);
      await store.close();
    });

    it('keeps every change of many commits, in order, whatever the journal does (compaction included)', async () => {
      const store = await make();
      const docs = store.documents<{ n: number; items: number[]; note: string }>('journaled');
      let current = { n: 0, items: [] as number[], note: '' };
      expect(await docs.commit('k', { version: 0, value: current })).toBe(true);
      for (let i = 1; i <= 100; i++) {
        const read = await docs.readVersioned('k');
        expect(read).toEqual({ value: current, version: i });
        // Every seventh commit replaces the list (as a full transcript page moving out does).
        const change = i % 7 === 0 ? { set: { n: i, items: [i] } } : { set: { n: i, note: `第${i}次` }, push: { items: [i] } };
        current = i % 7 === 0 ? { ...current, n: i, items: [i] } : { n: i, items: [...current.items, i], note: `第${i}次` };
        expect(await docs.commit('k', { version: i, value: current, change })).toBe(true);
      }
      expect(await docs.read('k')).toEqual(current);
      await store.close();
    });

    it('loses no update when read-change-commit races retry on conflict (optimistic concurrency)', async () => {
      const store = await make();
      const docs = store.documents<{ n: number; seen: number[] }>('raced');
      const bump = async (i: number) => {
        for (;;) {
          const read = await docs.readVersioned('c');
          const value = { n: (read?.value.n ?? 0) + 1, seen: [...(read?.value.seen ?? []), i] };
          if (await docs.commit('c', { version: read?.version ?? 0, value, ...(read ? { change: { set: { n: value.n }, push: { seen: [i] } } } : {}) })) return;
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i)));
      const end = await docs.read('c');
      expect(end?.n).toBe(20);
      expect([...(end?.seen ?? [])].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
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

    it('stores any JSON value exactly, strings with U+0000 and lone surrogates included', async () => {
      const store = await make();
      const docs = store.documents<unknown>('any');
      const log = store.log<unknown>('any');
      let i = 0;
      await fc.assert(
        fc.asyncProperty(fc.json({ stringUnit: 'binary' }).map((text) => JSON.parse(text) as unknown), async (value) => {
          const key = `k${i++}`;
          await docs.write(key, value);
          expect(await docs.read(key)).toEqual(value);
          await log.append(value);
          expect(await log.recent(1)).toEqual([value]);
        }),
        { numRuns: 100, examples: [['a\u0000b'], [{ text: '\ud800 \u0000', nested: ['\udfff'] }]] },
      );
      await store.close();
    });

    it('returns the records of a time range, oldest first, across log segments, never those without a time', async () => {
      const store = await make();
      const log = store.log<{ i: number; at?: unknown }>('timed');
      const start = Date.parse('2026-03-01T00:00:00.000Z');
      const at = (i: number) => new Date(start + i * 60_000).toISOString();
      for (let i = 0; i < 250; i++) {
        await log.append({ i, at: at(i) });
        if (i % 40 === 0) await log.append({ i: -1 }); // no time
        if (i % 40 === 1) await log.append({ i: -2, at: start + i * 60_000 }); // a time, but not an ISO string
      }
      await store.log<{ i: number; at: string }>('other').append({ i: 1000, at: at(100) });
      const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
      expect((await log.between(at(37), at(212))).map((r) => r.i)).toEqual(range(37, 212));
      expect((await log.between(at(0), at(250))).map((r) => r.i)).toEqual(range(0, 250));
      expect((await log.between(at(-10), at(1))).map((r) => r.i)).toEqual([0]);
      expect(await log.between(at(120), at(120))).toEqual([]);
      expect(await log.between(at(250), at(300))).toEqual([]);
      await store.close();
    });

    it('pages a time range newest first, each record once, the same records as between', async () => {
      const store = await make();
      const log = store.log<{ i: number; at?: string }>('paged');
      const start = Date.parse('2026-03-01T00:00:00.000Z');
      const at = (i: number) => new Date(start + i * 60_000).toISOString();
      for (let i = 0; i < 330; i++) {
        await log.append({ i, at: at(i) });
        if (i % 50 === 0) await log.append({ i: -1 });
      }
      const pages = async (from: number, to: number, size: number) => {
        const out: number[][] = [];
        for await (const page of log.newestFirst(at(from), at(to), size)) out.push(page.map((r) => r.i));
        return out;
      };
      const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => to - 1 - k);
      for (const [from, to, size] of [[0, 330, 1000], [37, 212, 50], [10, 11, 7], [0, 330, 99], [200, 329, 128]] as const) {
        const got = await pages(from, to, size);
        expect(got.flat(), `${from}–${to} by ${size}`).toEqual(range(from, to));
        expect(got.every((p) => p.length > 0 && p.length <= size)).toBe(true);
        expect(got.slice(0, -1).every((p) => p.length === size)).toBe(true);
        expect(got.flat().reverse()).toEqual((await log.between(at(from), at(to))).map((r) => r.i));
      }
      expect(await pages(400, 500, 10)).toEqual([]);
      // Stopping early reads no further (the inbox takes the newest few).
      for await (const page of log.newestFirst(at(0), at(330), 10)) {
        expect(page.map((r) => r.i)).toEqual(range(320, 330));
        break;
      }
      await store.close();
    });

    it('adds to tallies and reads back the buckets asked for, never losing a concurrent add', async () => {
      const store = await make();
      const t = store.tallies('counts');
      await t.add([{ bucket: '2026-03-01', key: 'questions', n: 2 }, { bucket: '2026-03-01', key: '["e","item-a","helpful"]', n: 1 }, { bucket: '2026-03-02', key: 'questions', n: 5 }]);
      await Promise.all(Array.from({ length: 60 }, (_, i) => t.add([{ bucket: '2026-03-01', key: 'questions', n: 1 }, { bucket: `m${i % 3}`, key: 'k', n: i }])));
      const sorted = (rows: { bucket: string; key: string; n: number }[]) => [...rows].sort((a, b) => a.bucket.localeCompare(b.bucket) || a.key.localeCompare(b.key));
      expect(sorted(await t.read(['2026-03-01']))).toEqual([
        { bucket: '2026-03-01', key: '["e","item-a","helpful"]', n: 1 },
        { bucket: '2026-03-01', key: 'questions', n: 62 },
      ]);
      expect(sorted(await t.read(['2026-03-02', 'm0', 'm1', 'm2', 'none', 'm0']))).toEqual([
        { bucket: '2026-03-02', key: 'questions', n: 5 },
        { bucket: 'm0', key: 'k', n: 570 },
        { bucket: 'm1', key: 'k', n: 590 },
        { bucket: 'm2', key: 'k', n: 610 },
      ]);
      // The same counter twice in one add counts twice; a counter back at zero is not listed; tallies are apart.
      await t.add([{ bucket: 'x', key: 'k', n: 1 }, { bucket: 'x', key: 'k', n: 2 }, { bucket: 'y', key: 'k', n: 1 }]);
      await t.add([{ bucket: 'y', key: 'k', n: -1 }]);
      expect(await t.read(['x', 'y'])).toEqual([{ bucket: 'x', key: 'k', n: 3 }]);
      expect(await store.tallies('other').read(['2026-03-01', 'x'])).toEqual([]);
      // Sums over buckets: each bucket once, however often named; a key summing to 0 left out.
      expect(await t.sum(['m0', 'm1', 'm1', 'none'])).toEqual(new Map([['k', 1160]]));
      expect(await t.sum(['2026-03-01', '2026-03-02'])).toEqual(new Map([['questions', 67], ['["e","item-a","helpful"]', 1]]));
      await t.add([{ bucket: 'z', key: 'k', n: -1160 }]);
      expect(await t.sum(['m0', 'm1', 'z'])).toEqual(new Map());
      expect(await t.sum([])).toEqual(new Map());
      // A bad count is refused whole: nothing of that add is kept.
      await expect(t.add([{ bucket: 'x', key: 'k', n: 1 }, { bucket: 'x', key: 'k', n: 0.5 }])).rejects.toThrow();
      expect(await t.read(['x'])).toEqual([{ bucket: 'x', key: 'k', n: 3 }]);
      await store.close();
    });

    it('runs the tasks of one name one at a time: concurrent read-increment-writes lose no increment', async () => {
      const store = await make();
      const docs = store.documents<number>('counters');
      const increment = () =>
        store.exclusive('counter', async () => {
          const n = (await docs.read('c')) ?? 0;
          await sleep(1); // widen the window between the read and the write
          await docs.write('c', n + 1);
          return n + 1;
        });
      const results = await Promise.all(Array.from({ length: 40 }, increment));
      expect(await docs.read('c')).toBe(40);
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, k) => k + 1));
      await store.close();
    });

    it('lets tasks of different names run at once, while the same name waits', async () => {
      const store = await make();
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const ran: string[] = [];
      const first = store.exclusive('A', async () => {
        await gate;
        ran.push('A1');
      });
      // More tasks queue for A than a store has lock connections: they must not hold B up either.
      const more = Array.from({ length: 8 }, (_, k) => store.exclusive('A', async () => void ran.push(`A${k + 2}`)));
      // B finishes while A is held; the other A tasks have not started.
      expect(await within(5000, store.exclusive('B', async () => (ran.push('B'), 'b')))).toBe('b');
      await sleep(50);
      expect(ran).toEqual(['B']);
      open();
      await Promise.all([first, ...more]);
      expect(ran).toEqual(['B', ...Array.from({ length: 9 }, (_, k) => `A${k + 1}`)]);
      await store.close();
    });

    it('lets locks nest: many tasks each holding its own lock take one shared lock inside (a conversation, then the handoff desk)', async () => {
      const store = await make();
      const docs = store.documents<number>('nested');
      const task = (k: number) =>
        store.exclusive(`conversation:${k}`, () =>
          store.exclusive('desk', async () => {
            const n = (await docs.read('c')) ?? 0;
            await sleep(1);
            await docs.write('c', n + 1);
          }),
        );
      // More outer locks at once than any pool of lock connections would hold.
      expect(await within(20_000, Promise.all(Array.from({ length: 30 }, (_, k) => task(k))))).not.toBe('still waiting');
      expect(await docs.read('c')).toBe(30);
      await store.close();
    });

    it('releases the lock of a task that fails, and rejects with its error', async () => {
      const store = await make();
      await expect(store.exclusive('n', () => Promise.reject(new Error('task failed')))).rejects.toThrow('task failed');
      expect(await within(5000, store.exclusive('n', async () => 'after'))).toBe('after');
      await store.close();
    });

    it('grants a lease to one holder at a time, renewed by it, to another once it expires', async () => {
      const store = await make();
      const ttl = 400;
      expect(await store.lease('sweep', 'a', ttl)).toBe(true);
      expect(await store.lease('sweep', 'b', ttl)).toBe(false);
      expect(await store.lease('other job', 'b', ttl)).toBe(true);
      await sleep(250);
      expect(await store.lease('sweep', 'a', ttl)).toBe(true); // renewed: held until about 650 ms
      await sleep(250);
      expect(await store.lease('sweep', 'b', ttl)).toBe(false); // the first term is over, the renewal is not
      await sleep(300);
      expect(await store.lease('sweep', 'b', ttl)).toBe(true);
      expect(await store.lease('sweep', 'a', ttl)).toBe(false);
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
