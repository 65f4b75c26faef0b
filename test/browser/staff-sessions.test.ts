/**
 * Issue 13, items 4 and 12, in real Chromium: a staff page whose session ends — signed out in
 * another tab, the account disabled, any 401 — returns to its sign-in form and says why, instead
 * of failing silently; /admin has its own sign-in form, every staff page a 退出登录 button, and an
 * admin changes, disables and re-enables accounts and sets new passwords on the page.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { available, launchChromium } from './chromium.js';

const CHIEF = 'Strong-pass-2026';
const PASSWORD = 'Window-Desk-2026';
let running: RunningServer;
let browser: Browser;

/** Signs in on a page's own form (officer, editor and admin pages share the ids). */
const signIn = async (page: Page, path: string, username: string, password = PASSWORD) => {
  await page.goto(`${running.url}${path}`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-form button[type=submit]');
};
/** An admin's session outside the browser, for changes made "elsewhere". */
const adminCall = async (method: string, path: string, body?: unknown) => {
  const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chief', password: CHIEF }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(`${running.url}${path}`, { method, headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  expect(res.status, path).toBe(200);
};
const visible = (page: Page, selector: string) => page.locator(selector).isVisible();

// Several pages, sockets and sign-ins per test: on a loaded CI machine one test has taken over 30 s.
vi.setConfig({ testTimeout: 90_000 });

describe.skipIf(!available)('staff sessions in Chromium', () => {
  const contexts: BrowserContext[] = [];
  const context = async () => {
    const c = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    contexts.push(c);
    return c;
  };

  beforeAll(async () => {
    running = await startServer(
      readConfig({ PORT: '0', DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-staff-sessions-')), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: CHIEF, OFFICE_HOURS: 'always', RATE_LIMIT_LOGIN_PER_MINUTE: '1000' }),
      silentLogger,
      { print: () => {} },
    );
    for (const username of ['lihua', 'wangfang', 'zhaolei']) await running.accounts.create({ username, password: PASSWORD, role: 'officer', displayName: username });
    await running.accounts.create({ username: 'editora', password: PASSWORD, role: 'editor', displayName: '编辑甲' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await running?.close();
  });

  it('退出登录 in one officer tab returns the other tab to the sign-in form, its socket closed and its data gone', async () => {
    const c = await context();
    const a = await c.newPage();
    await signIn(a, '/officer', 'lihua');
    await expect.poll(() => a.locator('#live').textContent(), { timeout: 5000 }).toContain('实时连接正常');
    const b = await c.newPage();
    const sockets: { closed: boolean }[] = [];
    b.on('websocket', (ws) => {
      const s = { closed: false };
      sockets.push(s);
      ws.on('close', () => void (s.closed = true));
    });
    await b.goto(`${running.url}/officer`);
    await expect.poll(() => b.locator('#live').textContent(), { timeout: 5000 }).toContain('实时连接正常');
    expect(await visible(b, '#sign-out')).toBe(true);

    await a.click('#sign-out');
    await a.locator('#login').waitFor();
    expect(await visible(a, '#desk')).toBe(false);
    expect(await visible(a, '#sign-out')).toBe(false);

    await b.locator('#login').waitFor({ timeout: 5000 });
    expect(await b.locator('#login-error').textContent()).toMatch(/请重新登录/);
    expect(await visible(b, '#desk')).toBe(false);
    expect(await visible(b, '#sign-out')).toBe(false);
    expect(await b.locator('#queue li').count()).toBe(0);
    await expect.poll(() => sockets.every((s) => s.closed)).toBe(true);
    // No reconnecting in the background: after the 3 s a dropped socket waits, still none open.
    await b.waitForTimeout(3500);
    expect(sockets.filter((s) => !s.closed)).toEqual([]);

    // Signing in again in that tab brings the desk back, live.
    await b.fill('#username', 'lihua');
    await b.fill('#password', PASSWORD);
    await b.click('#login-form button[type=submit]');
    await b.locator('#desk').waitFor();
    await expect.poll(() => b.locator('#live').textContent(), { timeout: 5000 }).toContain('实时连接正常');
  });

  it('an officer whose account is disabled elsewhere sees the sign-in form at once, with the reason', async () => {
    const page = await (await context()).newPage();
    await signIn(page, '/officer', 'wangfang');
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 5000 }).toContain('实时连接正常');
    await adminCall('POST', '/api/admin/users/wangfang/disable');
    await page.locator('#login').waitFor({ timeout: 5000 });
    expect(await page.locator('#login-error').textContent()).toContain('停用');
    // Signing in again is refused, and says so.
    await page.fill('#username', 'wangfang');
    await page.fill('#password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.locator('#login-error').textContent(), { timeout: 5000 }).toContain('已停用');
    await adminCall('POST', '/api/admin/users/wangfang/enable');
  });

  it('any 401 on the officer console returns to the sign-in form: 「登录已过期，请重新登录」', async () => {
    const c = await context();
    const page = await c.newPage();
    await signIn(page, '/officer', 'zhaolei');
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 5000 }).toContain('实时连接正常');
    // The session is gone for the browser (as after an expiry); the socket itself is still open.
    await c.clearCookies();
    let alerted = '';
    page.on('dialog', (d) => {
      alerted = d.message();
      void d.dismiss();
    });
    await page.locator('#who button', { hasText: '绑定 Teams' }).click();
    await page.locator('#login').waitFor({ timeout: 5000 });
    expect(await page.locator('#login-error').textContent()).toContain('登录已过期，请重新登录');
    expect(await visible(page, '#desk')).toBe(false);
    expect(alerted).toBe('');
  });

  it('the editor: 退出登录, and a 401 shows 「登录已过期，请重新登录」 on its sign-in form', async () => {
    const c = await context();
    const page = await c.newPage();
    await signIn(page, '/editor', 'editora');
    await page.locator('#app').waitFor();
    // The page's first loads are done before the session goes: a load still in flight would meet
    // the 401 itself, before the click below (the same form, but not what this step checks).
    await page.waitForLoadState('networkidle');
    await c.clearCookies();
    await page.click('[data-tab=drafts]');
    await page.locator('#login').waitFor({ timeout: 5000 });
    expect(await page.locator('#login-error').textContent()).toContain('登录已过期，请重新登录');
    expect(await visible(page, '#app')).toBe(false);
    await page.fill('#username', 'editora');
    await page.fill('#password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.locator('#app').waitFor();
    expect(await visible(page, '#sign-out')).toBe(true);
    await page.click('#sign-out');
    await page.locator('#login').waitFor();
    expect(await visible(page, '#app')).toBe(false);
    expect((await page.context().request.get(`${running.url}/api/auth/me`)).status()).toBe(401);
  });

  it('the three staff pages sign in alike: a wrong password is said on the form, another role is refused by name, the right one gets the page', async () => {
    const pages = [
      { path: '/officer', app: '#desk', refused: '不是工作人员账号', wrong: 'editora', right: 'lihua', who: 'lihua（工作人员）' },
      { path: '/editor', app: '#app', refused: '不是编辑账号', wrong: 'wangfang', right: 'editora', who: '编辑甲（编辑）' },
      { path: '/admin', app: '#admin', refused: '不是管理员账号', wrong: 'editora', right: 'chief', who: '（管理员）' },
    ];
    for (const p of pages) {
      const page = await (await context()).newPage();
      await signIn(page, p.path, p.right, 'not-the-password');
      // A sign-in checks a password hash (deliberately slow): on a busy machine it takes over the poll's default second.
      await expect.poll(() => page.locator('#login-error').textContent(), { message: p.path, timeout: 5000 }).toMatch(/用户名或密码/);
      expect(await visible(page, p.app), p.path).toBe(false);
      await signIn(page, p.path, p.wrong);
      await expect.poll(() => page.locator('#login-error').textContent(), { message: p.path, timeout: 5000 }).toContain(p.refused);
      expect(await visible(page, p.app), p.path).toBe(false);
      expect(await visible(page, '#sign-out'), p.path).toBe(true);
      await Promise.all([page.waitForEvent('load'), page.click('#sign-out')]);
      await signIn(page, p.path, p.right, p.right === 'chief' ? CHIEF : PASSWORD);
      await page.locator(p.app).waitFor();
      expect(await visible(page, '#login'), p.path).toBe(false);
      expect(await page.locator('#who').textContent(), p.path).toContain(p.who);
      expect(await page.locator('#password').inputValue(), p.path).toBe('');
      await page.close();
    }
  });

  it('/admin: its own sign-in form, 退出登录, and a 401 returns to the form', async () => {
    const c = await context();
    const page = await c.newPage();
    // An officer is told this is not theirs, and can sign out.
    await signIn(page, '/admin', 'lihua');
    await expect.poll(() => page.locator('#login-error').textContent(), { timeout: 5000 }).toContain('不是管理员账号');
    expect(await visible(page, '#admin')).toBe(false);
    expect(await visible(page, '#sign-out')).toBe(true);
    // 退出登录 reloads the page once the server has ended the session: wait for that reload, or a
    // sign-in typed meanwhile races the sign-out (on a loaded machine the sign-out won).
    await Promise.all([page.waitForEvent('load'), page.click('#sign-out')]);
    await page.locator('#login').waitFor();

    await page.fill('#username', 'chief');
    await page.fill('#password', CHIEF);
    await page.click('#login-form button[type=submit]');
    await page.locator('#admin').waitFor();
    await expect.poll(() => page.locator('#users tr').count()).toBeGreaterThan(3);
    await c.clearCookies();
    await page.locator('#users tr[data-user=lihua] button').click();
    await page.click('#edit-form button[type=submit]');
    await page.locator('#login').waitFor({ timeout: 5000 });
    expect(await page.locator('#login-error').textContent()).toContain('登录已过期，请重新登录');
    expect(await visible(page, '#admin')).toBe(false);
  });

  it('an admin changes an account, sets a new password, disables and enables it on the page — and cannot disable the last admin', async () => {
    const c = await context();
    const page = await c.newPage();
    await signIn(page, '/admin', 'chief', CHIEF);
    await page.locator('#admin').waitFor();
    await running.accounts.create({ username: 'sunli', password: PASSWORD, role: 'officer', displayName: '孙丽' });
    const officer = await (await context()).newPage();
    await signIn(officer, '/officer', 'sunli');
    await expect.poll(() => officer.locator('#live').textContent(), { timeout: 5000 }).toContain('实时连接正常');

    await page.reload();
    const row = page.locator('#users tr[data-user=sunli]');
    await row.locator('button').click();
    await expect.poll(() => page.locator('#edit-title').textContent()).toContain('sunli');
    await page.fill('#e-display', '孙丽（窗口）');
    // Departments are picked from the counter departments (GET /api/departments), each a small box
    // beside its name on one line (the form's text-box rule once made every box full width, and
    // 不动产 wrapped one character per line).
    const dept = page.locator('#e-depts label.dept', { hasText: '不动产' });
    const [label, box] = await Promise.all([dept.boundingBox(), dept.locator('input').boundingBox()]);
    expect(box!.width).toBeLessThan(30);
    expect(label!.height).toBeLessThan(2 * box!.height + 12);
    await page.locator('#e-depts input[value=公安]').check();
    await page.locator('#e-depts input[value=民政]').check();
    await page.click('#edit-form button[type=submit]');
    await expect.poll(() => page.locator('#edit-result').textContent()).toBe('已保存。');
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('孙丽（窗口）');
    expect(await row.locator('td').nth(3).textContent()).toBe('民政、公安');

    await page.fill('#e-pass', 'Qwerty123456');
    await page.click('#password-form button[type=submit]');
    await expect.poll(() => page.locator('#edit-result').textContent()).toMatch(/太常见/);
    expect(await visible(officer, '#desk')).toBe(true);
    await page.fill('#e-pass', 'Counter-Lamp-77');
    await page.click('#password-form button[type=submit]');
    await expect.poll(() => page.locator('#edit-result').textContent()).toContain('已设置新密码');
    // The officer's console, signed in with the old password, returns to its sign-in form.
    await officer.locator('#login').waitFor({ timeout: 5000 });
    expect(await officer.locator('#login-error').textContent()).toContain('新密码');

    await page.click('#toggle-disabled');
    await expect.poll(() => page.locator('#edit-result').textContent()).toContain('已停用');
    await expect.poll(() => row.locator('td').nth(4).textContent()).toBe('已停用');
    expect(await page.locator('#toggle-disabled').textContent()).toBe('启用账号');
    await signIn(officer, '/officer', 'sunli', 'Counter-Lamp-77');
    await expect.poll(() => officer.locator('#login-error').textContent(), { timeout: 5000 }).toContain('已停用');
    await page.click('#toggle-disabled');
    await expect.poll(() => row.locator('td').nth(4).textContent()).toBe('正常');
    await signIn(officer, '/officer', 'sunli', 'Counter-Lamp-77');
    await officer.locator('#desk').waitFor();

    // The audit table lists what was done, by whom.
    const audit = await page.locator('#audit').textContent();
    for (const word of ['启用', '停用', '设置新密码', '修改', 'sunli', 'chief']) expect(audit).toContain(word);
    expect(audit).not.toContain('Counter-Lamp');

    // The last enabled admin cannot disable themselves or step down.
    await page.locator('#users tr[data-user=chief] button').click();
    await page.click('#toggle-disabled');
    await expect.poll(() => page.locator('#edit-result').textContent()).toContain('最后一个可用的管理员');
    await page.locator('#users tr[data-user=chief] button').click();
    expect(await page.locator('#edit-result').textContent()).toBe('');
    await page.selectOption('#e-role', 'officer');
    await page.click('#edit-form button[type=submit]');
    await expect.poll(() => page.locator('#edit-result').textContent()).toContain('最后一个可用的管理员');
    expect(await visible(page, '#admin')).toBe(true);
    expect(await page.locator('#users tr[data-user=chief] td').nth(4).textContent()).toBe('正常');
  });
});
