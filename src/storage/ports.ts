/**
 * Storage ports. The core never sees files or databases; it is handed these interfaces.
 * Every implementation runs the same contract suite (test/storage/contract.ts).
 */

/** Documents by key — the three-method storage of Bot Framework, minus etags (writes are serialised per key upstream). */
export interface DocumentStore<T> {
  read(key: string): Promise<T | undefined>;
  /** Resolves once the value is durably stored (or superseded by a later write of the same key). */
  write(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
}

/** An append-only log read newest first. */
export interface LogStore<T> {
  append(record: T): Promise<void>;
  /** The newest `limit` records, newest first. */
  recent(limit: number): Promise<T[]>;
}

export interface Store {
  documents<T>(collection: string): DocumentStore<T>;
  log<T>(name: string): LogStore<T>;
  /** Can the store accept writes right now? Used by the health check. */
  writable(): Promise<boolean>;
  /** Wait for every pending write. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
