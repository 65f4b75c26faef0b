/**
 * The shared store on PostgreSQL, for several Yici instances behind one load balancer (issue 14).
 *
 * - Documents and log records are JSON text (see pg-migrations.ts for why `json`, not `jsonb`).
 * - A commit with a change (a chat message) adds that change as a row of `document_changes` and
 *   raises the document's version, rather than rewriting — and compressing — the whole
 *   conversation; a read applies the changes after the version the value was written whole at
 *   (`base`), up to the document's version, so a change row a race left behind is never applied.
 *   Every JOURNAL_LIMIT changes a commit writes the whole value again and removes them (as the
 *   lowdb store's journal).
 * - Writes of one document commit in call order; writes queued behind one in flight collapse
 *   into the last, and each resolves once a write carrying its value, or a later one, committed.
 * - `exclusive` is a PostgreSQL advisory lock taken with `pg_try_advisory_lock` on one lock session
 *   per process (its own connection), retried with a short back-off while another instance holds
 *   it. No connection waits inside the database for a lock, so locks may nest (a conversation's
 *   lock, then the handoff lock) and many held locks never exhaust a pool: the task reads and
 *   writes through the main pool. An in-process serializer in front keeps same-name tasks of one
 *   process in line (advisory locks are re-entrant within a session). If the lock session drops,
 *   the database releases its locks; tasks already inside finish, new ones open a new session.
 * - `lease` is one upsert, timed by the database clock, so instances with skewed clocks agree.
 * - `between` compares times (the `at` column), where the embedded stores compare the ISO text:
 *   the same for the `toISOString()` times Yici writes.
 * - The statements of a chat message are prepared by name (parsed and planned once per
 *   connection); range reads are not, so each is planned for its range. Document reads, and
 *   commits, asked for while one is out go together in one statement (batches.ts): under load a
 *   round trip and a transaction serve several chat messages.
 * - When the database cannot be reached, every call rejects with StoreUnavailableError.
 */
import pg from 'pg';
import { keyedSerializer, serializer } from '../core/serialize.js';
import { StoreUnavailableError } from './errors.js';
import { MIGRATIONS } from './pg-migrations.js';
import { applyChange, JOURNAL_LIMIT } from './document-change.js';
import { batches } from './batches.js';
import type { DocumentChange, DocumentStore, LogAppend, LogStore, Store, TallyAppend, TallyStore, Versioned } from './ports.js';
import { checkCounts } from './tally-maps.js';

const { Pool, escapeIdentifier } = pg;

/** Back-off while another instance holds a lock, and how long to wait before giving up. */
const LOCK_RETRY_MAX_MS = 25;
const LOCK_WAIT_LIMIT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5000;
/**
 * Batches of document reads, and of commits, out at once; what is asked for meanwhile goes
 * together in the next. One each: two instances behind nginx at 50 connections, five alternating
 * pairs against two each — PostgreSQL transactions per message 0.81–0.89 → 0.54–0.62, its CPU per
 * message 1.11–1.55 → 0.85–1.07 ms, requests per second higher in four pairs (docs/benchmarks.md).
 */
const READ_BATCHES_IN_FLIGHT = 1;
const COMMIT_BATCHES_IN_FLIGHT = 1;
/** The most reads or commits one statement carries. */
const MAX_BATCH = 64;
/** SQLSTATE deadlock_detected. */
const DEADLOCK = '40P01';
/** Documents whose count of changes is remembered (the most recently used). */
const CHANGE_COUNTS_KEPT = 10_000;

/** Socket errors and SQLSTATEs (connection exception, shutdown, starting up, too many connections, read-only standby) that mean "unavailable", not "refused". */
const UNAVAILABLE_CODES = /^(E(CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|NETUNREACH|NOTFOUND|AI_AGAIN|PIPE)|08...|57P0[123]|53300|25006)$/;
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable/;

/** Does this error mean the database cannot be reached (so the operation may succeed later)? */
function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) || UNAVAILABLE_MESSAGES.test(err.message);
}

const guard = <T>(p: Promise<T>): Promise<T> =>
  p.catch((err: unknown) => {
    throw isUnavailable(err) ? new StoreUnavailableError(err) : err;
  });

