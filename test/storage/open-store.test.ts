/** The configured store: lowdb files without DATABASE_URL (as before issue 14), PostgreSQL with it. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/adapters/open-store.js';
import { StartupError } from '../../src/server/startup-error.js';

describe('openStore', () => {
  it('opens the embedded lowdb store under DATA_DIR when DATABASE_URL is not set', async () => {
    const store = await openStore({ dataDir: await mkdtemp(join(tmpdir(), 'yici-open-')) });
    expect(store.kind).toBe('lowdb');
    expect(await store.writable()).toBe(true);
    await store.close();
  });

  it('opens PostgreSQL when DATABASE_URL is set, and stops the start plainly when it cannot, never showing the password', async () => {
    const failed = await openStore({ dataDir: 'unused', databaseUrl: 'postgres://yici:Secret-2026@127.0.0.1:1/yici' }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(StartupError);
    expect((failed as Error).message).toMatch(/^无法打开 PostgreSQL 数据库 postgres:\/\/yici:\*\*\*@127\.0\.0\.1:1\/yici：存储不可用.*请检查 DATABASE_URL/);
    expect((failed as Error).message).not.toMatch(/Secret/);
  });
});
