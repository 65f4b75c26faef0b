/**
 * The one error type that crosses layers. Expected outcomes (no answer, an unmatched choice)
 * are values, not exceptions; this is for requests that cannot be served as asked.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown): AppError =>
  new AppError(400, code, message, details);

/**
 * Error codes that mean a dependency — the database, Redis — cannot be reached right now: the
 * request may succeed later, so it is answered 503, not 500. Node's socket errors, PostgreSQL's
 * connection and shutdown states (08xxx, 57P01–57P03, 53300 too many connections), and
 * REDIS_UNAVAILABLE from the Redis adapter.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300',
  'REDIS_UNAVAILABLE',
]);

/** Whether `err` (or what caused it) says a dependency is unreachable, rather than a bug. */
export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { name?: unknown; code?: unknown; cause?: unknown; errors?: unknown };
  if (e.name === 'StoreUnavailableError') return true;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (isUnavailableError(e.cause, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((x) => isUnavailableError(x, depth + 1));
}