/** Every statement the store runs, on the tables of `schema`. */
export function statements(schema: string) {
  const s = escapeIdentifier(schema);
  // The changes after the value was last written whole (`base`), up to the document's version: a
  // change row outside that range (left by a whole write racing a change from another instance,
  // or from a deleted document of the same key) is never applied.
  const changesOf = (d: string) =>
    `(select json_agg(c.change order by c.version) from ${s}.document_changes c
      where c.collection = ${d}.collection and c.key = ${d}.key and c.version > ${d}.base and c.version <= ${d}.version)`;
  return {
    // A document's value is its row's value with its changes (document_changes, in version order)
    // applied: `changes` is null when it has none.
    readVersioned: `select d.value, d.version, ${changesOf('d')} as changes from ${s}.documents d where d.collection = $1 and d.key = $2`,
    readTogether: `select d.collection, d.key, d.value, d.version, ${changesOf('d')} as changes from ${s}.documents d
                   join unnest($1::text[], $2::text[]) as w(collection, key) using (collection, key)`,
    // A whole value: the changes it replaces go.
    write: `with written as (
              insert into ${s}.documents as d (collection, key, value, updated_at, version, base) values ($1, $2, $3, now(), 1, 1)
              on conflict (collection, key) do update set value = excluded.value, updated_at = excluded.updated_at, version = d.version + 1, base = d.version + 1
            )
            delete from ${s}.document_changes where collection = $1 and key = $2`,
    // Commits of several documents (each at most once) in one statement, one round trip and one
    // transaction: item i ($1 collections, $2 keys, $3 bodies, $4 versions read — 0: absent —,
    // $5 whole) stores its document only if it is still at that version, and then its log records
    // ($6 items, $7 names, $8 times, $9 records) and tally counts ($10 items, $11 tallies,
    // $12 buckets, $13 keys, $14 numbers; summed per counter and taken in key order, as tallyAdd)
    // — for each item all or nothing. Returns the items that committed. A whole item writes its
    // value (and removes the changes it held); any other adds its body as the change at the next
    // version and leaves the row's value as it was (no rewrite of a long text).
    commitBatch: `with w as (
        select * from unnest($1::text[], $2::text[], $3::json[], $4::bigint[], $5::boolean[]) with ordinality as w(collection, key, body, version, whole, i)
      ), inserted as (
        insert into ${s}.documents (collection, key, value, updated_at, version, base)
        select collection, key, body, now(), 1, 1 from w where whole and version = 0
        on conflict (collection, key) do nothing returning collection, key
      ), rewritten as (
        update ${s}.documents d set value = w.body, updated_at = now(), version = d.version + 1, base = d.version + 1
        from w where w.whole and w.version > 0 and d.collection = w.collection and d.key = w.key and d.version = w.version
        returning d.collection, d.key
      ), advanced as (
        update ${s}.documents d set updated_at = now(), version = d.version + 1
        from w where not w.whole and d.collection = w.collection and d.key = w.key and d.version = w.version
        returning d.collection, d.key
      ), done as (
        select w.* from w join (select * from inserted union all select * from rewritten union all select * from advanced) x using (collection, key)
      ), cleared as (
        delete from ${s}.document_changes c using done where done.whole and c.collection = done.collection and c.key = done.key
      ), changed as (
        insert into ${s}.document_changes (collection, key, version, change)
        select collection, key, version + 1, body from done where not whole
        on conflict (collection, key, version) do update set change = excluded.change
      ), appended as (
        insert into ${s}.logs (name, at, record)
        select l.name, l.at, l.record from unnest($6::bigint[], $7::text[], $8::timestamptz[], $9::json[]) as l(i, name, at, record)
        where l.i in (select i from done) returning 1
      ), tallied as (
        insert into ${s}.tallies as t (name, bucket, key, n)
        select c.name, c.bucket, c.key, sum(c.n) from unnest($10::bigint[], $11::text[], $12::text[], $13::text[], $14::bigint[]) as c(i, name, bucket, key, n)
        where c.i in (select i from done)
        group by c.name, c.bucket, c.key order by c.name, c.bucket, c.key
        on conflict (name, bucket, key) do update set n = t.n + excluded.n returning 1
      )
      select i from done`,
    delete: `with removed as (delete from ${s}.documents where collection = $1 and key = $2)
             delete from ${s}.document_changes where collection = $1 and key = $2`,
    append: `insert into ${s}.logs (name, at, record) values ($1, $2, $3)`,
    recent: `select record from ${s}.logs where name = $1 order by id desc limit $2`,
    between: `select record from ${s}.logs where name = $1 and at >= $2 and at < $3 order by at, id`,
    // `at` comes back as text (`bound`, not named `at`: ORDER BY would sort by the output column and
    // miss the index) and goes back as the next page's bound: no Date is parsed per row (the inbox
    // reads thousands of rows per request).
    newestFirst: `select id, at::text as bound, record from ${s}.logs where name = $1 and at >= $2 and at < $3 order by at desc, id desc limit $4`,
    newestFirstAfter: `select id, at::text as bound, record from ${s}.logs where name = $1 and at >= $2 and (at, id) < ($3::timestamptz, $4) order by at desc, id desc limit $5`,
    // Counts are summed per counter first (one statement may not touch a row twice) and taken in
    // key order, so two instances adding to the same counters lock them in the same order.
    tallyAdd: `insert into ${s}.tallies as t (name, bucket, key, n)
               select $1, bucket, key, sum(n) from unnest($2::text[], $3::text[], $4::bigint[]) as c(bucket, key, n)
               group by bucket, key order by bucket, key
               on conflict (name, bucket, key) do update set n = t.n + excluded.n`,
    // One row per bucket, its counters as one JSON object: far fewer rows for the driver to decode.
    tallyRead: `select bucket, json_object_agg(key, n) as counts from ${s}.tallies where name = $1 and bucket = any($2::text[]) and n <> 0 group by bucket`,
    tallySum: `select coalesce(json_object_agg(key, total), '{}') as sums from (select key, sum(n) as total from ${s}.tallies where name = $1 and bucket = any($2::text[]) group by key having sum(n) <> 0) x`,
    lease: `insert into ${s}.leases as l (name, holder, until) values ($1, $2, now() + $3::float8 * interval '1 millisecond')
            on conflict (name) do update set holder = excluded.holder, until = excluded.until
            where l.holder = excluded.holder or l.until <= now()
            returning holder`,
    tryLock: 'select pg_try_advisory_lock(hashtextextended($1, 0)) as locked',
    unlock: 'select pg_advisory_unlock(hashtextextended($1, 0))',
    writable: `select not pg_is_in_recovery() and current_setting('transaction_read_only') = 'off' as ok`,
  };
}

