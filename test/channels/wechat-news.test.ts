/**
 * Issue 15 part 3, "a news/图文 message where configured": with WECHAT_NEWS=on (and the API set up),
 * the turn that ends a walkthrough answers with a 图文 card linking to the printable checklist, and
 * the answer's text follows through the customer-service API — once, also when WeChat retries.
 * Without WECHAT_NEWS the same turn is one text with the link (wechat-channel.test.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { messageXml, nextMsgId, startFakeWechat, TEST_ACCOUNT, wechatEnv, type FakeWechat } from '../helpers/fake-wechat.js';

const PUBLIC_URL = 'https://yici.wuzhou.example.gov.cn';

let fake: FakeWechat;
let running: RunningServer;
beforeAll(async () => {
  fake = await startFakeWechat(TEST_ACCOUNT);
  const config = readConfig({
    PORT: '0',
    DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-wechat-news-')),
    LOG_LEVEL: 'silent',
    PUBLIC_URL,
    ...wechatEnv(fake.apiBase),
    WECHAT_NEWS: 'on',
  });
  running = await startServer(config, silentLogger, { print: () => {} });
});
afterAll(async () => {
  await running?.close();
  await fake?.close();
});

const waitFor = async (what: () => boolean, ms = 3000) => {
  for (let waited = 0; !what() && waited < ms; waited += 20) await new Promise((r) => setTimeout(r, 20));
  return what();
};

describe('WECHAT_NEWS=on', () => {
  it('ends a walkthrough with a 图文 card to the checklist, the text through the API once, the same card on a retry', async () => {
    const openid = 'oCitizen_news_01';
    for (const text of ['我想在镇上开个小卖部，还想卖烟', '1', '不卖食品（或只卖蔬菜水果）']) {
      const step = await fake.text(running.url, openid, text);
      expect(step.reply?.MsgType).toBe('text'); // questions stay text
    }
    const sentBefore = fake.sent.length;
    const last = messageXml(openid, fake.account, { MsgType: 'text', Content: '2', MsgId: nextMsgId() });
    const card = await fake.post(running.url, fake.sign(last));
    expect(card.reply).toMatchObject({ ToUserName: openid, MsgType: 'news', ArticleCount: '1' });
    expect(card.reply?.Title).toContain('【清单】');
    expect(card.reply?.Description).toMatch(/要带的材料共 \d+ 项/);
    const url = card.reply?.Url ?? '';
    expect(url).toMatch(new RegExp(`^${PUBLIC_URL.replace(/[.]/g, '\\.')}/checklist/[a-z0-9]+$`));
    const page = await fetch(`${running.url}${new URL(url).pathname}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('烟草专卖零售许可证');

    // The answer's text (the list and the link) follows through the customer-service API.
    expect(await waitFor(() => fake.sent.length > sentBefore)).toBe(true);
    const texts = fake.sent.slice(sentBefore);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({ touser: openid });
    expect(texts[0]!.content).toContain('烟草专卖零售许可证');

    // WeChat retries the message: the same card, and no second text.
    const retry = await fake.post(running.url, fake.sign(last));
    expect(retry.reply).toMatchObject({ MsgType: 'news', Url: url });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.sent.length).toBe(sentBefore + 1);
  });
});
