/**
 * The PostgreSQL store: the store contract, plus what only a store shared by several instances
 * has — exclusion between instances, migrations run once, an index for time ranges, and a clear
 * error while the database is out of reach. Skipped, with a notice, without PostgreSQL.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/storage/errors.js';
import { JOURNAL_LIMIT } from '../../src/storage/document-change.js';
import { MIGRATIONS } from '../../src/storage/pg-migrations.js';
import type { Store } from '../../src/storage/ports.js';
import { createPostgresStore, statements, type PostgresStoreOptions } from '../../src/storage/postgres-store.js';
import { dropTestSchemas, freshPostgresStore, freshSchema, postgresAvailable, sqlOnce, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { concurrentLogContract, sleep, storeContract, within } from './contract.js';

afterAll(dropTestSchemas);

describe('PostgreSQL migrations list', () => {
  it('numbers migrations 1, 2, 3… in order, each named', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    for (const m of MIGRATIONS) expect(m.name.trim()).not.toBe('');
  });
});

describe.skipIf(!postgresAvailable)('PostgreSQL', () => {
  storeContract('postgres store', freshPostgresStore);
  concurrentLogContract('postgres store', freshPostgresStore);

  const open = (schema: string, options: PostgresStoreOptions = {}) => createPostgresStore(TEST_DATABASE_URL, { schema, poolSize: 3, ...options });

  describe('postgres store shared by two instances', () => {
    it('excludes tasks of the other instance and sees its writes', async () => {
      const schema = freshSchema();
      const [one, two] = await Promise.all([open(schema), open(schema)]);
      const increment = (store: Store) =>
        store.exclusive('counter', async () => {
          const docs = store.documents<number>('counters');
          const n = (await docs.read('c')) ?? 0;
          await sleep(1);
          await docs.write('c', n + 1);
        });
      await Promise.all(Array.from({ length: 30 }, (_, i) => increment(i % 2 === 0 ? one : two)));
      expect(await one.documents<number>('counters').read('c')).toBe(30);
      expect(await two.documents<number>('counters').read('c')).toBe(30);

      // A task that fails in one instance releases the lock for the other.
      await expect(one.exclusive('n', () => Promise.reject(new Error('task failed')))).rejects.toThrow('task failed');
      expect(await within(5000, two.exclusive('n', async () => 'after'))).toBe('after');

      await one.log<{ at: string }>('events').append({ at: '2026-03-01T10:00:00.000Z' });
      expect(await two.log('events').between('2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z')).toEqual([{ at: '2026-03-01T10:00:00.000Z' }]);
      expect(await one.lease('sweep', 'one', 10_000)).toBe(true);
      expect(await two.lease('sweep', 'two', 10_000)).toBe(false);
      await Promise.all([one.close(), two.close()]);
    });
  });

  describe('postgres store: a commit with a change stores the change', () => {
    type Doc = { n: number; items: number[] };
    const tables = (schema: string) => ({ docs: `${pg.escapeIdentifier(schema)}.documents`, changes: `${pg.escapeIdentifier(schema)}.document_changes` });
    const changeRows = async (schema: string, key: string) =>
      (await sqlOnce<{ version: string; change: unknown }>(`select version, change from ${tables(schema).changes} where collection = 'conv' and key = $1 order by version`, [key])).map((r) => ({ version: Number(r.version), change: r.change }));
    const stored = async (schema: string, key: string) => (await sqlOnce<{ value: Doc; version: string }>(`select value, version from ${tables(schema).docs} where collection = 'conv' and key = $1`, [key]))[0];
    /** Reads, changes and commits `key` once on `store`; true when it committed. */
    const step = async (store: Store, key: string, i: number) => {
      const docs = store.documents<Doc>('conv');
      const read = await docs.readVersioned(key);
      const value = read ? { n: i, items: [...read.value.items, i] } : { n: i, items: [i] };
      return docs.commit(key, { version: read?.version ?? 0, value, ...(read ? { change: { set: { n: i }, push: { items: [i] } } } : {}) });
    };

    it('adds the change, leaves the stored value as it was, and writes it whole every JOURNAL_LIMIT changes', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      expect(await step(store, 'a', 1)).toBe(true); // a new document is written whole
      for (let i = 2; i <= 5; i++) expect(await step(store, 'a', i)).toBe(true);
      expect(await stored(schema, 'a')).toEqual({ value: { n: 1, items: [1] }, version: '5' });
      expect(await changeRows(schema, 'a')).toEqual([2, 3, 4, 5].map((i) => ({ version: i, change: { set: { n: i }, push: { items: [i] } } })));
      expect(await store.documents<Doc>('conv').read('a')).toEqual({ n: 5, items: [1, 2, 3, 4, 5] });

      let longest = 0;
      for (let i = 6; i <= 3 * JOURNAL_LIMIT; i++) {
        expect(await step(store, 'a', i)).toBe(true);
        longest = Math.max(longest, (await changeRows(schema, 'a')).length);
      }
      expect(longest).toBe(JOURNAL_LIMIT);
      const all = Array.from({ length: 3 * JOURNAL_LIMIT }, (_, i) => i + 1);
      expect(await store.documents<Doc>('conv').readVersioned('a')).toEqual({ value: { n: 3 * JOURNAL_LIMIT, items: all }, version: 3 * JOURNAL_LIMIT });
      const [again] = await store.readTogether([{ collection: 'conv', key: 'a' }]);
      expect(again).toEqual({ value: { n: 3 * JOURNAL_LIMIT, items: all }, version: 3 * JOURNAL_LIMIT });
      await store.close();
    });

    it('keeps every change when two instances commit to one document in turn, and a stale commit stores nothing', async () => {
      const schema = freshSchema();
      const [one, two] = await Promise.all([open(schema), open(schema)]);
      for (let i = 1; i <= 40; i++) expect(await step(i % 2 ? one : two, 'b', i)).toBe(true);
      const expected = { n: 40, items: Array.from({ length: 40 }, (_, i) => i + 1) };
      expect(await one.documents<Doc>('conv').read('b')).toEqual(expected);
      expect(await two.documents<Doc>('conv').read('b')).toEqual(expected);
      expect((await changeRows(schema, 'b')).length).toBeGreaterThan(0);
      // Both read version 40; the second commit finds version 41 and stores nothing.
      const [r1, r2] = await Promise.all([one.documents<Doc>('conv').readVersioned('b'), two.documents<Doc>('conv').readVersioned('b')]);
      expect(await one.documents<Doc>('conv').commit('b', { version: r1!.version, value: { ...r1!.value, n: 100 }, change: { set: { n: 100 } } })).toBe(true);
      expect(await two.documents<Doc>('conv').commit('b', { version: r2!.version, value: { ...r2!.value, n: 200 }, change: { set: { n: 200 } } })).toBe(false);
      expect(await two.documents<Doc>('conv').read('b')).toEqual({ ...expected, n: 100 });
      await Promise.all([one.close(), two.close()]);
    });

    it('never applies a change left outside the range of its document (a whole write racing a change, a deleted document), and overwrites it when its version comes', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      const docs = store.documents<Doc>('conv');
      const orphan = (version: number, n: number) =>
        sqlOnce(`insert into ${tables(schema).changes} (collection, key, version, change) values ('conv', 'd', $1, $2)`, [version, JSON.stringify({ set: { n }, push: { items: [n] } })]);
      for (let i = 1; i <= 3; i++) await step(store, 'd', i); // version 3: written whole at 1, changes 2 and 3
      // What a whole write racing another instance's change can leave: a change at or below the
      // version the value was last written whole at, and one beyond the document's version.
      await docs.write('d', { n: 10, items: [10] }); // version 4, written whole
      await orphan(3, 99);
      await orphan(6, 66);
      expect(await docs.readVersioned('d')).toEqual({ value: { n: 10, items: [10] }, version: 4 });
      expect(await store.readTogether([{ collection: 'conv', key: 'd' }])).toEqual([{ value: { n: 10, items: [10] }, version: 4 }]);
      expect(await step(store, 'd', 11)).toBe(true); // version 5: a change
      expect(await step(store, 'd', 12)).toBe(true); // version 6: a change, in place of the stray one
      expect(await docs.readVersioned('d')).toEqual({ value: { n: 12, items: [10, 11, 12] }, version: 6 });
      // A document deleted and made again starts at version 1: what the old one left is not applied.
      await docs.delete('d');
      await orphan(2, 77);
      expect(await step(store, 'd', 1)).toBe(true);
      expect(await docs.readVersioned('d')).toEqual({ value: { n: 1, items: [1] }, version: 1 });
      expect(await changeRows(schema, 'd')).toEqual([]); // written whole: every change of the key is gone
      await store.close();
    });

    it('compresses long values with lz4 where the server has it', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      const long = { n: 1, items: Array.from({ length: 2000 }, (_, i) => i % 7) };
      await store.documents<Doc>('conv').write('long', long);
      await store.close();
      const lz4 = (await sqlOnce(`select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)`)).length > 0;
      const [row] = await sqlOnce<{ method: string | null }>(`select pg_column_compression(value) as method from ${tables(schema).docs} where key = 'long'`);
      expect(row?.method).toBe(lz4 ? 'lz4' : 'pglz');
      const again = await open(schema);
      expect(await again.documents<Doc>('conv').read('long')).toEqual(long);
      await again.close();
    });

    it('forgets the changes when the document is written whole or deleted', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      const docs = store.documents<Doc>('conv');
      for (let i = 1; i <= 4; i++) await step(store, 'c', i);
      await docs.write('c', { n: 0, items: [] });
      expect(await changeRows(schema, 'c')).toEqual([]);
      expect(await docs.read('c')).toEqual({ n: 0, items: [] });
      for (let i = 1; i <= 3; i++) await step(store, 'c', i);
      expect((await changeRows(schema, 'c')).length).toBe(3);
      await docs.delete('c');
      expect(await changeRows(schema, 'c')).toEqual([]);
      expect(await docs.read('c')).toBeUndefined();
      expect(await step(store, 'c', 7)).toBe(true);
      expect(await docs.readVersioned('c')).toEqual({ value: { n: 7, items: [7] }, version: 1 });
      await store.close();
    });
  });

  describe('postgres store migrations', () => {
    const applied = (schema: string) => sqlOnce<{ version: number; name: string; applied_at: Date }>(`select version, name, applied_at from ${pg.escapeIdentifier(schema)}.schema_migrations order by version`);

    it('applies each migration once, even when instances start together', async () => {
      const schema = freshSchema();
      const stores = await Promise.all([open(schema), open(schema), open(schema)]);
      const rows = await applied(schema);
      expect(rows.map((r) => [r.version, r.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
      await Promise.all(stores.map((s) => s.close()));
      const again = await open(schema);
      expect(await applied(schema)).toEqual(rows);
      await again.close();
    });

    it('rolls a failing migration back whole and says which one failed', async () => {
      const schema = freshSchema();
      await sqlOnce(`create schema ${pg.escapeIdentifier(schema)}; create table ${pg.escapeIdentifier(schema)}.leases (x int)`);
      await expect(open(schema)).rejects.toThrow(/数据库迁移 1（documents, logs and leases）失败/);
      expect(await applied(schema)).toEqual([]);
      const tables = await sqlOnce<{ tablename: string }>('select tablename from pg_tables where schemaname = $1 order by tablename', [schema]);
      expect(tables.map((t) => t.tablename)).toEqual(['leases', 'schema_migrations']);
    });

    it('refuses a database that a newer version has migrated, and leaves it as it was', async () => {
      const schema = freshSchema();
      await (await open(schema)).close();
      const newer = MIGRATIONS.length + 1;
      await sqlOnce(`insert into ${pg.escapeIdentifier(schema)}.schema_migrations (version, name) values ($1, 'from a newer version')`, [newer]);
      await expect(open(schema)).rejects.toThrow(new RegExp(`数据库结构版本为 ${newer}，高于本程序所知的 ${MIGRATIONS.length}`));
      expect((await applied(schema)).map((r) => r.version)).toEqual([...MIGRATIONS.map((m) => m.version), newer]);
      // The lock is not left held: once the row is gone, the store opens.
      await sqlOnce(`delete from ${pg.escapeIdentifier(schema)}.schema_migrations where version = $1`, [newer]);
      await (await open(schema)).close();
    });
  });

  it('finds a time range of one log by its (name, at) index', async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    const logs = `${pg.escapeIdentifier(schema)}.logs`;
    await sqlOnce(
      `insert into ${logs} (name, at, record) select 'log' || (i % 20), timestamptz '2026-01-01Z' + i * interval '1 minute', '{}' from generate_series(1, 20000) i;
       analyze ${logs}`,
    );
    const plan = await sqlOnce<{ 'QUERY PLAN': string }>(`explain ${statements(schema).between}`, ['log3', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z']);
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/(Index Scan using|Bitmap Index Scan on) logs_name_at /);
    // The inbox's newest-first pages walk the index backwards, in its order: no sort of the range
    // (ordering by an output column named like the table's would sort every row of it).
    for (const [name, params] of [
      ['newestFirst', ['log3', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z', 250]],
      ['newestFirstAfter', ['log3', '2026-01-01T00:00:00Z', '2026-01-14T00:00:00Z', '15000', 250]],
    ] as const) {
      const text = (await sqlOnce<{ 'QUERY PLAN': string }>(`explain ${statements(schema)[name]}`, [...params])).map((r) => r['QUERY PLAN']).join('\n');
      expect(text, name).toMatch(/Index Scan Backward using logs_name_at /);
      expect(text, name).not.toMatch(/Sort/);
    }
  });

  it('sends reads asked for while others are out together, in one statement', async () => {
    const sent: string[] = [];
    const schema = freshSchema();
    const store = await open(schema, { onStatement: (text: string) => sent.push(text) });
    const docs = store.documents<number>('batched');
    for (let i = 0; i < 20; i++) await docs.write(`k${i}`, i);
    const together = statements(schema).readTogether;
    sent.length = 0;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => store.readTogether([{ collection: 'batched', key: `k${i % 20}` }])));
    expect(answers.map((a) => a[0]?.value)).toEqual(Array.from({ length: 40 }, (_, i) => i % 20));
    const reads = sent.filter((t) => t === together).length;
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(4);
    await store.close();
  });

  it('sends commits asked for while others are out together, in one statement', async () => {
    const sent: string[] = [];
    const schema = freshSchema();
    const store = await open(schema, { onStatement: (text: string) => sent.push(text) });
    const docs = store.documents<{ n: number }>('batched-commits');
    const batch = statements(schema).commitBatch;
    const made = await Promise.all(Array.from({ length: 40 }, (_, i) => docs.commit(`k${i}`, { version: 0, value: { n: i }, appends: [{ log: 'batched-log', record: { at: '2026-01-01T00:00:00.000Z', i } }] })));
    expect(made.every(Boolean)).toBe(true);
    const commits = sent.filter((t) => t === batch).length;
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThanOrEqual(6);
    expect(await store.log('batched-log').between('2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z')).toHaveLength(40);
    for (let i = 0; i < 40; i++) expect(await docs.readVersioned(`k${i}`)).toEqual({ value: { n: i }, version: 1 });
    await store.close();
  });

  it('commits one by one the documents of a batch that PostgreSQL aborted in a deadlock', async () => {
    const schema = freshSchema();
    const store = await open(schema, { poolSize: 4 });
    const docs = store.documents<{ n: number }>('locked');
    for (const key of ['a', 'b', 'c']) expect(await docs.commit(key, { version: 0, value: { n: 0 } })).toBe(true);
    const s = pg.escapeIdentifier(schema);
    // Two other sessions, as another instance's transactions; they wait long before looking for a
    // deadlock, so that it is the store's statement that PostgreSQL aborts.
    const [hold, other] = [new pg.Client(TEST_DATABASE_URL), new pg.Client(TEST_DATABASE_URL)];
    await Promise.all([hold.connect(), other.connect()]);
    try {
      for (const c of [hold, other]) await c.query("begin; set local deadlock_timeout = '20s'");
      await hold.query(`select 1 from ${s}.documents where key = 'c' for update`);
      await other.query(`select 1 from ${s}.documents where key = 'b' for update`);
      // c goes first, alone, and waits for `hold`; a and b wait for it and then go together.
      const c = docs.commit('c', { version: 1, value: { n: 1 }, change: { set: { n: 1 } } });
      await sleep(100);
      const a = docs.commit('a', { version: 1, value: { n: 1 }, change: { set: { n: 1 } } });
      const b = docs.commit('b', { version: 1, value: { n: 1 }, change: { set: { n: 1 } } });
      await hold.query('commit');
      expect(await c).toBe(true);
      // The batch of a and b has locked a and waits for b: `other` now waits for a — a deadlock.
      const waiting = async () => (await sqlOnce<{ n: string }>(`select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%unnest($1::text[], $2::text[], $3::json[]%'`)).at(0)?.n === '1';
      for (let i = 0; i < 100 && !(await waiting()); i++) await sleep(20);
      const touched = other.query(`update ${s}.documents set updated_at = now() where key = 'a'`);
      await touched; // the store's statement was aborted, so `other` got a
      await other.query('commit');
      expect(await Promise.all([a, b])).toEqual([true, true]);
      for (const key of ['a', 'b', 'c']) expect(await docs.readVersioned(key)).toEqual({ value: { n: 1 }, version: 2 });
    } finally {
      await Promise.all([hold.end(), other.end()]);
      await store.close();
    }
  });

  it('plans range reads for their range: they are not sent as prepared statements', async () => {
    const sent: { text: string; name?: string }[] = [];
    const schema = freshSchema();
    const store = await open(schema, { onStatement: (text: string, _values: readonly unknown[], name?: string) => sent.push({ text, name }) });
    const log = store.log<{ at: string }>('ranges');
    await log.append({ at: '2026-01-01T00:00:00.000Z' });
    await log.between('2025-12-31T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
    for await (const page of log.newestFirst('2025-12-31T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 10)) void page;
    await store.close();
    const st = statements(schema);
    expect(sent.find((s) => s.text === st.append)?.name).toBe('yici_append');
    for (const text of [st.between, st.newestFirst]) {
      expect(sent.some((s) => s.text === text)).toBe(true);
      expect(sent.filter((s) => s.text === text && s.name !== undefined)).toEqual([]);
    }
  });

  describe('postgres store while the database is out of reach', () => {
    /** A TCP relay to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
    async function relay(): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void> }> {
      const target = new URL(TEST_DATABASE_URL);
      const sockets = new Set<Socket>();
      const server: Server = createServer((client) => {
        const upstream = createConnection(Number(target.port || 5432), target.hostname);
        for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
          sockets.add(a);
          a.pipe(b);
          a.on('error', () => b.destroy());
          a.on('close', () => (sockets.delete(a), b.destroy()));
        }
      });
      const listen = (port = 0) => new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
      const port = await listen();
      const url = new URL(TEST_DATABASE_URL);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return {
        url: url.href,
        cut: async () => {
          const closed = new Promise((resolve) => server.close(resolve));
          for (const s of sockets) s.destroy();
          await closed;
        },
        restore: async () => void (await listen(port)),
      };
    }

    it('rejects every call with StoreUnavailableError, says it is not writable, and recovers when the database is back', async () => {
      const link = await relay();
      const schema = freshSchema();
      const store = await createPostgresStore(link.url, { schema, poolSize: 2 });
      const docs = store.documents<string>('things');
      await docs.write('k', 'before');
      expect(await store.writable()).toBe(true);

      await link.cut();
      expect(await store.writable()).toBe(false);
      const calls: [string, () => Promise<unknown>][] = [
        ['write', () => docs.write('k', 'during')],
        ['read', () => docs.read('k')],
        ['delete', () => docs.delete('k')],
        ['append', () => store.log('events').append({ at: '2026-03-01T00:00:00.000Z' })],
        ['recent', () => store.log('events').recent(5)],
        ['between', () => store.log('events').between('2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z')],
        ['lease', () => store.lease('sweep', 'one', 1000)],
        ['exclusive', () => store.exclusive('n', async () => 'ran')],
      ];
      for (const [name, call] of calls) {
        const err = await call().then(() => null, (e: unknown) => e);
        expect(err, name).toBeInstanceOf(StoreUnavailableError);
        expect((err as Error).message, name).toMatch(/^存储不可用/);
      }
      // Reads asked for together go in batches: each read of a failed batch fails, none hangs.
      const together = await Promise.all(Array.from({ length: 6 }, () => store.readTogether([{ collection: 'things', key: 'k' }]).then(() => null, (e: unknown) => e)));
      together.forEach((err) => expect(err).toBeInstanceOf(StoreUnavailableError));
      await expect(createPostgresStore(link.url, { schema })).rejects.toBeInstanceOf(StoreUnavailableError);

      await link.restore();
      expect(await store.writable()).toBe(true);
      expect(await docs.read('k')).toBe('before'); // the write made while it was down did not happen
      expect(await Promise.all(Array.from({ length: 6 }, () => store.readTogether([{ collection: 'things', key: 'k' }])))).toEqual(Array.from({ length: 6 }, () => [{ value: 'before', version: 1 }]));
      await docs.write('k', 'after');
      expect(await docs.read('k')).toBe('after');
      await store.close();
      await link.cut();
    });
  });
});