/** A record's `at` as a time PostgreSQL takes, or null: such a record is never in a `between`. */
function timeOf(at: unknown): string | null {
  if (typeof at !== 'string') return null;
  const d = new Date(at);
  const year = d.getUTCFullYear(); // NaN for an invalid date
  return year >= 1 && year <= 9999 ? d.toISOString() : null;
}

/** Applies the migrations not yet applied to `schema`, one instance at a time. */
async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const s = escapeIdentifier(schema);
  const client = await pool.connect();
  try {
    // Instances starting together queue here; the later ones find nothing left to do.
    await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [`yici migrations ${schema}`]);
    const exists = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`create schema ${s}`);
    await client.query(`create table if not exists ${s}.schema_migrations (version int primary key, name text not null, applied_at timestamptz not null default now())`);
    const applied = new Set((await client.query<{ version: number }>(`select version from ${s}.schema_migrations`)).rows.map((r) => r.version));
    // A database a newer version has migrated may store things this version does not read (such
    // as document changes): refuse it rather than read and write it wrongly.
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    const newest = Math.max(0, ...applied);
    if (newest > known) throw new Error(`数据库结构版本为 ${newest}，高于本程序所知的 ${known}：数据库已被更新版本的「一次」升级，请用同一版本启动本实例。`);
    for (const m of MIGRATIONS.filter((m) => !applied.has(m.version))) {
      try {
        await client.query('begin');
        await client.query(`set local search_path to ${s}`);
        await client.query(m.sql);
        await client.query(`insert into ${s}.schema_migrations (version, name) values ($1, $2)`, [m.version, m.name]);
        await client.query('commit');
      } catch (err) {
        if (isUnavailable(err)) throw err;
        throw new Error(`数据库迁移 ${m.version}（${m.name}）失败，已回滚：${(err as Error).message}`, { cause: err });
      }
    }
    await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [`yici migrations ${schema}`]);
    client.release();
  } catch (err) {
    client.release(true); // closing the session rolls back and drops the lock
    throw err;
  }
}

