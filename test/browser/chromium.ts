/** Debian's Chromium for the browser tests: whether it is there, and one way to launch it. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium`);

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });

/**
 * Types a message into the chat page and waits for the bot's reply to it. The reply must be on
 * the page before the next click: a choice clicked while a reply is pending is ignored by the page
 * (one message at a time), and on a slow machine the reply can take seconds.
 */
export async function ask(page: Page, text: string): Promise<void> {
  const before = await page.locator('.msg.bot').count();
  await page.fill('#input', text);
  await page.press('#input', 'Enter');
  await page.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n, before);
}

/** Answers each walkthrough question with its first option until the checklist card appears. */
export async function walkToChecklist(page: Page, question: string): Promise<void> {
  await ask(page, question);
  for (let i = 0; i < 8; i++) {
    if ((await page.locator('.card.checklist').count()) > 0) return;
    const group = page.locator('.msg.bot').last().locator('.choices');
    await group.waitFor();
    const before = await page.locator('.msg.bot').count();
    await group.locator('.choice').first().click();
    await page.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n, before);
  }
}
