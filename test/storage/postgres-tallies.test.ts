/**
 * Tallies on PostgreSQL shared by two instances: adds racing from both are all counted, and the
 * totals are there for an instance started afterwards. Skipped without PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/storage/postgres-store.js';
import { dropTestSchemas, freshSchema, postgresAvailable, TEST_DATABASE_URL } from '../helpers/postgres.js';

afterAll(dropTestSchemas);

describe.skipIf(!postgresAvailable)('PostgreSQL tallies shared by two instances', () => {
  it('counts every add made by either instance at once, and keeps them for a restart', async () => {
    const schema = freshSchema();
    const open = () => createPostgresStore(TEST_DATABASE_URL, { schema, poolSize: 4 });
    const [one, two] = await Promise.all([open(), open()]);
    // Overlapping counters, in different orders, from both instances at once.
    const add = (i: number) =>
      (i % 2 === 0 ? one : two).tallies('dash').add(
        i % 3 === 0
          ? [{ bucket: 'd1', key: 'q', n: 1 }, { bucket: 'd1', key: 'e', n: 1 }, { bucket: 'd2', key: 'q', n: 1 }]
          : [{ bucket: 'd2', key: 'q', n: 1 }, { bucket: 'd1', key: 'e', n: 1 }, { bucket: 'd1', key: 'q', n: 1 }],
      );
    await Promise.all(Array.from({ length: 400 }, (_, i) => add(i)));
    await Promise.all([one.close(), two.close()]);
    const again = await open();
    const rows = await again.tallies('dash').read(['d1', 'd2']);
    expect(Object.fromEntries(rows.map((r) => [`${r.bucket}/${r.key}`, r.n]))).toEqual({ 'd1/q': 400, 'd1/e': 400, 'd2/q': 400 });
    await again.close();
  });
});
