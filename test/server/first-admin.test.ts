/** The first admin account, made once even when two instances start together on one store. */
import { describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/auth/accounts.js';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { ensureFirstAdmin } from '../../src/server/first-admin.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { withLatency } from '../helpers/latency-store.js';

describe('the first admin', () => {
  it('is created by one of two instances starting at once, and neither start fails', async () => {
    const store = withLatency(createMemoryStore());
    const config = readConfig({ ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026' });
    const [a, b] = [createAccounts(store), createAccounts(store)];
    await expect(Promise.all([a, b].map((accounts) => ensureFirstAdmin(accounts, config, silentLogger, () => {})))).resolves.toBeDefined();
    expect((await a.list()).map((u) => [u.username, u.role])).toEqual([['chief', 'admin']]);
  });
});
