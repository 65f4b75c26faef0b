/**
 * Issue 13 item 14, in the chat page: 「<bundle>要什么材料」 typed for every bundle starts that
 * bundle's walkthrough (its introduction appears), as 「<bundle>」 alone does — it used to be refused.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { available, launchChromium } from './chromium.js';

const root = resolve(import.meta.dirname, '../..');
let running: RunningServer;
let browser: Browser;

/** Each bundle's title (from the knowledge base) and its walkthrough's introduction (from flows/). */
function bundlesWithFlows(): { title: string; intro: string }[] {
  const titles = new Map<string, string>();
  for (const f of readdirSync(join(root, 'knowledge/bundles'))) {
    const e = parse(readFileSync(join(root, 'knowledge/bundles', f), 'utf8')) as { id: string; title: string };
    titles.set(e.id, e.title);
  }
  return readdirSync(join(root, 'flows'))
    .map((f) => parse(readFileSync(join(root, 'flows', f), 'utf8')) as { entry: string; intro: string })
    .filter((flow) => titles.has(flow.entry))
    .map((flow) => ({ title: titles.get(flow.entry)!, intro: flow.intro.trim() }));
}

describe.skipIf(!available)('every bundle asked 「…要什么材料」 in the chat page', () => {
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-phrasings-'));
    running = await startServer(
      readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_LIMIT_CHAT_PER_MINUTE: '10000', RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: '10000' }),
      silentLogger,
      { print: () => {} },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('starts the walkthrough of each one', async () => {
    const bundles = bundlesWithFlows();
    expect(bundles.length).toBeGreaterThan(10);
    const missed: string[] = [];
    for (const { title, intro } of bundles) {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(running.url);
      const question = `${title.replace(/一件事$/, '')}要什么材料`;
      const before = await page.locator('.msg').count();
      await page.fill('#input', question);
      await page.press('#input', 'Enter');
      await page.waitForFunction((n) => document.querySelectorAll('.msg').length > n + 1, before);
      // The first line of the introduction, as the page shows it.
      const firstLine = intro.split('\n')[0]!.slice(0, 20);
      const shown = await page
        .getByText(firstLine, { exact: false })
        .first()
        .waitFor({ timeout: 5000 })
        .then(() => true)
        .catch(() => false);
      if (!shown) missed.push(`${question}: ${(await page.locator('.msg').last().textContent())?.slice(0, 60)}`);
      await page.close();
    }
    expect(missed).toEqual([]);
  }, 120_000);
});
