/**
 * Issue 16 part 2: an API request is not first looked up as a file under public/ (express.static
 * stats a path for every request it sees); pages and their files are still served.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PUBLIC_DIR } from '../../src/server/create-app.js';
import { startTestApp } from '../helpers/test-app.js';

let app: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('API routes before static files', () => {
  it('answers /api requests without looking for a file, and still serves the pages', async () => {
    const stat = vi.spyOn(fs, 'stat');
    const underPublic = () => stat.mock.calls.filter(([p]) => String(p).startsWith(PUBLIC_DIR)).length;
    const chat = await fetch(`${app.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: 'files-first-check-0001', text: '身份证' }) });
    expect(chat.status).toBe(200);
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    expect((await fetch(`${app.url}/api/nothing-here`)).status).toBe(404);
    expect(underPublic()).toBe(0);
    const page = await fetch(`${app.url}/chat.js`);
    expect(page.status).toBe(200);
    expect(underPublic()).toBeGreaterThan(0); // the spy sees express.static's look-ups
    stat.mockRestore();
  });
});
