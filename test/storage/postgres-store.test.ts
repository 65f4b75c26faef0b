/**
 * The PostgreSQL store: the store contract, plus what only a store shared by several instances
 * has — exclusion between instances, migrations run once, an index for time ranges, and a clear
 * error while the database is out of reach. Skipped, with a notice, without PostgreSQL.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/storage/errors.js';
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
