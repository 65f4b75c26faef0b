/** Shared steps of the browser tests: an axe-core scan, and a browser context signed in through the API. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface Violation {
  id: string;
  impact: string;
  targets: string[];
}

/** axe-core's serious and critical violations on the page as it is now (evaluated, not injected: the pages allow no inline script). */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(readFileSync(axePath, 'utf8'));
  const result = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> } }).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A new context whose cookie jar holds a session of this account (signed in through POST /api/auth/login). */
export async function signedInContext(browser: Browser, baseUrl: string, username: string, password: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const res = await context.request.post(`${baseUrl}/api/auth/login`, { data: { username, password }, headers: { origin: baseUrl } });
  if (res.status() !== 200) throw new Error(`sign-in of ${username} failed: ${res.status()}`);
  return context;
}
