/**
 * Storage ports. The core never sees files or databases; it is handed these interfaces.
 * Every implementation runs the same contract suite (test/storage/contract.ts).
 *
 * Several Yici instances may share one store (PostgreSQL): `exclusive` and `lease` are then the
 * only ways to coordinate them, and they are implemented in the database. The embedded stores
 * (memory, lowdb) serve one process, where the same calls are in-process locks.
 *
 * A store whose database cannot be reached rejects with StoreUnavailableError (errors.ts): the
 * operation did not happen and may succeed later.
 */

/** A document's value and its version: 1 after its first write, one more after each write or commit. */
export interface Versioned<T> {
  value: T;
  version: number;
}

/**
 * What a commit changed, relative to the version it read: top-level fields replaced (`set`) and
 * items added at the end of top-level array fields (`push`). A store that journals (lowdb)
 * appends this instead of the whole document, so saving a message costs the message.
 */
export interface DocumentChange {
  set?: Record<string, unknown>;
  push?: Record<string, unknown[]>;
}

/** Counts added to the tally `name` (Store.tallies) by a commit together with its document: both or neither. */
export interface TallyAppend {
  name: string;
  counts: TallyCount[];
}

/** A record for the log `log`, appended by a commit together with its document. */
export interface LogAppend {
  log: string;
  record: unknown;
}

/**
 * Documents by key — the three-method storage of Bot Framework, with versions as its etags: a
 * read-change-write that several instances may race uses `readVersioned` and `commit`.
 */
export interface DocumentStore<T> {
  read(key: string): Promise<T | undefined>;
  /** Resolves once the value is durably stored (or superseded by a later write of the same key). */
  write(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  readVersioned(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Stores `value` only if the document is still at `version` (0: there is no document), and then
   * appends `appends` to their logs — on PostgreSQL in the same statement, so both or neither
   * happen; likewise `tally`'s counts. False, with nothing stored or counted, when another write
   * came first: read again and redo.
   * `change` must be `value` minus the value read (see DocumentChange); stores that journal write
   * only the change. Resolves once durably stored, like `write`.
   */
  commit(key: string, update: { version: number; value: T; change?: DocumentChange; appends?: LogAppend[]; tally?: TallyAppend }): Promise<boolean>;
}

/** An append-only log read newest first. */
export interface LogStore<T> {
  append(record: T): Promise<void>;
  /** The newest `limit` records, newest first. */
  recent(limit: number): Promise<T[]>;
  /**
   * Records whose `at` (an ISO time) is in [from, to), oldest first — by an index where the store
   * has one, so a day of a busy year costs that day only. Records without `at` are never returned.
   */
  between(from: string, to: string): Promise<T[]>;
  /**
   * The same records of [from, to) newest first, in pages of at most `size`: a reader that needs
   * only the newest few of a range, or walks a long one in bounded steps, never holds it all.
   */
  newestFirst(from: string, to: string, size: number): AsyncIterable<T[]>;
}

/** One counter of a tally: `n` added to (or held by) `key` in `bucket`. */
export interface TallyCount {
  bucket: string;
  key: string;
  n: number;
}

/**
 * Running totals: integer counters addressed by (bucket, key), kept so that a report reads a few
 * buckets instead of every record (the dashboard's daily totals). Adding is atomic in every store:
 * the counts of one `add` land all together or not at all, and concurrent adds — from any instance
 * sharing the store — are never lost. Totals survive restarts.
 */
export interface TallyStore {
  /** Adds each count to its counter (a counter not seen yet starts at 0). Resolves once durable. */
  add(counts: readonly TallyCount[]): Promise<void>;
  /** Every non-zero counter of these buckets, in no particular order. */
  read(buckets: readonly string[]): Promise<TallyCount[]>;
  /** Each key's counters summed over these buckets (each bucket once), keys whose sum is 0 left out. */
  sum(buckets: readonly string[]): Promise<Map<string, number>>;
}

export interface Store {
  /** What keeps the data, for /api/health: memory, lowdb (files) or postgres. */
  readonly kind: 'memory' | 'lowdb' | 'postgres';
  documents<T>(collection: string): DocumentStore<T>;
  /**
   * Several documents, of any collections, each with its version (undefined where there is none),
   * in the order asked — as `readVersioned` on each, in one round trip where the store has one
   * (PostgreSQL: one statement). A chat turn reads its conversation and its handoff case so.
   */
  readTogether(items: readonly { collection: string; key: string }[]): Promise<(Versioned<unknown> | undefined)[]>;
  log<T>(name: string): LogStore<T>;
  tallies(name: string): TallyStore;
  /**
   * Runs `task` while holding the lock `name`; a task holding the same name in any process that
   * shares the store waits until it settles. Read-change-write of shared documents goes through
   * here (a claim, the next ticket number, one conversation's messages), so two instances can never
   * both read the old version. A failing task releases the lock and rejects.
   */
  exclusive<T>(name: string, task: () => Promise<T>): Promise<T>;
  /**
   * Takes or renews the lease `name` for `holder` for `ttlMs`: true when `holder` holds it now.
   * A periodic job runs only on the instance that holds its lease, so it runs once, not once per
   * instance; when that instance dies, another takes over after at most `ttlMs`.
   */
  lease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Can the store accept writes right now? Used by the health check. */
  writable(): Promise<boolean>;
  /** Wait for every pending write. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Messages between the instances of one deployment (Redis pub/sub), or within one process. Live
 * delivery only: what must survive is in the Store first; a subscriber that misses a message
 * catches up from the store (transcripts, the case list).
 */
export interface Bus {
  readonly kind: 'local' | 'redis';
  /** Delivers `message` (JSON-serialisable) to every subscriber of `topic` in every instance, this one included. */
  publish(topic: string, message: unknown): Promise<void>;
  subscribe(topic: string, handler: (message: unknown) => void): () => void;
  /** Is the bus reachable right now? Used by the health check. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