export interface PostgresStoreOptions {
  schema?: string;
  poolSize?: number;
  /**
   * Called with the text of every statement sent after start-up (lock session included), and the
   * name it is prepared under if it is: counts round trips per message in tests and benchmarks.
   */
  onStatement?: (text: string, values: readonly unknown[], name?: string) => void;
}

export async function createPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const schema = options.schema ?? 'public';
  const settings = { connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, allowExitOnIdle: true };
  const pool = new Pool({ ...settings, max: options.poolSize ?? 10 });
  // A connection that drops is reported by the statement that needed it; the event itself
  // must not crash the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  // The lock session: one connection holding this process's advisory locks.
  let lockSession: Promise<pg.Client> | null = null;
  // Statements on the lock session go one at a time (pg would queue them, but warns that it will stop).
  const onSession = serializer();
  const session = (): Promise<pg.Client> => {
    if (!lockSession) {
      const client = new pg.Client(settings);
      const ready = client.connect().then(() => client);
      lockSession = ready;
      const drop = () => {
        if (lockSession === ready) lockSession = null;
      };
      client.on('error', drop);
      client.on('end', drop);
      ready.catch(drop);
    }
    return guard(lockSession);
  };
  const end = async () => {
    const held = lockSession;
    lockSession = null;
    await Promise.all([pool.end(), held?.then((c) => c.end()).catch(() => {})]);
  };
  try {
    await guard(migrate(pool, schema));
  } catch (err) {
    await end();
    throw err;
  }

  const sql = statements(schema);
  const counted = options.onStatement ?? (() => {});
  // The statements of every chat message (and other single-row work) go by name: each pooled
  // connection parses and plans them once instead of on every call (measured: PostgreSQL's CPU
  // per chat message 2.1 → 1.3 ms, docs/benchmarks.md). Range reads stay unnamed, so each is
  // planned for its own range: a generic plan guesses a few rows and would sort a year of them.
  const named = new Map<string, string>(
    (['readVersioned', 'readTogether', 'write', 'commitBatch', 'delete', 'append', 'tallyAdd', 'lease'] as const).map((k) => [sql[k], `yici_${k}`]),
  );
  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => {
    const name = named.get(text);
    counted(text, values, name);
    return guard(pool.query<R>({ text, values, ...(name === undefined ? {} : { name }) }));
  };
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => {});
    return p;
  };

  // Document writes (null: delete), one line per document; `queued` is the write waiting in it, if any.
  const saving = keyedSerializer();
  const queued = new Map<string, { text: string | null; done: Promise<void> }>();
  function save(collection: string, key: string, text: string | null): Promise<void> {
    const id = JSON.stringify([collection, key]);
    const waiting = queued.get(id);
    if (waiting) {
      waiting.text = text;
      return waiting.done;
    }
    const entry = { text, done: Promise.resolve() };
    entry.done = track(
      saving(id, async () => {
        queued.delete(id);
        await (entry.text === null ? query(sql.delete, [collection, key]) : query(sql.write, [collection, key, entry.text]));
      }),
    );
    queued.set(id, entry);
    return entry.done;
  }

  async function locked<T>(name: string, task: () => Promise<T>): Promise<T> {
    const key = `${schema}:${name}`;
    const deadline = Date.now() + LOCK_WAIT_LIMIT_MS;
    let client: pg.Client;
    for (let wait = 1; ; wait = Math.min(wait * 2, LOCK_RETRY_MAX_MS)) {
      client = await session();
      const attempt = client;
      counted(sql.tryLock, [key]);
      if ((await guard(onSession(() => attempt.query<{ locked: boolean }>(sql.tryLock, [key])))).rows[0]?.locked === true) break;
      if (Date.now() > deadline) throw new StoreUnavailableError(`等待锁「${name}」超过 ${LOCK_WAIT_LIMIT_MS / 1000} 秒`);
      await new Promise((r) => setTimeout(r, wait * (0.5 + Math.random())));
    }
    try {
      return await task();
    } finally {
      // A session that is gone has released its locks already.
      const held = client;
      counted(sql.unlock, [key]);
      await onSession(() => held.query(sql.unlock, [key])).catch(() => {});
    }
  }
  const lines = keyedSerializer();

  // How many changes each document read or committed here had at its version (a version has one
  // history, so one count): a commit at that version adds its change while there are fewer than
  // JOURNAL_LIMIT, and otherwise writes the whole value. A document not known here is written whole.
  const changeCounts = new Map<string, { version: number; changes: number }>();
  const noteChanges = (id: string, version: number, changes: number) => {
    changeCounts.delete(id);
    changeCounts.set(id, { version, changes });
    if (changeCounts.size > CHANGE_COUNTS_KEPT) changeCounts.delete(changeCounts.keys().next().value!);
  };
  type Row = { value: unknown; version: string; changes: DocumentChange[] | null };
  /** A document as read: its row's value with its changes applied. */
  const current = (id: string, row: Row): Versioned<unknown> => {
    const version = Number(row.version);
    const changes = row.changes ?? [];
    noteChanges(id, version, changes.length);
    for (const change of changes) applyChange(row.value as Record<string, unknown>, change);
    return { value: row.value, version };
  };
  const readOne = async (collection: string, key: string) => {
    const row = (await query<Row>(sql.readVersioned, [collection, key])).rows[0];
    return row ? current(JSON.stringify([collection, key]), row) : undefined;
  };

  // Reads of several documents (a chat message's conversation and its case) go in batches (see
  // batches.ts): under load one statement serves several messages. A read still sees every commit
  // that finished before it was asked for (its statement is sent after).
  type Item = { collection: string; key: string };
  type Found = (Versioned<unknown> | undefined)[];
  const idOf = (i: Item) => JSON.stringify([i.collection, i.key]);
  const readBatch = batches<readonly Item[], Found>(READ_BATCHES_IN_FLIGHT, MAX_BATCH, async (asks) => {
    const all = new Map(asks.flatMap((items) => items.map((i) => [idOf(i), i] as const)));
    const pairs = [...all.values()];
    const { rows } = await query<Row & { collection: string; key: string }>(sql.readTogether, [pairs.map((i) => i.collection), pairs.map((i) => i.key)]);
    const found = new Map(rows.map((r) => [idOf(r), current(idOf(r), r)]));
    // Each caller gets its own copy of a document asked for twice in one batch.
    const seen = new Set<string>();
    return asks.map((items) =>
      items.map((i) => {
        const id = idOf(i);
        const row = found.get(id);
        if (!row) return undefined;
        if (seen.has(id)) return { value: structuredClone(row.value), version: row.version };
        seen.add(id);
        return row;
      }),
    );
  });

  // Commits go in batches likewise: one statement and one transaction for the commits of several
  // messages (measured: PostgreSQL's CPU per commit 0.8–0.95 → 0.19–0.20 ms in batches of five,
  // docs/benchmarks.md). A document has at most one commit out (its line in `saving`), so a batch
  // never holds one document twice.
  type Commit = { collection: string; key: string; body: string | undefined; version: number; whole: boolean; appends: LogAppend[]; tally?: TallyAppend };
  const sendCommits = async (items: Commit[]): Promise<boolean[]> => {
    const appends = items.flatMap((c, i) => c.appends.map((a) => ({ i: i + 1, a })));
    const counts = items.flatMap((c, i) => (c.tally?.counts ?? []).map((n) => ({ i: i + 1, name: c.tally!.name, n })));
    const { rows } = await query<{ i: string }>(sql.commitBatch, [
      items.map((c) => c.collection),
      items.map((c) => c.key),
      items.map((c) => c.body ?? null),
      items.map((c) => c.version),
      items.map((c) => c.whole),
      appends.map((x) => x.i),
      appends.map((x) => x.a.log),
      appends.map((x) => timeOf((x.a.record as { at?: unknown } | null)?.at)),
      appends.map((x) => JSON.stringify(x.a.record)),
      counts.map((x) => x.i),
      counts.map((x) => x.name),
      counts.map((x) => x.n.bucket),
      counts.map((x) => x.n.key),
      counts.map((x) => x.n.n),
    ]);
    const done = new Set(rows.map((r) => Number(r.i)));
    return items.map((_, i) => done.has(i + 1));
  };
  const commitBatch = batches<Commit, boolean>(COMMIT_BATCHES_IN_FLIGHT, MAX_BATCH, async (items) => {
    try {
      return await sendCommits(items);
    } catch (err) {
      // Two instances' batches can lock the same documents in opposite orders (two conversations,
      // each with a message on both): PostgreSQL then aborts one. Its commits go again one by one.
      if (items.length > 1 && (err as { code?: unknown }).code === DEADLOCK) return Promise.all(items.map(async (c) => (await sendCommits([c]))[0]!));
      throw err;
    }
  });

  let closing: Promise<void> | undefined;
  const flush = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  return {
    kind: 'postgres',
    async readTogether(items) {
      if (items.length === 0) return [];
      return readBatch(items);
    },
    documents<T>(collection: string): DocumentStore<T> {
      return {
        read: async (key) => (await readOne(collection, key))?.value as T | undefined,
        // undefined is not JSON: writing it leaves no document, as in the embedded stores.
        write: (key, value) => save(collection, key, JSON.stringify(value) ?? null),
        delete: (key) => save(collection, key, null),
        readVersioned: (key) => readOne(collection, key) as Promise<Versioned<T> | undefined>,
        // In the line of this document's writes, so it cannot overtake one called before it.
        commit: (key, { version, value, change, appends = [], tally }) => {
          const id = JSON.stringify([collection, key]);
          return track(
            saving(id, async () => {
              checkCounts(tally?.counts ?? []);
              const known = changeCounts.get(id);
              const journal = change !== undefined && version > 0 && known?.version === version && known.changes < JOURNAL_LIMIT;
              const done = await commitBatch({ collection, key, body: JSON.stringify(journal ? change : value), version, whole: !journal, appends, tally });
              if (done) noteChanges(id, version + 1, journal ? known.changes + 1 : 0);
              return done;
            }),
          );
        },
      };
    },
    log<T>(name: string): LogStore<T> {
      return {
        append: (record) => track(query(sql.append, [name, timeOf((record as { at?: unknown } | null)?.at), JSON.stringify(record)]).then(() => {})),
        recent: async (limit) => (await query<{ record: T }>(sql.recent, [name, Math.max(0, Math.trunc(limit))])).rows.map((r) => r.record),
        async between(from, to) {
          const [start, stop] = [timeOf(from), timeOf(to)];
          if (start === null || stop === null) throw new RangeError(`between(${from}, ${to}): both bounds must be ISO times`);
          return (await query<{ record: T }>(sql.between, [name, start, stop])).rows.map((r) => r.record);
        },
        async *newestFirst(from, to, size) {
          const [start, stop] = [timeOf(from), timeOf(to)];
          if (start === null || stop === null) throw new RangeError(`newestFirst(${from}, ${to}): both bounds must be ISO times`);
          const limit = Math.max(1, Math.trunc(size));
          // Keyset pages over the (name, at, id) index: each page starts below the last one's (at, id).
          let last: { id: string; bound: string } | undefined;
          for (;;) {
            const rows = (
              last
                ? await query<{ id: string; bound: string; record: T }>(sql.newestFirstAfter, [name, start, last.bound, last.id, limit])
                : await query<{ id: string; bound: string; record: T }>(sql.newestFirst, [name, start, stop, limit])
            ).rows;
            if (rows.length > 0) yield rows.map((r) => r.record);
            if (rows.length < limit) return;
            last = rows.at(-1)!;
          }
        },
      };
    },
    tallies(name: string): TallyStore {
      return {
        async add(counts) {
          checkCounts(counts);
          if (counts.length === 0) return;
          return track(query(sql.tallyAdd, [name, counts.map((c) => c.bucket), counts.map((c) => c.key), counts.map((c) => c.n)]).then(() => {}));
        },
        read: async (buckets) =>
          (await query<{ bucket: string; counts: Record<string, number> }>(sql.tallyRead, [name, [...new Set(buckets)]])).rows.flatMap((r) => Object.entries(r.counts).map(([key, n]) => ({ bucket: r.bucket, key, n: Number(n) }))),
        sum: async (buckets) => new Map(Object.entries((await query<{ sums: Record<string, number> }>(sql.tallySum, [name, [...new Set(buckets)]])).rows[0]?.sums ?? {}).map(([k, n]) => [k, Number(n)])),
      };
    },
    exclusive: (name, task) => lines(name, () => locked(name, task)),
    async lease(name, holder, ttlMs) {
      return (await query(sql.lease, [name, holder, ttlMs])).rowCount === 1;
    },
    async writable() {
      try {
        return (await pool.query<{ ok: boolean }>(sql.writable)).rows[0]?.ok === true;
      } catch {
        return false;
      }
    },
    flush,
    close: () => (closing ??= flush().then(end)),
  };
}
