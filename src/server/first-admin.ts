/**
 * The first admin account, when no account exists yet: from ADMIN_USERNAME / ADMIN_PASSWORD, or
 * with a generated password printed once.
 */
import { randomBytes } from 'node:crypto';
import { AccountError, type Accounts } from '../auth/accounts.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/logger.js';
import { StartupError } from './startup-error.js';

export async function ensureFirstAdmin(accounts: Accounts, config: Config, logger: Logger, print: (line: string) => void): Promise<void> {
  if ((await accounts.count()) > 0) return;
  const username = config.adminUsername ?? 'admin';
  const generated = !config.adminPassword;
  const password = config.adminPassword ?? `${randomBytes(12).toString('base64url')}-Yc1`;
  try {
    await accounts.create({ username, password, role: 'admin', displayName: '管理员' });
  } catch (err) {
    // Another instance starting on the same store made it first: there is a first admin.
    if (err instanceof AccountError && err.code === 'username_taken') return;
    throw new StartupError(`无法创建第一个管理员账号：${(err as Error).message}`);
  }
  logger.info('first_admin_created', { username, generatedPassword: generated });
  if (generated) print(`已创建管理员账号 ${username}，初始密码（只显示这一次，请立即登录后妥善保存）：${password}`);
}
