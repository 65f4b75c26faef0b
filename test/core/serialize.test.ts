import { describe, expect, it } from 'vitest';
import { keyedSerializer, serializer } from '../../src/core/serialize.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

/** A read-change-write of a shared counter that yields in between, as a store read does. */
const increment = (box: { n: number }) => async () => {
  const seen = box.n;
  await tick();
  box.n = seen + 1;
  return box.n;
};

describe('serializer', () => {
  it('runs read-change-write tasks one at a time, so none is lost', async () => {
    const serial = serializer();
    const box = { n: 0 };
    const results = await Promise.all(Array.from({ length: 10 }, () => serial(increment(box))));
    expect(box.n).toBe(10);
    expect(results).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Without it the same tasks overwrite each other (the test can fail).
    const loose = { n: 0 };
    await Promise.all(Array.from({ length: 10 }, () => increment(loose)()));
    expect(loose.n).toBeLessThan(10);
  });

  it('rejects a failing task on its own promise and goes on with the next', async () => {
    const serial = serializer();
    const failed = serial(async () => {
      throw new Error('boom');
    });
    const next = serial(async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it('keeps two lines apart', async () => {
    const a = serializer();
    const b = serializer();
    const order: string[] = [];
    let release!: () => void;
    const blocked = a(() => new Promise<void>((r) => (release = r)).then(() => void order.push('a')));
    await b(async () => void order.push('b'));
    release();
    await blocked;
    expect(order).toEqual(['b', 'a']);
  });
});

describe('keyedSerializer', () => {
  it('orders tasks of one key and lets other keys pass', async () => {
    const serial = keyedSerializer();
    const order: string[] = [];
    let release!: () => void;
    const first = serial('s1', () => new Promise<void>((r) => (release = r)).then(() => void order.push('s1 first')));
    const second = serial('s1', async () => void order.push('s1 second'));
    await serial('s2', async () => void order.push('s2'));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['s2', 's1 first', 's1 second']);
  });

  it('goes on with a key after one of its tasks failed', async () => {
    const serial = keyedSerializer();
    const box = { n: 0 };
    const failed = serial('k', async () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    await expect(Promise.all([serial('k', increment(box)), serial('k', increment(box))])).resolves.toEqual([1, 2]);
  });
});
