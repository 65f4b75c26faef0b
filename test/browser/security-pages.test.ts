/**
 * Issue 11, findings 5 and 8, in real Chromium: every page works under the Content-Security-Policy
 * (no violation is reported while it is used), and nothing is fetched from another origin — in
 * particular the officer console outside Teams never loads teams-js (which would ask Microsoft's
 * CDN for its domain list).
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { available, launchChromium, walkToChecklist } from './chromium.js';

/** A government portal on another origin (another port) that embeds the chat with embed.js. */
let portal: Server;
let PORTAL = '';

let running: RunningServer;
let browser: Browser;

interface Watched {
  context: BrowserContext;
  /** Every URL any frame of the context asked for, websockets included. */
  requests: string[];
  /** CSP violations reported by any frame: "directive blocked-uri". */
  violations: () => Promise<string[]>;
}

/** A browser context that records requests and CSP violations, and replaces window.print. */
async function watched(): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  context.on('page', (p) => p.on('websocket', (ws) => requests.push(ws.url())));
  const reported: string[] = [];
  await context.exposeBinding('__cspViolation', (_source, text: string) => void reported.push(text));
  await context.addInitScript(() => {
    const w = window as unknown as { __cspViolation(t: string): void; __printed: number };
    document.addEventListener('securitypolicyviolation', (e) => w.__cspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
    w.__printed = 0;
    window.print = () => void (w.__printed += 1);
  });
  return { context, requests, violations: async () => reported };
}

/** Requests to anywhere but this server (http or websocket) and the origins allowed. */
const foreign = (requests: string[], ...allowed: string[]) =>
  requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:') && new URL(u).host !== new URL(running.url).host && !allowed.some((a) => `${u}/`.startsWith(`${a}/`)));

describe.skipIf(!available)('pages under the Content-Security-Policy, in Chromium', () => {
  beforeAll(async () => {
    let yici = '';
    portal = createServer((_req, res) => res.setHeader('content-type', 'text/html; charset=utf-8').end(`<!doctype html><title>portal</title><script src="${yici}/embed.js" defer></script>`));
    await new Promise<void>((r) => portal.listen(0, '127.0.0.1', r));
    PORTAL = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-csp-'));
    running = await startServer(
      readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always', EMBED_ORIGINS: PORTAL }),
      silentLogger,
      { print: () => {} },
    );
    await running.accounts.create({ username: 'lihua', password: 'Window-Desk-2026', role: 'officer', displayName: '李' });
    await running.accounts.create({ username: 'editora', password: 'Editor-desk-2026', role: 'editor' });
    yici = running.url;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await new Promise((r) => portal?.close(r));
  });

  it('the chat page answers over its websocket, and the checklist page prints, with no violation', async () => {
    const w = await watched();
    const page = await w.context.newPage();
    await page.goto(running.url);
    await walkToChecklist(page, '我想在镇上开个小卖部，还想卖烟');
    const href = await page.locator('.card.checklist a.open').getAttribute('href');
    expect(w.requests.some((u) => u.startsWith('ws://'))).toBe(true);
    const list = await w.context.newPage();
    await list.goto(running.url + href!);
    await list.locator('[data-print]').click();
    await expect.poll(() => list.evaluate(() => (window as unknown as { __printed: number }).__printed)).toBe(1);
    expect(await w.violations()).toEqual([]);
    expect(foreign(w.requests)).toEqual([]);
    await w.context.close();
  });

  it('the officer console signs in and goes live without teams-js or any request elsewhere, at the top and in a foreign frame', async () => {
    const w = await watched();
    const page = await w.context.newPage();
    await page.goto(`${running.url}/officer`);
    await page.fill('#username', 'lihua');
    await page.fill('#password', 'Window-Desk-2026');
    await page.click('#login-form button[type=submit]');
    await page.locator('#desk').waitFor();
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 5000 }).toContain('实时连接正常');
    // Framed by a page that is not Teams (and not opened as the tab): still no teams-js.
    const host = await w.context.newPage();
    await host.goto(`${running.url}/api/health`);
    await host.setContent(`<iframe src="${running.url}/officer" style="width:1200px;height:800px"></iframe>`);
    await expect.poll(() => host.frameLocator('iframe').locator('#live').textContent(), { timeout: 10_000 }).toContain('实时连接正常');
    expect(w.requests.filter((u) => u.includes('teams-js'))).toEqual([]);
    expect(foreign(w.requests)).toEqual([]);
    expect(await w.violations()).toEqual([]);
    await w.context.close();
  });

  it('the editor draws the dashboard (ECharts) and reads YAML (the yaml module) with no violation', async () => {
    const w = await watched();
    const page = await w.context.newPage();
    await page.goto(`${running.url}/editor`);
    await page.fill('#username', 'editora');
    await page.fill('#password', 'Editor-desk-2026');
    await page.click('#login-form button[type=submit]');
    await page.locator('#app').waitFor();
    await page.fill('#search', '身份证');
    await page.locator('#entry-list button').first().click();
    await page.locator('#editor details summary').click();
    await expect.poll(() => page.locator('#raw').inputValue()).toMatch(/^id: item-/m);
    await page.click('[data-tab=dashboard]');
    await expect.poll(() => page.locator('#chart-days canvas').count(), { timeout: 5000 }).toBeGreaterThan(0);
    await page.locator('#tab-dashboard [data-print]').click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __printed: number }).__printed)).toBe(1);
    expect(await w.violations()).toEqual([]);
    expect(foreign(w.requests)).toEqual([]);
    await w.context.close();
  });

  it('the admin page lists accounts with no violation', async () => {
    const w = await watched();
    const page = await w.context.newPage();
    await page.goto(`${running.url}/officer`);
    await page.fill('#username', 'chief');
    await page.fill('#password', 'Strong-pass-2026');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/auth/login') && r.ok()), page.click('#login-form button[type=submit]')]);
    await page.goto(`${running.url}/admin`);
    await expect.poll(() => page.locator('#users tr').count(), { timeout: 5000 }).toBeGreaterThan(1);
    expect(await w.violations()).toEqual([]);
    expect(foreign(w.requests)).toEqual([]);
    await w.context.close();
  });

  it('embed.js on a portal named in EMBED_ORIGINS opens the chat in its frame; the chat inside calls only its own site', async () => {
    const w = await watched();
    const page = await w.context.newPage();
    await page.goto(`${PORTAL}/`);
    await page.locator('.yici-launch').click();
    const chat = page.frameLocator('.yici-frame');
    await chat.locator('#input').fill('营业执照怎么办');
    await chat.locator('#input').press('Enter');
    await expect.poll(() => chat.locator('.msg').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    expect(foreign(w.requests, PORTAL)).toEqual([]);
    expect(await w.violations()).toEqual([]);
    await w.context.close();
  });
});
