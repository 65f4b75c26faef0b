/**
 * The printable checklist on a phone (390×844, as a citizen at the counter holds it): a short list
 * of what to bring that fits a few screens, nothing squeezed to one character per line, the legal
 * basis once, the centre's address and hours, the conditions (the tobacco outlet-spacing rule for
 * a shop that sells cigarettes); printing unfolds everything.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import type { Reply } from '../../src/core/types.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { chatClient } from '../helpers/chat-client.js';
import { available, launchChromium } from './chromium.js';
import { seriousViolations } from './pages.js';

const PHONE = { width: 390, height: 844 };

let running: RunningServer;
let browser: Browser;

/** Walks a flow through the API, always picking the first answer, and returns the checklist's page. */
async function checklistUrl(sessionId: string, first: string): Promise<string> {
  const citizen = chatClient(() => running.url);
  let out = (await (await citizen.post({ sessionId, text: first })).json()) as { replies: Reply[] };
  for (let turn = 0; turn < 12; turn++) {
    const list = out.replies.find((r) => r.type === 'checklist');
    if (list?.type === 'checklist') return list.url;
    const q = out.replies.find((r) => r.type === 'choices');
    const answer = q?.type === 'choices' ? q.choices.find((c) => c.value.startsWith('flow:answer:')) : undefined;
    if (!answer) throw new Error(`turn ${turn}: no answer button`);
    out = (await (await citizen.post({ sessionId, choice: answer.value })).json()) as { replies: Reply[] };
  }
  throw new Error('no checklist after 12 turns');
}

const axe = seriousViolations;

describe.skipIf(!available)('the printable checklist on a phone', () => {
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-checklist-'));
    running = await startServer(readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), silentLogger);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('is a short list that fits a few screens, with every material on one readable line and the details folded', async () => {
    const url = await checklistUrl('checklist-phone-shop', '我想在镇上开个小卖部，还想卖烟，学校附近没有');
    const page = await browser.newPage({ viewport: PHONE });
    await page.goto(running.url + url);
    await page.locator('h1').waitFor();

    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    // Was 5,349 px (a five-column table, citations under every material, 19 sources in full).
    expect(height).toBeLessThanOrEqual(PHONE.height * 3.5);

    // Each thing to bring: the name is never squeezed to a character per line.
    const lines = page.locator('ol.bring > li');
    expect(await lines.count()).toBeGreaterThanOrEqual(3);
    const narrowest = await lines.evaluateAll((items) => Math.min(...items.map((li) => (li.querySelector('strong') as HTMLElement).getBoundingClientRect().width)));
    expect(narrowest).toBeGreaterThan(40);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // The legal basis once, folded; not under each material.
    expect(await page.locator('details summary', { hasText: '法律法规依据' }).count()).toBe(1);
    const citations = await page.locator('details', { hasText: '法律法规依据' }).locator('li').allTextContents();
    expect(citations.length).toBeGreaterThan(0);
    const bring = (await page.locator('ol.bring').allTextContents()).join('');
    for (const c of citations) expect(bring, c).not.toContain(c);

    // Where and when: the centre's address and hours; the conditions, with the outlet-spacing rule.
    const where = await page.locator('section[aria-labelledby="where"]').textContent();
    expect(where).toContain('梧州市政务服务中心');
    expect(where).toMatch(/办公时间：.*8:30/);
    const conditions = await page.locator('section[aria-labelledby="conditions"]').textContent();
    expect(conditions).toMatch(/零售点合理布局|距离/);
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it('unfolds everything for printing and folds it back afterwards', async () => {
    const url = await checklistUrl('checklist-print-shop', '我想在镇上开个小卖部，还想卖烟');
    const page = await browser.newPage({ viewport: PHONE });
    await page.goto(running.url + url);
    await page.locator('h1').waitFor();
    const closed = () => page.locator('details:not([open])').count();
    expect(await closed()).toBeGreaterThan(2);
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    expect(await closed()).toBe(0);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.actions').isVisible()).toBe(false);
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    expect(await closed()).toBeGreaterThan(2);
    await page.close();
  });
});
