import { describe, expect, it } from 'vitest';
import { lineBatches } from '../../src/storage/line-batches.js';

describe('line batches', () => {
  it('writes the first line alone and the lines added meanwhile together, in order', async () => {
    const writes: { text: string; items: number[] }[] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const batches = lineBatches<number>(async (text, items) => {
      writes.push({ text, items });
      if (writes.length === 1) await first;
    });
    const done = [batches.add('a\n', 1), batches.add('b\n', 2), batches.add('c\n', 3)];
    await Promise.resolve();
    expect(writes).toEqual([{ text: 'a\n', items: [1] }]);
    release();
    await Promise.all(done);
    expect(writes).toEqual([
      { text: 'a\n', items: [1] },
      { text: 'b\nc\n', items: [2, 3] },
    ]);
    await batches.idle();
  });

  it('rejects every add of a failed batch, then goes on with the next', async () => {
    let fail = true;
    const written: string[] = [];
    const batches = lineBatches<string>(async (text) => {
      await Promise.resolve();
      if (fail) throw new Error('disk full');
      written.push(text);
    });
    const failed = [batches.add('x\n', 'x'), batches.add('y\n', 'y')].map((p) => p.then(() => 'ok', (e: Error) => e.message));
    // 'x' goes alone and fails; 'y' waited and fails in its own batch too while the disk is full.
    expect(await Promise.all(failed)).toEqual(['disk full', 'disk full']);
    fail = false;
    await batches.add('z\n', 'z');
    expect(written).toEqual(['z\n']);
  });

  it('runs `written` once the adds of a batch have resolved, without holding them back, and idle waits for it', async () => {
    const events: string[] = [];
    const batches = lineBatches<number>(
      async (text) => void events.push(`write ${text.trim()}`),
      async () => {
        events.push('written');
        await new Promise((r) => setTimeout(r, 5));
        events.push('after written');
      },
    );
    const one = batches.add('1\n', 1).then(() => events.push('resolved 1'));
    await one;
    await batches.idle();
    // The add is acknowledged without waiting for `written` (a compaction): its continuation runs
    // while `written` is still out.
    expect(events).toEqual(['write 1', 'written', 'resolved 1', 'after written']);
  });
});
