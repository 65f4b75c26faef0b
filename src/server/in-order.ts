/**
 * Express middleware run one after another as the router runs a request's layers: each one's
 * `next()` starts the following one; an error — passed to `next`, thrown, or a rejected promise
 * (Express 5 catches those too) — skips the rest and goes to the caller's `next`, and so to the
 * app's error handler. Used for a route whose middleware is known in advance (create-app.ts).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

type Handler = (req: Request, res: Response, next: NextFunction) => unknown;

export function inOrder(handlers: readonly Handler[]): RequestHandler {
  return (req, res, done) => {
    let i = 0;
    const next = (err?: unknown): void => {
      if (err) return done(err);
      const handler = handlers[i++];
      if (!handler) return done();
      try {
        const out = handler(req, res, next as NextFunction);
        if (out instanceof Promise) out.catch((e: unknown) => next(e ?? new Error('Rejected promise')));
      } catch (e) {
        next(e);
      }
    };
    next();
  };
}
