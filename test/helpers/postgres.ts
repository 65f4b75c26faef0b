/**
 * PostgreSQL for the PostgreSQL store tests: whether it is reachable (TEST_DATABASE_URL, or the
 * local server with trust authentication), and stores on fresh, randomly named schemas.
 * When it is not reachable the tests are skipped, and this says so once per test file.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Store } from '../../src/storage/ports.js';
import { createPostgresStore } from '../../src/storage/postgres-store.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresAvailable = await reachable();
if (!postgresAvailable) {
  const shown = new URL(TEST_DATABASE_URL);
  if (shown.password) shown.password = '***';
  console.warn(`PostgreSQL not reachable at ${shown.href}: the PostgreSQL store tests are SKIPPED (set TEST_DATABASE_URL to run them).`);
}

const schemas = new Set<string>();

/** A new schema name, dropped by dropTestSchemas. */
export function freshSchema(): string {
  const schema = `yici_test_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  return schema;
}

export const freshPostgresStore = (): Promise<Store> => createPostgresStore(TEST_DATABASE_URL, { schema: freshSchema(), poolSize: 4 });

/** Runs `sql` once on the test database. */
export async function sqlOnce<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client(TEST_DATABASE_URL);
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Drops every schema freshSchema made (for afterAll). */
export async function dropTestSchemas(): Promise<void> {
  if (!postgresAvailable || schemas.size === 0) return;
  await sqlOnce(`drop schema if exists ${[...schemas].map((s) => pg.escapeIdentifier(s)).join(', ')} cascade`);
  schemas.clear();
}
