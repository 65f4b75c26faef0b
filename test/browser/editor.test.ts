/** An editor edits, a second editor approves, and the chat page answers with the change — in real Chromium. */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { available, launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatClient } from '../helpers/chat-client.js';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

const root = resolve(import.meta.dirname, '../..');

let running: RunningServer;
let browser: Browser;
/** For what waits on the server (a preview builds a candidate engine): generous, the machine may be loaded. */
const soon = { timeout: 20_000 };

describe.skipIf(!available)('editor in Chromium', () => {
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yici-editor-browser-'));
    await cp(join(root, 'knowledge'), join(dir, 'knowledge'), { recursive: true });
    await cp(join(root, 'flows'), join(dir, 'flows'), { recursive: true });
    running = await startServer(
      readConfig({ PORT: '0', DATA_DIR: join(dir, 'data'), KNOWLEDGE_DIR: join(dir, 'knowledge'), FLOWS_DIR: join(dir, 'flows'), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026' }),
      silentLogger,
      { print: () => {} },
    );
    for (const u of ['editora', 'editorb']) await running.accounts.create({ username: u, password: 'Editor-desk-2026', role: 'editor' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  const signIn = async (username: string): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
    await page.goto(`${running.url}/editor`);
    await page.fill('#username', username);
    await page.fill('#password', 'Editor-desk-2026');
    await page.click('#login-form button[type=submit]');
    await page.locator('#app').waitFor();
    return page;
  };

  it('edits an entry in the form, approves it with a second account, and the chat page answers with it', async () => {
    const ALIAS = '星光夜市摆摊手续';
    const a = await signIn('editora');
    await a.fill('#search', '个体工商户');
    await a.locator('#entry-list button').first().click();
    const aliases = a.locator('input[data-key=aliases]');
    await aliases.waitFor();
    await aliases.fill(`${await aliases.inputValue()}，${ALIAS}`);
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('校验通过');
    await a.fill('#note', '夜市摊主常这样问');
    await a.click('#save-draft');
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('已保存草稿');

    const b = await signIn('editorb');
    await b.click('[data-tab=drafts]');
    await b.locator('button.primary', { hasText: '审核通过并上线' }).click();
    // The publish gate runs the labelled questions: slow on a loaded machine.
    await expect.poll(() => b.locator('#drafts').textContent(), { timeout: 120_000 }).toContain('没有待审核的草稿');
    // 处理人 is the reviewer.
    expect(await b.locator('#closed-drafts tbody tr').first().locator('td').allTextContents()).toEqual(expect.arrayContaining(['已上线', 'editorb']));

    const chat = await browser.newPage();
    await chat.goto(running.url);
    await chat.fill('#input', ALIAS);
    await chat.press('#input', 'Enter');
    await expect.poll(() => chat.locator('.card h2').first().textContent(), { timeout: 5000 }).toContain('个体工商户设立登记');
  }, 180_000);

  it('asks before unsaved edits are dropped by opening another entry or leaving the page, and keeps them when the editor stays', async () => {
    const a = await signIn('editora');
    await a.fill('#search', '身份证');
    const listed = a.locator('#entry-list button strong');
    await listed.nth(2).waitFor();
    const [first, second, third] = [await listed.nth(0).textContent(), await listed.nth(1).textContent(), await listed.nth(2).textContent()];
    await a.locator('#entry-list button').nth(0).click();
    const title = a.locator('input[data-key=title]');
    await expect.poll(() => title.inputValue(), soon).toBe(first);
    await title.fill(`${first}（改）`);

    const dialogs: string[] = [];
    a.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await a.locator('#entry-list button').nth(1).click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toContain('未保存');
    expect(await title.inputValue()).toBe(`${first}（改）`);

    // Leaving the page asks too (the browser's own 离开此网站? prompt).
    a.once('dialog', (d) => {
      dialogs.push(d.type());
      void d.dismiss();
    });
    await a.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs.length).toBe(2);
    expect(dialogs[1]).toBe('beforeunload');
    expect(a.isClosed()).toBe(false);

    // Agreeing leaves; an entry opened and not changed leaves without a question.
    a.once('dialog', (d) => void d.accept());
    await a.locator('#entry-list button').nth(1).click();
    await expect.poll(() => title.inputValue(), soon).toBe(second);
    a.on('dialog', (d) => {
      dialogs.push(`unexpected: ${d.message()}`);
      void d.dismiss();
    });
    await a.locator('#entry-list button').nth(2).click();
    await expect.poll(() => title.inputValue(), soon).toBe(third);
    expect(dialogs).toHaveLength(2);
  }, 120_000);

  it('edits the raw YAML like the file, and the form follows', async () => {
    const a = await signIn('editora');
    await a.fill('#search', '身份证');
    await a.locator('#entry-list button').first().click();
    await a.locator('#editor details summary').click();
    const raw = a.locator('#raw');
    await expect.poll(() => raw.inputValue()).toMatch(/^id: item-resident-id-card$/m);
    const text = await raw.inputValue();
    await raw.fill(text.replace(/^title: .*$/m, 'title: 居民身份证办理（测试）'));
    await raw.dispatchEvent('change');
    await expect.poll(() => a.locator('input[data-key=title]').inputValue(), soon).toBe('居民身份证办理（测试）');
    await raw.fill('title: [unclosed');
    await raw.dispatchEvent('change');
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('YAML 格式不对');
  });

  it('turns an unanswered question from the inbox into an alias of the entry the editor picks, or a new FAQ', async () => {
    const QUESTION = '夜里摆地摊要去哪里报备';
    const chat = await fetch(`${running.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: 'inbox-browser-session', text: QUESTION }) });
    expect(((await chat.json()) as { match: unknown }).match).toBeNull();
    const a = await signIn('editora');
    await a.click('[data-tab=inbox]');
    const cluster = a.locator('#inbox .cluster', { hasText: QUESTION });
    await cluster.waitFor();
    await cluster.locator('button', { hasText: '加为别名' }).click();
    await expect.poll(() => cluster.locator('.problems').textContent()).toContain('请先选择条目');
    const select = cluster.locator('select');
    const picked = await select.locator('option').nth(1).getAttribute('value');
    await select.selectOption(picked!);
    await cluster.locator('button', { hasText: '加为别名' }).click();
    await expect.poll(() => a.locator('input[data-key=aliases]').inputValue()).toContain(QUESTION);
    expect(await a.locator('#editor h2').textContent()).toContain(picked!);

    // The alias added above is not saved yet: starting a new FAQ asks first.
    const asked: string[] = [];
    a.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await a.click('[data-tab=inbox]');
    await a.locator('#inbox .cluster', { hasText: QUESTION }).locator('button', { hasText: '新建问答草稿' }).click();
    await expect.poll(() => a.locator('input[data-key=title]').inputValue()).toBe(QUESTION);
    expect(asked).toEqual([expect.stringContaining('未保存')]);
  });

  it('offers a new FAQ about the matter a follow-up was asked about when its guide did not say', async () => {
    const citizen = chatClient(running.url);
    await citizen.post({ sessionId: 'inbox-about-browser', text: '新生儿怎么上户口' });
    const asked = (await (await citizen.post({ sessionId: 'inbox-about-browser', text: '能加急不' })).json()) as { match: unknown };
    expect(asked.match).toBeNull();
    const a = await signIn('editora');
    await a.click('[data-tab=inbox]');
    const cluster = a.locator('#inbox .cluster', { hasText: '能加急不' });
    await cluster.waitFor();
    await expect.poll(() => cluster.textContent()).toContain('群众是在看这些事项时追问的');
    await cluster.locator('button', { hasText: '为「出生登记」新建问答' }).click();
    await expect.poll(() => a.locator('input[data-key=title]').inputValue()).toBe('能加急不');
    // Related to the matter (the form has no field for it; the YAML shows it).
    await expect.poll(() => a.locator('#raw').inputValue()).toMatch(/^related:\n {2}- item-birth-registration$/m);
  });

  it('shows live validation errors before a draft can be saved', async () => {
    const a = await signIn('editora');
    await a.fill('#search', '烟草');
    await a.locator('#entry-list button').first().click();
    await a.locator('input[data-key=title]').fill('');
    await expect.poll(() => a.locator('#check .problems').textContent(), soon).toContain('title');
  });

  it('keeps the form and the raw YAML in step both ways, and locks the form while the YAML does not parse', async () => {
    const a = await signIn('editora');
    await a.fill('#search', '结婚登记');
    await a.locator('#entry-list button').first().click();
    const aliases = a.locator('input[data-key=aliases]');
    await aliases.waitFor();
    await aliases.fill(`${await aliases.inputValue()}，去民政局领证手续`);
    await a.locator('#editor details summary').click();
    const raw = a.locator('#raw');
    // The form's edit is in the YAML at once …
    expect(await raw.inputValue()).toMatch(/^ {2}- 去民政局领证手续$/m);
    // … and a line changed in the YAML (typed, no change event) keeps it and reaches the form.
    await raw.fill((await raw.inputValue()).replace(/^title: .*$/m, 'title: 结婚登记（测试）'));
    await expect.poll(() => a.locator('input[data-key=title]').inputValue(), soon).toBe('结婚登记（测试）');
    expect(await aliases.inputValue()).toContain('去民政局领证手续');
    // YAML that does not parse: the form is locked and no draft is saved; nothing is lost.
    const broken = `${await raw.inputValue()}\ntitle: [unclosed`;
    await raw.fill(broken);
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('YAML 格式不对');
    expect(await a.locator('input[data-key=aliases]').isDisabled()).toBe(true); // inside the locked <fieldset>
    await a.click('#save-draft');
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('没有保存');
    expect(await raw.inputValue()).toBe(broken);
    await raw.fill(broken.replace(/\ntitle: \[unclosed$/, ''));
    await expect.poll(() => a.locator('input[data-key=aliases]').isDisabled(), soon).toBe(false);
    expect(await a.locator('input[data-key=aliases]').inputValue()).toContain('去民政局领证手续');
    expect(await a.locator('input[data-key=title]').inputValue()).toBe('结婚登记（测试）');
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('校验通过');
  }, 120_000);

  it('edits fee, time limit and department in the form, and the review marks the changed characters within a line', async () => {
    const a = await signIn('editora');
    await a.fill('#search', '烟草专卖零售');
    await a.locator('#entry-list button').first().click();
    const department = a.locator('input[data-key=department]');
    await department.waitFor();
    await department.fill((await department.inputValue()).replace('未设县级局的', '未设县级局或县级局撤并的'));
    await a.locator('input[data-key="fees.free"]').uncheck();
    await a.fill('input[data-key="fees.text"]', '工本费 10 元（测试）。');
    await a.fill('input[data-key="timeLimit.promised"]', '受理后 15 个工作日内（测试）');
    await a.fill('input[data-key="timeLimit.promisedWorkingDays"]', '15');
    await a.locator('#editor details summary').click();
    const yaml = await a.locator('#raw').inputValue();
    expect(yaml).toMatch(/^department: .*未设县级局或县级局撤并的/m);
    expect(yaml).toMatch(/^fees:\n {2}free: false\n {2}text: 工本费 10 元（测试）。$/m);
    expect(yaml).toMatch(/^ {2}promised: 受理后 15 个工作日内（测试）$/m);
    expect(yaml).toMatch(/^ {2}promisedWorkingDays: 15$/m);
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('校验通过');
    await a.fill('#note', '收费和时限按窗口告知');
    await a.click('#save-draft');
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('已保存草稿');

    const b = await signIn('editorb');
    await b.click('[data-tab=drafts]');
    const card = b.locator('.draft', { hasText: '收费和时限按窗口告知' });
    const added = card.locator('.diff .add', { hasText: 'department:' });
    await added.waitFor();
    expect(await added.locator('mark').allTextContents()).toEqual(['或县级局撤并']);
    expect((await added.textContent())!.length).toBeGreaterThan(30);
    expect(await card.locator('.diff .del', { hasText: 'department:' }).locator('mark').count()).toBe(0);
    expect(await card.locator('.diff .add', { hasText: 'text: 工本费' }).locator('mark').allTextContents()).not.toContain(await card.locator('.diff .add', { hasText: 'text: 工本费' }).textContent());
  }, 120_000);

  it('shows the publish gate\'s refusal with the questions lost and where they go, and publishes anyway only with a reason', async () => {
    const a = await signIn('editora');
    await a.fill('#search', '医疗机构设立一件事');
    await a.locator('#entry-list button', { hasText: '医疗机构设立一件事' }).first().click();
    await a.locator('input[data-key=title]').waitFor();
    await a.fill('input[data-key=title]', '医疗机构开设');
    await a.fill('input[data-key=aliases]', '');
    await a.fill('input[data-key=keywords]', '');
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('校验通过');
    await a.fill('#note', '改名（测试关卡）');
    await a.click('#save-draft');
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('已保存草稿');

    const b = await signIn('editorb');
    await b.click('[data-tab=drafts]');
    const card = b.locator('.draft', { hasText: '改名（测试关卡）' });
    await card.locator('button', { hasText: '审核通过并上线' }).click();
    const gate = card.locator('.gate');
    await gate.waitFor({ timeout: 120_000 });
    expect(await gate.textContent()).toContain('上线检查没有通过');
    const lostRow = gate.locator('tr', { hasText: '医疗机构设立一件事怎么办' });
    expect(await lostRow.count()).toBe(1);
    const cells = await lostRow.locator('td').allTextContents();
    expect(cells[1]).toContain('医疗机构设立一件事'); // where it belongs
    expect(cells[2]).toContain('医疗机构设立一件事'); // where it went before
    expect(cells[3]).not.toBe(cells[2]); // and where it goes now
    // Still pending; 仍然发布 needs a reason.
    await gate.locator('button', { hasText: '仍然发布' }).click();
    await expect.poll(() => gate.locator('.problems').last().textContent(), soon).toContain('至少 4 个字');
    expect(await b.locator('#draft-count').textContent()).not.toBe('0');
    await gate.locator('input').fill('名称按省里新目录统一，别名另行补充');
    await gate.locator('button', { hasText: '仍然发布' }).click();
    await expect.poll(() => card.count(), { timeout: 120_000 }).toBe(0);
    const row = b.locator('#closed-drafts tbody tr', { hasText: '医疗机构开设' });
    expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining(['已上线', 'editorb']));
  }, 300_000);

  it('keeps the 待审核 badge current: after a new draft in another tab, a return, and 处理人 shows who returned it', async () => {
    const b = await signIn('editorb');
    const badge = b.locator('#draft-count');
    const pending = () => b.evaluate(async () => ((await (await fetch('/api/kb/drafts')).json()) as { drafts: { status: string }[] }).drafts.filter((d) => d.status === 'pending').length);
    const before = await pending();
    await expect.poll(() => badge.textContent(), soon).toBe(String(before));
    const a = await signIn('editora');
    await a.fill('#search', '居住证');
    await a.locator('#entry-list button').first().click();
    const aliases = a.locator('input[data-key=aliases]');
    await aliases.waitFor();
    await aliases.fill(`${await aliases.inputValue()}，办个居住证明（测试）`);
    await a.fill('#note', '徽标测试');
    await a.click('#save-draft');
    await expect.poll(() => a.locator('#check').textContent(), soon).toContain('已保存草稿');
    // The other tab learns of it when it is looked at again.
    await b.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect.poll(() => badge.textContent(), soon).toBe(String(before + 1));
    await b.click('[data-tab=drafts]');
    const card = b.locator('.draft', { hasText: '徽标测试' });
    await card.locator('input[id^=why-]').fill('先和窗口确认说法');
    await card.locator('button', { hasText: '退回给作者' }).click();
    await expect.poll(() => badge.textContent(), soon).toBe(String(before));
    const row = b.locator('#closed-drafts tbody tr', { hasText: '先和窗口确认说法' });
    expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining(['已退回', 'editorb']));
    // The author's own page: the badge follows on focus too.
    await a.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect.poll(() => a.locator('#draft-count').textContent(), soon).toBe(String(before));
  }, 120_000);
});
