/** The officer console as a Teams tab: framing and the session cookie, with and without Teams configured. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer } from '../../src/server/start-server.js';

const start = async (env: Record<string, string>) =>
  startServer(readConfig({ PORT: '0', DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-tab-')), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', ...env }), silentLogger, { print: () => {} });

const login = (url: string) => fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chief', password: 'Strong-pass-2026' }) });

describe('officer console as a Teams tab', () => {
  it('without Teams: the console cannot be framed by other sites and the cookie stays SameSite=Strict', async () => {
    const s = await start({});
    try {
      const page = await fetch(`${s.url}/officer`);
      expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'(;|$)/);
      expect(page.headers.get('content-security-policy')).not.toContain('teams.microsoft.com');
      expect((await login(s.url)).headers.get('set-cookie')).toMatch(/SameSite=Strict/);
      // teams-js is loaded by the console only when opened as the tab, never by the page itself.
      expect(await (await fetch(`${s.url}/officer`)).text()).not.toContain('teams-js');
      expect(await (await fetch(`${s.url}/officer.js`)).text()).toContain('/vendor/teams-js.min.js');
      expect((await fetch(`${s.url}/vendor/teams-js.min.js`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('with Teams and https: Teams may frame the console (only the console), and the cookie travels in its frame', async () => {
    const s = await start({ MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'x', PUBLIC_URL: 'https://yici.example.gov.cn' });
    try {
      const page = await fetch(`${s.url}/officer`);
      expect(page.headers.get('content-security-policy')).toContain('frame-ancestors');
      expect(page.headers.get('content-security-policy')).toContain('https://teams.microsoft.com');
      expect(page.headers.get('x-frame-options')).toBeNull();
      expect((await fetch(`${s.url}/editor`)).headers.get('x-frame-options')).toBe('SAMEORIGIN');
      const cookie = (await login(s.url)).headers.get('set-cookie')!;
      expect(cookie).toMatch(/SameSite=None/);
      expect(cookie).toMatch(/Secure/);
    } finally {
      await s.close();
    }
  });
});
