/**
 * `npm run screenshots:editor`: renders the editor pages (entry form, review, unanswered inbox,
 * dashboard), a walkthrough and its checklist on a phone, and the officer console into
 * docs/screenshots with demonstration traffic.
 *
 * The traffic is real traffic through the HTTP API of a server on a temporary copy of the
 * knowledge base: citizens' questions from the labelled set (eval/questions.yaml) and
 * questions the knowledge base does not cover, spread over the last 14 days with a shifted clock,
 * with 没看懂 / 流程走不通 / ratings on some answers. Nothing is written into knowledge/ or data/.
 * Needs Debian's chromium at /usr/bin/chromium.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { parse } from 'yaml';
import { readConfig } from '../src/config.js';
import { silentLogger } from '../src/core/logger.js';
import { startServer } from '../src/server/start-server.js';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'docs/screenshots');
const DAY = 86_400_000;

// A small deterministic generator, so the pictures come out the same on every run.
let seed = 20261126;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

// Questions citizens ask that the shipped knowledge base does not cover: these make the inbox.
const UNCOVERED = [
  '电动车上牌在哪里办', '电动自行车上牌要带什么', '电瓶车挂牌去哪里', '新买的电动车怎么上牌照',
  '公租房怎么申请', '申请公租房要什么条件', '廉租房在哪里报名',
  '老年人乘车卡怎么办', '老人坐公交免费卡在哪办', '敬老卡怎么申请',
  '狗证在哪里办', '养狗要办什么证',
  '社保卡丢了怎么补', '社保卡挂失补办在哪',
];
const COMMENTS = ['材料写得太笼统', '不知道去哪个窗口', '说的和窗口不一样', '网上提交一直失败', ''];

async function main(): Promise<void> {
  const labelled = (parse(await readFile(join(root, 'eval/questions.yaml'), 'utf8')) as { q: string; expect: string[] }[]).filter((x) => x.expect.length > 0);
  const dir = await mkdtemp(join(tmpdir(), 'yici-shots-'));
  await cp(join(root, 'knowledge'), join(dir, 'knowledge'), { recursive: true });
  await cp(join(root, 'flows'), join(dir, 'flows'), { recursive: true });

  let offset = 0;
  const running = await startServer(
    readConfig({ PORT: '0', DATA_DIR: join(dir, 'data'), KNOWLEDGE_DIR: join(dir, 'knowledge'), FLOWS_DIR: join(dir, 'flows'), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026', OFFICE_HOURS: 'always', // Demonstration traffic from one address, faster than a citizen types.
      RATE_LIMIT_CHAT_PER_MINUTE: '100000', RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: '100000', RATE_LIMIT_HANDOFFS_PER_10_MINUTES: '100000' }),
    silentLogger,
    { print: () => {}, now: () => new Date(Date.now() + offset) },
  );
  // Each conversation's key, issued with its first answer and sent with everything after it.
  const keys = new Map<string, string>();
  const post = async (path: string, body: unknown, cookie?: string) => {
    const sessionId = (body as { sessionId?: unknown }).sessionId;
    const key = typeof sessionId === 'string' ? keys.get(sessionId) : undefined;
    const res = await fetch(running.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...(key ? { 'x-session-key': key } : {}) }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path} → ${res.status} ${await res.text()}`);
    const out = (await res.json()) as Record<string, unknown>;
    if (typeof sessionId === 'string' && typeof out.sessionKey === 'string') keys.set(sessionId, out.sessionKey);
    return out;
  };

  // Fourteen days of traffic, busier on weekdays.
  let n = 0;
  for (let day = 13; day >= 0; day--) {
    offset = -day * DAY;
    const weekday = new Date(Date.now() + offset).getDay();
    const sessions = weekday === 0 || weekday === 6 ? 6 + Math.floor(rand() * 5) : 14 + Math.floor(rand() * 10);
    for (let s = 0; s < sessions; s++) {
      const sessionId = `demo-conversation-${day}-${s}`;
      const turns = 1 + Math.floor(rand() * 2);
      for (let t = 0; t < turns; t++) {
        const text = rand() < 0.14 ? pick(UNCOVERED) : pick(labelled).q;
        const r = (await post('/api/chat', { sessionId, text })) as { seq: number; match: { id: string } | null };
        n++;
        const roll = rand();
        if (r.match && roll < 0.12) await post('/api/feedback', { sessionId, seq: r.seq, helpful: false, comment: pick(COMMENTS) });
        else if (r.match && roll < 0.4) await post('/api/feedback', { sessionId, seq: r.seq, helpful: true });
        if (r.match && rand() < 0.06) {
          await post('/api/feedback/process', { sessionId, reason: pick(['form_unclear', 'material_unclear', 'steps_disconnected', 'window_refused', 'online_failed']), text: pick(COMMENTS), entryId: r.match.id });
        }
      }
      if (rand() < 0.05) await post('/api/chat', { sessionId, text: '转人工' });
      if (rand() < 0.35) await post('/api/feedback/rating', { sessionId, rating: pick(['good', 'good', 'good', 'fair', 'poor']) });
    }
  }
  offset = 0;

  for (const u of ['editora', 'editorb']) await running.accounts.create({ username: u, password: 'Editor-desk-2026', role: 'editor' });
  const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editora', password: 'Editor-desk-2026' }) });
  const cookieA = login.headers.get('set-cookie')!.split(';')[0]!;
  const base = ((await (await fetch(`${running.url}/api/kb/entries/item-individual-business-registration`, { headers: { cookie: cookieA } })).json()) as { entry: { aliases: string[] } }).entry;
  await post('/api/kb/drafts', { entryId: 'item-individual-business-registration', entry: { ...base, aliases: [...base.aliases, '夜市摆摊办执照'] }, note: '未答问题里夜市摊主常这样问' }, cookieA);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const signIn = async (username: string): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN' })).newPage();
    await page.goto(`${running.url}/editor`);
    await page.fill('#username', username);
    await page.fill('#password', 'Editor-desk-2026');
    await page.click('#login-form button[type=submit]');
    await page.locator('#app').waitFor();
    return page;
  };
  try {
    const a = await signIn('editora');
    await a.fill('#search', '个体工商户');
    await a.locator('#entry-list button').first().click();
    await a.locator('input[data-key=aliases]').waitFor();
    await a.waitForTimeout(300);
    await a.screenshot({ path: join(out, 'editor-entry.png') });

    const b = await signIn('editorb');
    await b.click('[data-tab=drafts]');
    await b.locator('button.primary', { hasText: '审核通过并上线' }).waitFor();
    await b.screenshot({ path: join(out, 'editor-review.png') });

    await b.click('[data-tab=inbox]');
    await b.locator('#inbox .cluster').first().waitFor();
    await b.screenshot({ path: join(out, 'editor-inbox.png'), fullPage: true });

    await b.click('[data-tab=dashboard]');
    await b.locator('#weak tr').first().waitFor();
    await b.waitForTimeout(800); // ECharts animates in
    await b.screenshot({ path: join(out, 'editor-dashboard.png'), fullPage: true });

    // The citizen side on a phone, 大字模式: a walkthrough to its checklist, and the printable page.
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN' })).newPage();
    await phone.goto(running.url);
    await phone.click('#large');
    await phone.fill('#input', '我想在镇上开个小卖部，还想卖烟，学校附近没有');
    await phone.press('#input', 'Enter');
    for (let i = 0; i < 8 && (await phone.locator('.card.checklist').count()) === 0; i++) {
      const group = phone.locator('.choices').last();
      await group.waitFor();
      const before = await phone.locator('.msg').count();
      await group.locator('.choice').first().click();
      await phone.waitForFunction((count) => document.querySelectorAll('.msg').length > count + 1, before);
    }
    await phone.locator('.card.checklist').waitFor();
    await phone.waitForTimeout(300);
    await phone.screenshot({ path: join(out, 'chat-phone-large-checklist.png') });
    const href = await phone.locator('.card.checklist a.open').getAttribute('href');
    await phone.goto(running.url + href!);
    await phone.locator('h1').waitFor();
    await phone.screenshot({ path: join(out, 'checklist-page.png'), fullPage: true });

    // The officer console with a claimed case, at 1280×860.
    await running.accounts.create({ username: 'wangli', password: 'Window-desk-2026', role: 'officer', displayName: '王丽' });
    const citizen = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await citizen.goto(running.url);
    await citizen.fill('#input', '我想开个小卖部，营业执照怎么办');
    await citizen.press('#input', 'Enter');
    await citizen.waitForFunction(() => document.querySelectorAll('.msg').length >= 2);
    await citizen.fill('#input', '转人工');
    await citizen.press('#input', 'Enter');
    await citizen.locator('.handoff').first().waitFor();
    const officer = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' })).newPage();
    await officer.goto(`${running.url}/officer`);
    await officer.fill('#username', 'wangli');
    await officer.fill('#password', 'Window-desk-2026');
    await officer.click('#login-form button[type=submit]');
    await officer.locator('#desk').waitFor();
    await officer.locator('#queue li button').first().click();
    await officer.locator('button.primary', { hasText: '接单' }).click();
    await officer.locator('#reply-text').fill('您好，我是王丽。个体户营业执照可以网上办，我把材料清单发给您。');
    await officer.click('#send-reply');
    await officer.waitForTimeout(600);
    await officer.screenshot({ path: join(out, 'officer-console.png') });
  } finally {
    await browser.close();
    await running.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`${n} demonstration questions; screenshots written to ${out}`);
}

// Exit explicitly: the Chromium driver can keep the event loop alive after close().
await main();
process.exit(0);
