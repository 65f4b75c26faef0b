/**
 * The official account's custom menu (自定义菜单), in one YAML file (wechat/menu.yaml): the
 * buttons `npm run wechat:menu` creates through the API, and what Yici does when one is clicked —
 * answer an entry, start a walkthrough, hand over to a person (转人工) or ask a question as if
 * typed. Validated at start-up like the knowledge base: a problem names the file, the button and
 * the field, and says how to fix it.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { UserInput } from '../../core/types.js';
import { FLOW_CHOICE } from '../../dialogue/flow-engine.js';
import { CHOICE } from '../../dialogue/step.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** What a click does. */
const action = z.union([
  z.strictObject({ entry: z.string().min(1) }),
  z.strictObject({ flow: z.string().min(1) }),
  z.strictObject({ handoff: z.literal(true) }),
  z.strictObject({ ask: z.string().min(1).max(200) }),
]);

const clickButton = z.strictObject({
  name: z.string().min(1),
  /** The EventKey WeChat sends back: letters, digits and _ only, at most 128 bytes (WeChat's limit). */
  key: z.string().regex(/^[A-Za-z0-9_]{1,128}$/, { message: 'key 只能用英文字母、数字和下划线，最长 128 个字符' }),
  do: action,
});
const linkButton = z.strictObject({ name: z.string().min(1), url: z.url({ protocol: /^https?$/, message: 'url 应为 http:// 或 https:// 开头的网址' }) });
const leaf = z.union([clickButton, linkButton]);
const group = z.strictObject({ name: z.string().min(1), sub: z.array(leaf).min(1).max(5, { message: '一个一级菜单最多 5 个子菜单' }) });

const menuSchema = z.strictObject({
  /** WeChat allows at most 3 top-level buttons. */
  buttons: z.array(z.union([group, leaf])).min(1).max(3, { message: '一级菜单最多 3 个' }),
  /** The welcome sent on 关注 (subscribe). */
  welcome: z.string().min(1).max(600).optional(),
});

export type MenuAction = z.infer<typeof action>;
export type MenuFile = z.infer<typeof menuSchema>;
type Leaf = z.infer<typeof leaf>;

export interface WechatMenu {
  file: MenuFile;
  /** EventKey → what to do. */
  clicks: Map<string, MenuAction>;
}

export type MenuResult = { ok: true; menu: WechatMenu } | { ok: false; problems: string[] };

/** The knowledge the clicks refer to, to check that they exist. */
export interface MenuRefs {
  entry(id: string): boolean;
  flow(id: string): boolean;
}

/** Parses and checks the menu file; `file` only names it in the problems. */
export function parseWechatMenu(text: string, file: string, refs: MenuRefs): MenuResult {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    return { ok: false, problems: [`${file}：不是有效的 YAML（${String((err as Error).message).split('\n')[0]}）——请检查缩进和冒号`] };
  }
  const parsed = menuSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${file} › ${i.path.join('.') || '(文件)'}：${i.message}——请对照 README「微信公众号」一节的格式修改`) };
  }
  const problems: string[] = [];
  const clicks = new Map<string, MenuAction>();
  const checkLeaf = (b: Leaf, where: string, maxNameBytes: number) => {
    if (bytes(b.name) > maxNameBytes) problems.push(`${file} › ${where}「${b.name}」› name：太长（最多 ${maxNameBytes} 个字节，约 ${Math.floor(maxNameBytes / 3)} 个汉字）——请缩短`);
    if (!('key' in b)) return;
    if (clicks.has(b.key)) problems.push(`${file} › ${where}「${b.name}」› key：${b.key} 重复了——每个按钮的 key 要不同`);
    clicks.set(b.key, b.do);
    if ('entry' in b.do && !refs.entry(b.do.entry)) problems.push(`${file} › ${where}「${b.name}」› do.entry：知识库里没有 ${b.do.entry}——请写已有事项的 id`);
    if ('flow' in b.do && !refs.flow(b.do.flow)) problems.push(`${file} › ${where}「${b.name}」› do.flow：没有 id 为 ${b.do.flow} 的引导流程——请写 flows/ 里已有流程的 id`);
  };
  parsed.data.buttons.forEach((b, i) => {
    const where = `buttons.${i}`;
    if ('sub' in b) {
      if (bytes(b.name) > 16) problems.push(`${file} › ${where}「${b.name}」› name：一级菜单名最多 16 个字节（约 5 个汉字）——请缩短`);
      b.sub.forEach((s, j) => checkLeaf(s, `${where}.sub.${j}`, 60));
    } else checkLeaf(b, where, 16);
  });
  return problems.length ? { ok: false, problems } : { ok: true, menu: { file: parsed.data, clicks } };
}

/** What the chat service is given for a click. */
export function clickInput(a: MenuAction): UserInput {
  if ('entry' in a) return { choice: CHOICE.entry(a.entry) };
  if ('flow' in a) return { choice: FLOW_CHOICE.start(a.flow) };
  if ('handoff' in a) return { choice: CHOICE.handoff };
  return { text: a.ask };
}

/** The body of POST /cgi-bin/menu/create for the menu. */
export function menuCreateBody(menu: MenuFile): { button: unknown[] } {
  const leafButton = (b: Leaf) => ('key' in b ? { type: 'click', name: b.name, key: b.key } : { type: 'view', name: b.name, url: b.url });
  return { button: menu.buttons.map((b) => ('sub' in b ? { name: b.name, sub_button: b.sub.map(leafButton) } : leafButton(b))) };
}
