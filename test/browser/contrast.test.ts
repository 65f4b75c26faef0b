/**
 * Issue 13 item 1: the officer console's main buttons (接单, 发送, 结束服务 …) were white on white.
 * Every visible button of every page, signed in, passes our own contrast check (contrast.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { available, launchChromium } from './chromium.js';
import { lowContrastButtons } from './contrast.js';

let running: RunningServer;
let browser: Browser;

const signedIn = async (username: string, password: string): Promise<BrowserContext> => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const res = await context.request.post(`${running.url}/api/auth/login`, { data: { username, password }, headers: { origin: running.url } });
  expect(res.status()).toBe(200);
  return context;
};

describe.skipIf(!available)('button contrast on every page', () => {
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-contrast-'));
    running = await startServer(
      readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always' }),
      silentLogger,
      { print: () => {} },
    );
    await running.accounts.create({ username: 'wang', password: 'Window-Desk-2026', role: 'officer', displayName: '王' });
    await running.accounts.create({ username: 'zhao', password: 'Editor-Desk-2026', role: 'editor', displayName: '赵' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('the officer console: the queue, a case to claim, a claimed case', async () => {
    const citizen = await (await browser.newContext()).newPage();
    await citizen.goto(running.url);
    await citizen.fill('#input', '转人工');
    await citizen.press('#input', 'Enter');
    await expect.poll(() => citizen.locator('.handoff').count(), { timeout: 5000 }).toBeGreaterThan(0);
    expect(await lowContrastButtons(citizen)).toEqual([]);

    const officer = await (await signedIn('wang', 'Window-Desk-2026')).newPage();
    await officer.goto(`${running.url}/officer`);
    await officer.locator('#desk').waitFor();
    await officer.locator('#queue li button').first().click();
    const claim = officer.locator('button.primary', { hasText: '接单' });
    await claim.waitFor();
    expect(await lowContrastButtons(officer)).toEqual([]);
    await claim.click();
    await officer.locator('#send-reply').waitFor();
    await officer.locator('button.primary', { hasText: '结束服务' }).waitFor();
    expect(await lowContrastButtons(officer)).toEqual([]);
  });

  it('the editor and admin pages', async () => {
    const editor = await (await signedIn('zhao', 'Editor-Desk-2026')).newPage();
    await editor.goto(`${running.url}/editor`);
    await editor.locator('#app').waitFor();
    await editor.locator('#entry-list li').first().waitFor();
    expect(await lowContrastButtons(editor)).toEqual([]);
    const admin = await (await signedIn('chief', 'Strong-pass-2026')).newPage();
    await admin.goto(`${running.url}/admin`);
    await admin.locator('#admin').waitFor();
    await admin.locator('#users tr').first().waitFor();
    expect(await lowContrastButtons(admin)).toEqual([]);
    // The edit panel of one account: 保存修改, 设置新密码, 停用账号, 关闭; and 退出登录 in the header.
    await admin.locator('#users tr[data-user=wang] button').click();
    await admin.locator('#edit').waitFor();
    expect(await admin.locator('#sign-out').isVisible()).toBe(true);
    expect(await lowContrastButtons(admin)).toEqual([]);
  });
});
