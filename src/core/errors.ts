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
