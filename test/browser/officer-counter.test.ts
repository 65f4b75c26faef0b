/**
 * Issue 13 items 2, 3 and 6 on the officer console in Chromium: 转办 picks from the counter
 * departments and ends without an error box or a stale card; the receiving officer sees the note;
 * the case's history shows who did what with the notes; statuses in Chinese and who holds a case;
 * a second tab follows; desktop notifications and the unread count in the title; the case's
 * buttons in view at 1280×860; the admin warned of a department nobody serves.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { available, launchChromium } from './chromium.js';

const PASSWORD = 'Window-Desk-2026';
/** Two cores shared with other work: give the page time. */
const SOON = { timeout: 15_000 };
let running: RunningServer;
let browser: Browser;

/** A console page, signed in, at the size of the screen; any alert() fails the test. */
async function console_(username: string, password = PASSWORD, init?: string): Promise<{ page: Page; dialogs: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  if (init) await context.addInitScript(init);
  const res = await context.request.post(`${running.url}/api/auth/login`, { data: { username, password }, headers: { origin: running.url } });
  expect(res.status()).toBe(200);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${running.url}/officer`);
  await page.locator('#desk').waitFor();
  await expect.poll(() => page.locator('#live').textContent(), SOON).toContain('实时连接正常');
  return { page, dialogs };
}

async function citizen(...texts: string[]): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(running.url);
  for (const t of texts) {
    const before = await page.locator('.msg').count();
    await page.fill('#input', t);
    await page.press('#input', 'Enter');
    await expect.poll(() => page.locator('.msg').count(), SOON).toBeGreaterThan(before);
  }
  return page;
}

const queueItem = (page: Page, text: string) => page.locator('#queue li button', { hasText: text });

describe.skipIf(!available)('the officer console at the counter', () => {
  beforeAll(async () => {
    running = await startServer(
      readConfig({ PORT: '0', DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-counter-')), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always' }),
      silentLogger,
      { print: () => {} },
    );
    await running.accounts.create({ username: 'shichang', password: PASSWORD, role: 'officer', displayName: '市场小李', departments: ['市场监管'] });
    await running.accounts.create({ username: 'zonghe', password: PASSWORD, role: 'officer', displayName: '综合小王', departments: ['综合窗口'] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('transfers from the list without an error box, the receiver sees the note, the history shows who did what', async () => {
    const market = await console_('shichang');
    const general = await console_('zonghe');
    const admin = await console_('chief', 'Strong-pass-2026');
    const person = await citizen('注册有限公司要什么材料', '转人工');
    await queueItem(market.page, '公司').first().click();
    await market.page.locator('button.primary', { hasText: '接单' }).click();
    await expect.poll(() => market.page.locator('#case-title').textContent(), SOON).toContain('处理中 · 由我处理');
    // The admin sees who holds it, by name.
    await queueItem(admin.page, '公司').first().click();
    await expect.poll(() => admin.page.locator('#case-title').textContent(), SOON).toContain('由 市场小李 处理');

    // A long conversation: the case's buttons stay in view at 1280×860.
    for (let i = 1; i <= 12; i++) {
      await person.fill('#input', `第${i}个问题：材料要复印几份？`);
      await person.press('#input', 'Enter');
    }
    await expect.poll(() => market.page.locator('#transcript .m.user').count(), SOON).toBeGreaterThanOrEqual(13);
    for (const name of ['交还小助手', '结束服务', '转办']) {
      const box = await market.page.locator('.case-actions button', { hasText: name }).boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.y + box!.height, `${name} within the window`).toBeLessThanOrEqual(860);
    }
    const send = await market.page.locator('#send-reply').boundingBox();
    expect(send!.y + send!.height).toBeLessThanOrEqual(860);

    // 转办 offers the counter departments; one nobody serves cannot be picked.
    const options = await market.page.locator('#transfer-to option').evaluateAll((os) => os.map((o) => ({ text: o.textContent, disabled: (o as HTMLOptionElement).disabled })));
    expect(options).toEqual(expect.arrayContaining([{ text: '综合窗口', disabled: false }, { text: '民政（暂无工作人员）', disabled: true }]));
    expect(options.map((o) => o.text)).not.toContain('市场监管');
    await market.page.selectOption('#transfer-to', '综合窗口');
    await market.page.fill('#case-note', '群众还要问婚姻登记，请综合窗口接手');
    await market.page.locator('.case-actions button', { hasText: '转办' }).click();
    await expect.poll(() => market.page.locator('#case-notice').textContent(), SOON).toContain('已转给「综合窗口」');
    await expect.poll(() => queueItem(market.page, '公司').count(), SOON).toBe(0);
    expect(market.dialogs).toEqual([]);

    // The receiving officer: the note on the card, and the history.
    await queueItem(general.page, '公司').first().click();
    await expect.poll(() => general.page.locator('#transfer-note').textContent(), SOON).toContain('市场小李 转来：群众还要问婚姻登记，请综合窗口接手');
    const history = general.page.locator('#case-history');
    await expect.poll(() => history.textContent(), SOON).toContain('市场小李 转办到「综合窗口」');
    await general.page.locator('button.primary', { hasText: '接单' }).click();
    await general.page.locator('#case-note').waitFor();
    await general.page.fill('#case-note', '已告知去民政窗口办理');
    await general.page.locator('.case-actions button', { hasText: '结束服务' }).click();
    await expect.poll(() => general.page.locator('#case-title').textContent(), SOON).toContain('（已结束）');
    await expect.poll(() => history.textContent(), SOON).toContain('综合小王 结束服务');
    expect(await history.textContent()).toContain('备注：已告知去民政窗口办理');
    expect(await general.page.locator('#case').textContent()).not.toMatch(/resolved|claimed|queued/);
    expect(general.dialogs).toEqual([]);
  }, 90_000); // many page loads: a loaded CI machine needs more than 30 s

  it('a second tab of the same officer follows the case', async () => {
    const one = await console_('zonghe');
    const two = await console_('zonghe');
    await citizen('转人工');
    for (const tab of [one, two]) await queueItem(tab.page, '未识别的事项').first().click();
    await expect.poll(() => two.page.locator('#case-title').textContent(), SOON).toContain('排队中');
    await one.page.locator('button.primary', { hasText: '接单' }).click();
    await expect.poll(() => two.page.locator('#case-title').textContent(), SOON).toContain('处理中 · 由我处理');
    await one.page.locator('.case-actions button', { hasText: '交还小助手' }).click();
  }, 90_000); // many page loads: a loaded CI machine needs more than 30 s

  it('keeps what the officer typed while the open case is being reloaded', async () => {
    const { page } = await console_('zonghe');
    await citizen('转人工');
    await queueItem(page, '未识别的事项').first().click();
    await page.locator('button.primary', { hasText: '接单' }).click();
    await page.locator('#case-note').waitFor(SOON);
    await expect.poll(() => page.locator('#case-title').textContent(), SOON).toContain('由我处理');
    await page.waitForTimeout(500); // the loads the claim started are over
    // The next load of the case is slow; the officer types in the meantime.
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let asked = 0;
    await page.route('**/api/officer/conversations/*', async (route) => {
      if (route.request().method() === 'GET') {
        asked++;
        await held;
      }
      await route.continue();
    });
    await queueItem(page, '未识别的事项').first().click();
    await expect.poll(() => asked, SOON).toBeGreaterThanOrEqual(1);
    await page.fill('#case-note', '已电话告知所需材料');
    await page.fill('#reply-text', '您好，请稍等');
    const loaded = page.waitForResponse((r) => r.url().includes('/api/officer/conversations/') && r.request().method() === 'GET');
    release();
    await loaded;
    await page.unroute('**/api/officer/conversations/*');
    await page.waitForTimeout(500); // the card is redrawn right after the response
    expect(await page.locator('#case-note').inputValue()).toBe('已电话告知所需材料');
    expect(await page.locator('#reply-text').inputValue()).toBe('您好，请稍等');
    await page.locator('.case-actions button', { hasText: '交还小助手' }).click();
  }, 90_000); // many page loads: a loaded CI machine needs more than 30 s

  it('offers desktop notifications on a click and keeps the unread count in the title until seen', async () => {
    // A stand-in for the browser's notifications; the page is in the background.
    const stub = `
      window.__notes = [];
      window.Notification = class { static permission = 'default';
        static async requestPermission() { window.Notification.permission = 'granted'; return 'granted'; }
        constructor(title, o) { window.__notes.push(title + '｜' + (o && o.body)); } addEventListener() {} close() {} };
      document.hasFocus = () => false;`;
    const { page } = await console_('zonghe', PASSWORD, stub);
    const toggle = page.locator('#notify-toggle');
    expect(await toggle.textContent()).toBe('开启桌面通知和提示音');
    await toggle.click();
    await expect.poll(() => toggle.textContent(), SOON).toBe('桌面通知已开启');
    await citizen('转人工');
    await expect.poll(() => page.evaluate(() => (window as unknown as { __notes: string[] }).__notes), SOON).toEqual(['新的转人工｜部门：综合窗口']);
    await expect.poll(() => page.title(), SOON).toMatch(/^（1）新的转人工/);
    await page.waitForTimeout(4500);
    expect(await page.title()).toMatch(/^（1）/);
    await page.mouse.click(5, 500);
    await expect.poll(() => page.title(), SOON).toBe('一次 · 工作人员工作台');
  }, 90_000); // many page loads: a loaded CI machine needs more than 30 s

  it('warns the admin when a case arrives for a department nobody serves', async () => {
    await citizen('结婚登记要带什么', '转人工');
    const { page } = await console_('chief', 'Strong-pass-2026');
    await expect.poll(() => page.locator('#dept-warning').isVisible(), SOON).toBe(true);
    expect(await page.locator('#dept-warning').textContent()).toContain('没有工作人员负责：民政');
  }, 90_000); // many page loads: a loaded CI machine needs more than 30 s
});
