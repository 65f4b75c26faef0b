import { describe, expect, it } from 'vitest';
import { batches } from '../../src/storage/batches.js';

/** A send that records each batch and answers when released. */
function recorder() {
  const sent: number[][] = [];
  const release: (() => void)[] = [];
  const send = (items: number[]) =>
    new Promise<number[]>((resolve) => {
      sent.push(items);
      release.push(() => resolve(items.map((n) => n * 10)));
    });
  return { sent, release, send };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('batches', () => {
  it('sends an item at once while fewer than the limit are out, and gathers the rest into the next batch', async () => {
    const r = recorder();
    const ask = batches(2, 100, r.send);
    const answers = [1, 2, 3, 4, 5].map((n) => ask(n));
    await tick();
    expect(r.sent).toEqual([[1], [2]]);
    r.release[0]!();
    await tick();
    expect(r.sent).toEqual([[1], [2], [3, 4, 5]]);
    r.release[1]!();
    r.release[2]!();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50]);
  });

  it('puts at most maxItems in one batch', async () => {
    const r = recorder();
    const ask = batches(1, 2, r.send);
    const answers = [1, 2, 3, 4, 5].map((n) => ask(n));
    for (let i = 0; i < 3; i++) {
      await tick();
      r.release[i]!();
    }
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50]);
    expect(r.sent).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('rejects every item of a batch that fails, and goes on with the next', async () => {
    let calls = 0;
    const ask = batches(1, 10, async (items: number[]) => {
      calls++;
      if (calls === 2) throw new Error('down');
      return items;
    });
    const results = await Promise.allSettled([ask(1), ask(2), ask(3), ask(4)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(await ask(5)).toBe(5);
  });
});
