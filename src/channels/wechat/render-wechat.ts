/**
 * The core's replies as one WeChat text message. A passive reply is a single message, so every
 * reply of a turn goes into one text: answers (shortened to fit, with a link), choices as numbered
 * lines the citizen answers with a number, the checklist as a link to its printable page, the
 * sources as one short line. Pure: replies in, text and the numbered choices out.
 */
import type { AnswerCard, Choice, Reply } from '../../core/types.js';
import { typedPosition } from '../../core/typed-position.js';

/**
 * The longest text Yici sends in one WeChat message, in UTF-8 bytes. WeChat does not document a
 * limit for a passive text reply; longer ones are dropped and the citizen sees 「该公众号提供的服务
 * 出现故障」 (reported from about 600 Chinese characters, i.e. 2 KB). 2048 bytes is the figure
 * commonly used for text messages of the customer-service API as well.
 */
export const TEXT_LIMIT_BYTES = 2048;

export interface WechatText {
  text: string;
  /** The turn's checklist and its printable page (with a base URL), for a 图文 card where configured. */
  checklist?: { title: string; count: number; url: string };
  /** The choices on offer, in the order of their numbers (1 = first). */
  choices: Choice[];
  /**
   * Choices offered by their words only: the navigation of a walkthrough question that expects a
   * typed answer (a number, a name), where 「2」 must stay an answer rather than pick 「重新开始」.
   */
  words: Choice[];
}

/** A walkthrough question answered by typing: its only buttons are 上一步 / 重新开始. */
const navigationOnly = (choices: readonly Choice[]) => choices.every((c) => c.value.startsWith('flow:') && !c.value.startsWith('flow:answer:'));

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Cuts `s` to at most `max` bytes without splitting a character, with 「…」 when cut. */
export function cutToBytes(s: string, max: number): string {
  if (bytes(s) <= max) return s;
  let out = '';
  let used = bytes('…');
  for (const ch of s) {
    const b = bytes(ch);
    if (used + b > max) break;
    out += ch;
    used += b;
  }
  return `${out}…`;
}

/** The sources as one short line: the first title, how many more, the date checked. */
export function sourcesLine(card: Pick<AnswerCard, 'sources' | 'lastVerified'>): string {
  if (card.sources.length === 0) return '';
  const [first, ...rest] = card.sources;
  const checked = card.lastVerified ?? card.sources.map((s) => s.checked).sort().at(-1) ?? '';
  return `来源：${first!.title}${rest.length ? ` 等 ${card.sources.length} 项` : ''}${checked ? `（核对于 ${checked}）` : ''}`;
}

const sectionText = (s: AnswerCard['sections'][number]) => [`${s.heading}：`, ...s.lines.map((l) => (/^\d+\./.test(l) ? l : `· ${l}`))].join('\n');

/**
 * An answer card in at most `budget` bytes: title, summary, caution and sources always; then the
 * sections in order while they fit, and the legal basis if it fits too. When something was left
 * out, a last line says where the whole answer is.
 */
export function cardText(card: AnswerCard, budget: number, fullAt: string | null): string {
  const head = [`【${card.title}】`, card.summary].join('\n');
  const tail = [card.caution ? `提示：${card.caution}` : '', sourcesLine(card)].filter(Boolean).join('\n');
  const legal = card.legalBasis.length && card.aspect !== 'legal' ? `依据：${card.legalBasis.join('；')}` : '';
  const sections = card.sections.map(sectionText);
  const join = (parts: string[]) => parts.filter(Boolean).join('\n\n');
  const full = join([head, ...sections, legal, tail]);
  if (bytes(full) <= budget) return full;
  const more = fullAt ? `（内容较长，这里只列出一部分。完整内容可在网页版查看：${fullAt}）` : '（内容较长，这里只列出一部分，可以继续问我具体哪一项。）';
  const kept: string[] = [];
  for (const s of sections) {
    if (bytes(join([head, ...kept, s, more, tail])) > budget) break;
    kept.push(s);
  }
  const shortened = join([head, ...kept, more, tail]);
  return bytes(shortened) <= budget ? shortened : cutToBytes(join([head, more, tail]), budget);
}

const materialCount = (m: { originals: number; copies: number }) =>
  [m.originals ? `原件${m.originals}份` : '', m.copies ? `复印件${m.copies}份` : ''].filter(Boolean).join('、');

