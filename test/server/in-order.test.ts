/** inOrder runs middleware as the router would: in order, and any error to the caller's next. */
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { inOrder } from '../../src/server/in-order.js';

const req = {} as Request;
const res = {} as Response;
const run = (handlers: Parameters<typeof inOrder>[0]) =>
  new Promise<unknown[]>((resolve) => inOrder(handlers)(req, res, ((...args: unknown[]) => resolve(args)) as NextFunction));

describe('inOrder', () => {
  it('runs each handler once, in order, and ends with next() when all call next', async () => {
    const seen: number[] = [];
    const done = await run([0, 1, 2].map((n) => (_q: Request, _s: Response, next: NextFunction) => (seen.push(n), next())));
    expect(seen).toEqual([0, 1, 2]);
    expect(done).toEqual([]);
  });

  it('an error passed to next, thrown, or a rejected promise skips the rest and reaches the caller', async () => {
    const boom = new Error('boom');
    const later = () => {
      throw new Error('must not run');
    };
    for (const failing of [
      (_q: Request, _s: Response, next: NextFunction) => next(boom),
      () => {
        throw boom;
      },
      async () => {
        await Promise.resolve();
        throw boom;
      },
    ]) {
      expect(await run([(_q, _s, next) => next(), failing, later])).toEqual([boom]);
    }
  });

  it('a handler that answers and does not call next ends the request there', async () => {
    let nextCalled = false;
    inOrder([(_q, _s, next) => next(), () => {}])(req, res, () => (nextCalled = true));
    await new Promise((r) => setImmediate(r));
    expect(nextCalled).toBe(false);
  });
});
