/**
 * The chat page in real headless Chromium (Debian's chromium, driven by playwright-core):
 * a walkthrough completed by clicking, the printable checklist, 大字模式, and an axe-core scan.
 * Skipped only when Chromium is not installed and this is not CI; .ci/run installs it.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { available, launchChromium, walkToChecklist } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let running: RunningServer;
let browser: Browser;

describe.skipIf(!available)('chat page in Chromium', () => {
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-browser-'));
    running = await startServer(readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), silentLogger);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  const axe = async (page: Page) => {
    // Evaluated through the debugger, not as a <script>: the pages allow no inline script (CSP).
    await page.evaluate(readFileSync(axePath, 'utf8'));
    const result = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run();
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, count: v.nodes.length }));
    });
    return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  };

  it('completes the small-shop walkthrough by clicking and opens the printable checklist', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(running.url);
    await walkToChecklist(page, '我想在镇上开个小卖部，还想卖烟');
    const card = page.locator('.card.checklist');
    await expect.poll(() => card.count()).toBe(1);
    const items = await card.locator('li').allTextContents();
    expect(items.length).toBeGreaterThan(2);
    const href = await card.locator('a.open').getAttribute('href');
    expect(href).toMatch(/^\/checklist\/[a-z0-9]+$/);

    const list = await browser.newPage();
    await list.goto(running.url + href!);
    await expect.poll(() => list.locator('h1').textContent()).toContain('开办小商店');
    const rows = await list.locator('section[aria-labelledby="materials"] li').count(); // to bring, and folded: not to bring
    expect(rows).toBeGreaterThanOrEqual(items.length);
    expect(await list.locator('.qr svg').count()).toBe(1);
    expect(await axe(list)).toEqual([]);
    await list.close();
    await page.close();
  });

  it('toggles 大字模式 and keeps it across a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(running.url);
    const toggle = page.locator('#large');
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    expect(await page.evaluate(() => document.body.classList.contains('large'))).toBe(true);
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    const size = await page.evaluate(() => getComputedStyle(document.body).fontSize);
    expect(parseFloat(size)).toBeGreaterThanOrEqual(20);
    await page.reload();
    expect(await page.evaluate(() => document.body.classList.contains('large'))).toBe(true);
    await page.close();
  });

  it('has no serious or critical accessibility violations, in normal and 大字模式', async () => {
    const page = await browser.newPage();
    await page.goto(running.url);
    await page.fill('#input', '个体户营业执照怎么办');
    await page.press('#input', 'Enter');
    await page.locator('.card').first().waitFor();
    expect(await axe(page)).toEqual([]);
    await page.click('#large');
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it('takes 「流程走不通」 with a reason, and the end-of-conversation rating', async () => {
    const page = await browser.newPage();
    await page.goto(running.url);
    await page.fill('#input', '个体户营业执照要多少钱');
    await page.press('#input', 'Enter');
    await page.locator('.feedback').first().waitFor();
    await page.locator('.fb', { hasText: '流程走不通' }).first().click();
    await page.selectOption('.stuck select', 'form_unclear');
    await page.fill('.stuck input', '申请书不会填');
    await page.locator('.stuck .fb', { hasText: '提交' }).click();
    await expect.poll(() => page.locator('.stuck .thanks').textContent()).toContain('已记下');
    await page.click('#rate');
    await page.locator('.rating .choice', { hasText: '好' }).click();
    await expect.poll(() => page.locator('.rating .thanks').textContent()).toContain('谢谢您的评价');
    const reports = await running.store.log<{ reason: string; text: string }>('process-reports').recent(5);
    expect(reports[0]).toMatchObject({ reason: 'form_unclear', text: '申请书不会填' });
    expect((await running.store.log<{ rating: string }>('ratings').recent(5))[0]?.rating).toBe('good');
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it('keeps its random id and the issued key across a reload, and starts afresh when the key is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(running.url);
    await page.fill('#input', '个体户营业执照怎么办');
    await page.press('#input', 'Enter');
    await page.locator('.card').first().waitFor();
    const stored = () => page.evaluate(() => JSON.parse(localStorage.getItem('yici.conversation') ?? 'null') as { id: string; key: string } | null);
    await expect.poll(stored).not.toBeNull();
    const { id, key } = (await stored())!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(key.length).toBeGreaterThanOrEqual(22);
    // The transcript is the page's alone: without the key the route refuses it.
    expect((await fetch(`${running.url}/api/chat/${id}/messages`)).status).toBe(403);

    await page.reload();
    // The catch-up (which needs the key) shows the conversation again, under the same id.
    await expect.poll(() => page.locator('.msg.user').count(), { timeout: 5000 }).toBe(1);
    await page.locator('.card').first().waitFor();
    expect((await stored())?.id).toBe(id);

    // A key the server does not accept: the page starts a new conversation instead of failing forever.
    await page.evaluate((c) => localStorage.setItem('yici.conversation', JSON.stringify(c)), { id, key: `${key.slice(0, -2)}xx` });
    await page.reload();
    await expect.poll(() => page.locator('.msg.error').textContent(), { timeout: 5000 }).toContain('已为您开始新的对话');
    expect(await stored()).toBeNull();
    await page.fill('#input', '你好');
    await page.press('#input', 'Enter');
    await expect.poll(async () => (await stored())?.id, { timeout: 5000 }).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect((await stored())?.id).not.toBe(id);
    await context.close();
  });

  it('shows an answer from the REST fallback when the socket is unavailable', async () => {
    const page = await browser.newPage();
    await page.routeWebSocket(/\/api\/web\/socket/, (ws) => ws.close());
    await page.goto(running.url);
    await page.fill('#input', '个体户营业执照要多少钱');
    await page.press('#input', 'Enter');
    await page.locator('.card').first().waitFor();
    expect(await page.locator('.card h2').first().textContent()).toMatch(/个体/);
    expect(await page.locator('.msg.user').count()).toBe(1); // shown once, not again by a catch-up
    await page.close();
  });

  it('presses a button clicked while the last message is being answered once the answer is in, instead of dropping it', async () => {
    const page = await browser.newPage();
    await page.routeWebSocket(/\/api\/web\/socket/, (ws) => ws.close());
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let posts = 0;
    await page.route('**/api/chat', async (route) => {
      if (route.request().method() === 'POST' && posts++ === 0) await held;
      await route.continue();
    });
    await page.goto(running.url);
    await page.fill('#input', '个体户营业执照要多少钱');
    await page.press('#input', 'Enter');
    await page.locator('.msg.bot .choice', { hasText: '新生儿怎么上户口' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('回复后自动发出');
    expect(await page.locator('.msg.user').count()).toBe(1);
    release();
    await expect.poll(() => page.locator('.msg.user').count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => page.locator('.msg.bot').count(), { timeout: 10_000 }).toBe(3);
    expect(await page.locator('.msg.user').nth(1).textContent()).toContain('新生儿怎么上户口');
    expect(await page.locator('#status').textContent()).toBe('');
    await page.close();
  });

  it('starts a new conversation without the 「连接已断开」 notice: the socket is closed on purpose', async () => {
    const page = await browser.newPage();
    let sockets = 0;
    page.on('websocket', () => { sockets++; });
    await page.goto(running.url);
    await page.fill('#input', '个体户营业执照要多少钱');
    await page.press('#input', 'Enter');
    await page.locator('.card').first().waitFor();
    // Every text #status ever shows, however briefly.
    await page.evaluate(() => {
      const w = window as unknown as { statusLog: string[] };
      w.statusLog = [];
      new MutationObserver(() => w.statusLog.push(document.getElementById('status')!.textContent ?? '')).observe(document.getElementById('status')!, { childList: true, characterData: true, subtree: true });
    });
    const before = sockets;
    await page.click('#restart');
    await expect.poll(() => sockets, { timeout: 10_000 }).toBeGreaterThan(before);
    await page.waitForTimeout(1500); // longer than the first reconnect delay of a real outage
    expect(await page.evaluate(() => (window as unknown as { statusLog: string[] }).statusLog)).not.toContainEqual(expect.stringContaining('断开'));
    expect(await page.locator('#status').textContent()).toBe('');
    // The new conversation works over the new socket.
    await page.fill('#input', '新生儿怎么上户口');
    await page.press('#input', 'Enter');
    await page.locator('.card').first().waitFor();
    await page.close();
  });

  it('says so when a pasted message is longer than 500 characters, and keeps the text instead of cutting it', async () => {
    const page = await browser.newPage();
    await page.goto(running.url);
    const long = '我想在镇上开一家小卖部，卖些零食饮料和日用品，请问要办哪些证件，去哪里办，要多久。'.repeat(80).slice(0, 3000);
    await page.focus('#input');
    await page.keyboard.insertText(long); // like a paste: a maxlength would cut it here without a word
    expect((await page.inputValue('#input')).length).toBe(3000);
    await expect.poll(() => page.locator('#count').textContent()).toContain('消息最多 500 字，现在有 3000 字，超出 2500 字');
    expect(await page.getAttribute('#input', 'aria-invalid')).toBe('true');
    await page.press('#input', 'Enter');
    await page.waitForTimeout(300);
    expect(await page.locator('.msg.user').count()).toBe(0); // refused, not sent cut short
    expect((await page.inputValue('#input')).length).toBe(3000);
    // Shortened to the limit it goes, and the note goes away.
    await page.fill('#input', long.slice(0, 500));
    await expect.poll(() => page.locator('#count').textContent()).toBe('500/500 字');
    await page.press('#input', 'Enter');
    await expect.poll(() => page.locator('.msg.user').count()).toBe(1);
    expect(await page.locator('#count').textContent()).toBe('');
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it('offers the most asked 一件事 first in 「我能问什么」', async () => {
    const page = await browser.newPage();
    await page.goto(running.url);
    await page.fill('#input', '我能问什么');
    await page.press('#input', 'Enter');
    const menu = page.locator('.msg.bot .choices').last();
    await expect.poll(() => menu.locator('.choice').count(), { timeout: 5000 }).toBeGreaterThanOrEqual(6);
    expect((await menu.locator('.choice').allTextContents()).slice(0, 4)).toEqual(['新生儿出生一件事', '开办小商店一件事', '开办餐饮店一件事', '社会保障卡居民服务一件事']);
    await page.close();
  });

  it('keeps 「流程走不通？」 available after 「没看懂」: the two are separate feedback', async () => {
    const page = await browser.newPage();
    await page.goto(running.url);
    await page.fill('#input', '个体户营业执照要多少钱');
    await page.press('#input', 'Enter');
    const bar = page.locator('.feedback').first();
    await bar.waitFor();
    await bar.locator('.fb', { hasText: '没看懂' }).click();
    await expect.poll(() => bar.locator('.thanks').textContent()).toContain('谢谢您的反馈');
    expect(await bar.locator('.fb', { hasText: '有帮助' }).isDisabled()).toBe(true);
    const stuck = bar.locator('.fb', { hasText: '流程走不通' });
    expect(await stuck.isDisabled()).toBe(false);
    await stuck.click();
    await page.locator('.stuck select').waitFor();
    await page.locator('.stuck .fb', { hasText: '提交' }).click();
    await expect.poll(() => page.locator('.stuck .thanks').textContent()).toContain('已记下');
    await page.close();
  });
  it('keeps the box closed until the page script runs, so nothing typed before it is lost', async () => {
    const page = await browser.newPage();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/chat.js', async (route) => {
      await held;
      await route.continue();
    });
    // A module script holds DOMContentLoaded back: wait only for the box itself.
    await page.goto(running.url, { waitUntil: 'commit' });
    await page.locator('#input').waitFor({ state: 'attached' });
    expect(await page.locator('#input').isDisabled()).toBe(true);
    expect(await page.locator('#send').isDisabled()).toBe(true);
    release();
    await expect.poll(() => page.locator('#input').isDisabled()).toBe(false);
    expect(await page.locator('#input').getAttribute('placeholder')).toBe('您要办什么事？');
    await page.close();
  });

  it('sends a message typed while the last one is being answered after that answer, in order, instead of dropping it', async () => {
    const context = await browser.newContext();
    // No socket, so the answers come over REST, where the first can be held back.
    await context.addInitScript(() => {
      (window as unknown as { WebSocket: unknown }).WebSocket = class {
        constructor() {
          throw new Error('no socket in this test');
        }
      };
    });
    const page = await context.newPage();
    let posts = 0;
    await page.route('**/api/chat', async (route) => {
      if (route.request().method() === 'POST' && ++posts === 1) await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.goto(running.url);
    await page.fill('#input', '营业执照怎么办');
    await page.press('#input', 'Enter');
    await page.fill('#input', '要多少钱');
    await page.press('#input', 'Enter');
    // Held in the box, with a word on why, while the first is answered.
    expect(await page.locator('#input').inputValue()).toBe('要多少钱');
    expect(await page.locator('#status').textContent()).toContain('回复后自动发出');
    await expect.poll(() => page.locator('.msg.user').allTextContents(), { timeout: 15_000 }).toEqual(['营业执照怎么办', '要多少钱']);
    await expect.poll(() => page.locator('.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3); // welcome + two answers
    expect(posts).toBe(2);
    expect(await page.locator('#input').inputValue()).toBe('');
    expect(await page.locator('#status').textContent()).not.toContain('回复后自动发出');
    const order = await page.locator('.msg').evaluateAll((ms) => ms.map((m) => (m.classList.contains('user') ? 'user' : 'bot')));
    expect(order.slice(1).join(',')).toMatch(/^user,bot(,bot)*,user,bot/);
    await context.close();
  });
});
