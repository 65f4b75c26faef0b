/**
 * The store cannot be reached (the database is down, restarting or out of connections). The
 * operation did not happen — a write was not stored — and may succeed later; the HTTP layer
 * answers 503 for it rather than 500.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(cause: unknown) {
    super(`存储不可用（数据库无法连接）：${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