/** Queue wording written for a web page: a WeChat citizen may close WeChat and still be answered. */
const forWechat = (text: string) => text.replace('请不要关闭页面，工作人员接入后会在这里回复您', '工作人员接入后会在微信里回复您');

/**
 * One WeChat text for the replies of a turn (or an officer's message). `baseUrl` makes links
 * absolute (the checklist page, the web chat for a long answer); without it no link is written.
 */
export function renderWechat(replies: readonly Reply[], baseUrl: string | null, limit = TEXT_LIMIT_BYTES): WechatText {
  const choices: Choice[] = [];
  const words: Choice[] = [];
  let checklist: WechatText['checklist'];
  const SEP = '\n\n';
  // Everything but the answer cards first: they are what gets shortened.
  const parts: ({ card: AnswerCard } | { text: string })[] = replies.map((r) => {
    switch (r.type) {
      case 'text':
        return r.card ? { card: r.card } : { text: forWechat(r.text) };
      case 'handoff':
        return { text: forWechat(r.text) };
      case 'choices': {
        if (navigationOnly(r.choices)) {
          words.push(...r.choices);
          return { text: `${r.text}\n请直接输入回答；也可以回复${r.choices.map((c) => `「${c.label}」`).join('或')}。` };
        }
        const lines = r.choices.map((c) => `${choices.push(c)}. ${c.label}`);
        return { text: [r.text, '回复数字选择：', ...lines].join('\n') };
      }
      case 'checklist': {
        if (baseUrl) checklist = { title: r.title, count: r.materials.length, url: new URL(r.url, `${baseUrl}/`).toString() };
        const link = baseUrl ? `可打印的清单（办事时给窗口看）：${new URL(r.url, `${baseUrl}/`).toString()}` : '';
        const head = `【${r.title}】要带的材料共 ${r.materials.length} 项：`;
        const list = r.materials.map((m) => `· ${m.name}${materialCount(m) ? `（${materialCount(m)}）` : ''}`);
        // The list is cut before the link: the link is what the citizen takes to the counter.
        let shown = list;
        while (shown.length > 0 && bytes([head, ...shown, link].join('\n')) > limit / 2) shown = shown.slice(0, -1);
        const rest = list.length - shown.length;
        return { text: [head, ...shown, rest > 0 ? `……另有 ${rest} 项，见清单。` : '', link].filter(Boolean).join('\n') };
      }
    }
  });
  const others = parts.reduce((n, p) => n + ('text' in p ? bytes(p.text) + bytes(SEP) : bytes(SEP)), 0);
  const cards = parts.filter((p) => 'card' in p).length;
  const budget = cards ? Math.max(200, Math.floor((limit - others) / cards)) : 0;
  const fullAt = baseUrl ? `${baseUrl}/` : null;
  const text = parts.map((p) => ('text' in p ? p.text : cardText(p.card, budget, fullAt))).filter(Boolean).join(SEP);
  return { text: cutToBytes(text, limit), choices, words, ...(checklist ? { checklist } : {}) };
}

const FULL_WIDTH_DIGIT = /[０-９]/g;

/**
 * A typed place (「5」) beyond the numbered choices on offer: the number of choices, so the reply
 * can say which numbers there are; null when the text is no place or there are no numbered choices.
 */
export function positionOutOfRange(typed: string, choices: readonly Choice[]): number | null {
  const i = typedPosition(typed);
  return i !== null && choices.length > 0 && (i < 1 || i > choices.length) ? choices.length : null;
}

/**
 * What a typed reply means when choices are on offer: 「1」「１」「1.」「第1个」 → the first
 * choice's value; the label typed out → that choice's value; anything else → null (ordinary text).
 */
export function choiceFor(typed: string, choices: readonly Choice[], words: readonly Choice[] = []): string | null {
  if (choices.length === 0 && words.length === 0) return null;
  const t = typed.replace(FULL_WIDTH_DIGIT, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).trim();
  const i = typedPosition(t);
  if (i !== null && choices.length > 0) return i >= 1 && i <= choices.length ? choices[i - 1]!.value : null;
  const label = t.replace(/[。.！!]+$/, '');
  return [...choices, ...words].find((c) => c.label === label)?.value ?? null;
}
