/**
 * The store a deployment configured: PostgreSQL when DATABASE_URL is set (several instances share
 * it), otherwise the embedded lowdb files under DATA_DIR (one instance).
 */
import type { Config } from '../config.js';
import { StartupError } from '../server/startup-error.js';
import { createLowdbStore } from '../storage/lowdb-store.js';
import type { Store } from '../storage/ports.js';

export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Store> {
  if (!config.databaseUrl) return createLowdbStore(config.dataDir);
  try {
    // pg is imported only when a database is configured (start-up time of the one-instance setup).
    const { createPostgresStore } = await import('../storage/postgres-store.js');
    return await createPostgresStore(config.databaseUrl);
  } catch (err) {
    const shown = new URL(config.databaseUrl);
    if (shown.password) shown.password = '***';
    throw new StartupError(`无法打开 PostgreSQL 数据库 ${shown.href}：${(err as Error).message}。请检查 DATABASE_URL，以及数据库是否在运行、账号能否登录。`);
  }
}
