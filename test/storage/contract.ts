/** The contract every Store implementation must meet; run by memory-store and lowdb-store tests. */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/ports.js';

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
