/**
 * `npm run wechat:menu`: creates the official account's custom menu from wechat/menu.yaml (or
 * WECHAT_MENU_FILE) through `POST ${WECHAT_API_BASE}/cgi-bin/menu/create`, after checking the
 * file against the knowledge base and the walkthroughs as the server does at start-up.
 *
 * Needs WECHAT_TOKEN, WECHAT_APP_ID and WECHAT_APP_SECRET, and this machine's address in the
 * account's IP allow-list (公众平台 › 设置与开发 › 基本配置 › IP白名单). `--dry-run` prints the
 * request body without calling WeChat.
 *
 * The access token it fetches replaces the one a running server holds; the server's next API
 * call is refused with 40001, renews its token once and goes through (wechat-api.ts).
 */
import { readFile } from 'node:fs/promises';
import { loadKnowledge, readYamlFiles } from '../src/adapters/load-knowledge.js';
import { createWechatApi } from '../src/channels/wechat/wechat-api.js';
import { menuCreateBody, parseWechatMenu } from '../src/channels/wechat/wechat-menu.js';
import { ConfigError, readConfig } from '../src/config.js';
import { createLogger } from '../src/core/logger.js';
import { parseFlows } from '../src/dialogue/parse-flows.js';
import { formatProblem } from '../src/knowledge/parse-knowledge.js';
import { createMemoryStore } from '../src/storage/memory-store.js';

const dryRun = process.argv.includes('--dry-run');
const fail = (lines: string[]): never => {
  for (const l of lines) console.error(l);
  process.exit(1);
};

let config;
try {
  config = readConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(['配置错误：', ...err.problems.map((p) => `  ${p}`)]);
  throw err;
}
const wechat = config.wechat;
if (!wechat) fail(['没有设置 WECHAT_TOKEN：请先按 README「微信公众号」一节配置公众号。']);
if (!dryRun && !(wechat!.appId && wechat!.appSecret)) fail(['创建菜单要用公众号的 AppID 和 AppSecret：请设置 WECHAT_APP_ID 和 WECHAT_APP_SECRET。']);

const loaded = await loadKnowledge(config.knowledgeDir);
if (!loaded.ok) fail([`知识库校验失败（${config.knowledgeDir}）：`, ...loaded.problems.map((p) => `  ${formatProblem(p)}`)]);
const kb = loaded.ok ? loaded.kb : null!;
const flows = parseFlows(await readYamlFiles(config.flowsDir), kb);
if (!flows.ok) fail([`引导流程校验失败（${config.flowsDir}）：`, ...flows.problems.map((p) => `  ${formatProblem(p)}`)]);
const flowIds = new Set(flows.ok ? flows.flows.map((f) => f.id) : []);

const menu = parseWechatMenu(await readFile(wechat!.menuFile, 'utf8'), wechat!.menuFile, {
  entry: (id) => kb.entries.some((e) => e.id === id),
  flow: (id) => flowIds.has(id),
});
if (!menu.ok) fail([`菜单文件有问题，没有创建菜单：`, ...menu.problems.map((p) => `  ${p}`)]);
const body = menuCreateBody(menu.ok ? menu.menu.file : null!);

if (dryRun) {
  console.log(JSON.stringify(body, null, 2));
  process.exit(0);
}
const api = createWechatApi({
  apiBase: wechat!.apiBase,
  appId: wechat!.appId!,
  appSecret: wechat!.appSecret!,
  store: createMemoryStore(),
  logger: createLogger('warn', (line) => console.error(line)),
});
try {
  await api.createMenu(body);
} catch (err) {
  const errcode = (err as { errcode?: number }).errcode;
  const hint =
    errcode === 40164 || errcode === 61004
      ? '本机的出口 IP 不在公众号的 IP 白名单里：请在公众平台「设置与开发 › 基本配置 › IP白名单」加入本机 IP。'
      : errcode === 40013 || errcode === 40125
        ? 'AppID 或 AppSecret 不对：请核对 WECHAT_APP_ID、WECHAT_APP_SECRET。'
        : '请对照微信返回的错误码查看公众平台文档。';
  fail([`创建菜单失败（微信错误码 ${errcode ?? '无'}）：${(err as Error).message}`, hint]);
}
const count = body.button.length;
console.log(`已创建公众号菜单：${count} 个一级菜单，${menu.ok ? menu.menu.clicks.size : 0} 个点击按钮（${wechat!.menuFile}）。微信客户端可能要几分钟后才显示新菜单。`);
