/** A citizen page and an officer console talking, in real Chromium. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { available, launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';


let running: RunningServer;
let browser: Browser;

describe.skipIf(!available)('citizen and officer in Chromium', () => {
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-officer-'));
    running = await startServer(
      readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always' }),
      silentLogger,
      { print: () => {} },
    );
    await running.accounts.create({ username: 'lihua', password: 'Window-Desk-2026', role: 'officer', displayName: '李' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('still signs in when framed by a host that is not Teams (teams-js gives up, nothing hangs)', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${running.url}/api/health`);
    await page.setContent(`<iframe src="${running.url}/officer?inTeams=1" style="width:1200px;height:800px"></iframe>`);
    const frame = page.frameLocator('iframe');
    await frame.locator('#username').waitFor({ timeout: 10_000 });
    await frame.locator('#username').fill('lihua');
    await frame.locator('#password').fill('Window-Desk-2026');
    await frame.locator('#login-form button[type=submit]').click();
    await frame.locator('#desk').waitFor({ timeout: 10_000 });
    await expect.poll(() => frame.locator('#who').textContent(), { timeout: 5000 }).toContain('绑定 Teams');
  });

  it('sees a new case at once, claims it, and the two talk live', async () => {
    const officer = await (await browser.newContext()).newPage();
    await officer.goto(`${running.url}/officer`);
    await officer.fill('#username', 'lihua');
    await officer.fill('#password', 'Window-Desk-2026');
    await officer.click('#login-form button[type=submit]');
    await officer.locator('#desk').waitFor({ timeout: 30_000 });
    await expect.poll(() => officer.locator('#live').textContent()).toContain('实时连接正常');

    const citizen = await (await browser.newContext()).newPage();
    await citizen.goto(running.url);
    await citizen.fill('#input', '转人工');
    await citizen.press('#input', 'Enter');
    await expect.poll(() => citizen.locator('.handoff').last().textContent()).toContain('已为您转接人工服务');

    // The case appears without reloading the console.
    const item = officer.locator('#queue li button').first();
    await expect.poll(() => item.count(), { timeout: 5000 }).toBe(1);
    await item.click();
    await officer.locator('button.primary', { hasText: '接单' }).click();
    await expect.poll(() => citizen.locator('.msg').last().textContent(), { timeout: 5000 }).toContain('工作人员 李 已接入');

    await officer.locator('#reply-text').fill('您好，我是李，请问要办什么？');
    await officer.click('#send-reply');
    await expect.poll(() => citizen.locator('.msg.officer').last().textContent(), { timeout: 5000 }).toContain('请问要办什么');

    await citizen.fill('#input', '我想开个小卖部');
    await citizen.press('#input', 'Enter');
    await expect.poll(() => officer.locator('#transcript .m.user').last().textContent(), { timeout: 5000 }).toContain('我想开个小卖部');

    // After a reload the citizen still sees the officer's message (catch-up through the transcript).
    await citizen.reload();
    await expect.poll(() => citizen.locator('.msg.officer').count(), { timeout: 5000 }).toBeGreaterThan(0);
  }, 90_000); // several page loads; one CI run under load took over 30 s
});
