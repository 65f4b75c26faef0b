/**
 * Reads whether a word of a first message is said or denied: 「只卖预包装，不卖散装」 says
 * 预包装 and denies 散装. Walkthrough prefill uses it for every rule of every flow, so a flow
 * never has to list 「不卖散装」 next to 「散装」 to avoid reading the opposite of what was said.
 *
 * Pure and small on purpose: a cue (不 没 未 无 非) before the word in the same clause, or a
 * denying verb after it (「烟就不卖了」). Clauses end at punctuation and at words that start a new
 * statement (只 但 还 就 …), so 「不卖散装只卖预包装」 denies only 散装.
 */
import { normalize } from '../nlp/normalize.js';

/** How an occurrence of a word reads. */
export type Reading =
  /** Said plainly. */
  | 'said'
  /** Denied, and the denial is about this word (「不卖烟」「没交过公积金」「散装的不卖」): the opposite holds. */
  | 'denied'
  /** A denial nearby that may be about something else (「不卖散装食品」 for 食品): not said, opposite unknown. */
  | 'doubtful';

/** Tunable constants, in one place. */
export const NEGATION = {
  /** Characters that deny what follows. */
  cues: ['不', '没', '未', '无', '非'],
  /** Cue + next character pairs that do not deny (不过 = but, 不同 = different, 无论 = whatever …). */
  notDenying: [
    '不过', '不同', '不错', '不少', '不久', '不仅', '不但', '不管', '不论', '不然', '不如', '不断', '不单', '不好', '不动', '不定',
    '没错', '没事', '无论', '无线', '无所', '非常', '非得', '未来',
  ],
  /** Characters before a cue that make it not deny (除非 = unless, 莫非, 是非). */
  notDenyingBefore: ['除', '莫', '是'],
  /**
   * Words allowed between a cue and the word for the denial to be about the word: verbs of doing
   * and wanting, 任何, 的 … (「不想卖烟」「没交过公积金」「不卖任何吃的」).
   */
  bridge: ['打算', '准备', '经营', '任何', '什么', '其他', '一点', '涉及', '考虑', '卖', '做', '开', '想', '要', '会', '再', '用', '是', '在', '搞', '啥', '的', '有', '办', '交', '过', '算', '也', '都', '弄', '上', '去', '能'],
  /** Farthest a cue may stand before a word (characters in between) and still cast doubt on it. */
  reach: 4,
  /** Characters and words that start a new statement inside a clause: a denial does not reach past them. */
  breakers: ['只', '但', '可是', '而是', '还', '就', '却', '另外', '光', '仅'],
} as const;

/** Splits a message into clauses (at punctuation and line breaks) and normalises each one. */
export function clausesOf(message: string): string[] {
  return message
    .split(/[，,。.；;！!？?、\n\r：:（）()“”"'‘’]+/u)
    .map((c) => normalize(c))
    .filter((c) => c.length > 0);
}

// A denial after the word ends the clause: 「散装的不卖」 denies 散装, 「预包装的不卖散装的」 does not deny 预包装.
const AFTER = /^(?:的|也|就|都|暂时|先|一概|是|我们?|咱们?)*(?:(?:不|没|未)(?:想|打算|准备|会|再|用)?(?:卖|做|要|搞|经营|交|办|开|有|考虑|弄|上)|没有)(?:交|过|了|啦|的|哦|呢|吧|啊)*$/u;

/** A cue at `i`; `word` is where the word starts (a cue right before it always denies: 「不过期」「不管轮」). */
function cueAt(text: string, i: number, word: number): boolean {
  const c = text[i]!;
  if (!(NEGATION.cues as readonly string[]).includes(c)) return false;
  if (i + 1 < word && (NEGATION.notDenying as readonly string[]).includes(text.slice(i, i + 2))) return false;
  if (i > 0 && (NEGATION.notDenyingBefore as readonly string[]).includes(text[i - 1]!)) return false;
  return true;
}

/** True when `gap` is made only of bridge words. */
function bridges(gap: string): boolean {
  let rest = gap;
  while (rest.length > 0) {
    const b = NEGATION.bridge.find((w) => rest.startsWith(w));
    if (!b) return false;
    rest = rest.slice(b.length);
  }
  return true;
}

/** How the occurrence of a word at `start` (length `length`) in a normalised clause reads. */
export function readingAt(clause: string, start: number, length: number): Reading {
  // A denying verb right after the word: 「散装的不卖」「烟就不卖了」「公积金没有」.
  if (AFTER.test(clause.slice(start + length))) return 'denied';
  // The nearest cue before the word, within reach, with no breaker in between.
  for (let i = start - 1; i >= 0 && start - i - 1 <= NEGATION.reach; i--) {
    const gap = clause.slice(i + 1, start);
    if (NEGATION.breakers.some((b) => gap.includes(b))) return 'said';
    if (cueAt(clause, i, start)) return bridges(gap) ? 'denied' : 'doubtful';
  }
  return 'said';
}

/** A group of words that answer the same slots (a prefill rule, or several rules about one slot). */
export interface WordGroup {
  words: readonly string[];
  /** The slots the group answers: a match inside a longer match of a group about one of them is not read on its own. */
  slots: readonly string[];
}

/** Groups with their words normalised (prepareGroups), to be read against many messages. */
export interface PreparedGroups {
  readonly groups: readonly WordGroup[];
  readonly normalizedWords: readonly (readonly string[])[];
}

/**
 * Normalises the groups' words once. A walkthrough's prefill rules hold more words than
 * normalize's small cache of recent texts, so normalising them on every message converted each
 * one (opencc) again; prepare them once per flow instead.
 */
export function prepareGroups(groups: readonly WordGroup[]): PreparedGroups {
  return { groups, normalizedWords: groups.map((g) => g.words.map(normalize).filter((w) => w.length > 0)) };
}

/**
 * The readings of each group's words in the message's clauses. A word found inside a longer word
 * about the same slot is read as part of it: in 「不只卖预包装」 the 预包装 is not said, and
 * 「没有公积金」 is not also a plain 公积金.
 */
export function readGroups(message: string, groups: readonly WordGroup[] | PreparedGroups): Reading[][] {
  const prepared = 'normalizedWords' in groups ? groups : prepareGroups(groups);
  const words = prepared.normalizedWords;
  groups = prepared.groups;
  const out: Reading[][] = groups.map(() => []);
  for (const clause of clausesOf(message)) {
    const matches: { group: number; start: number; end: number }[] = [];
    words.forEach((groupWords, group) => {
      for (const w of groupWords) {
        for (let at = clause.indexOf(w); at >= 0; at = clause.indexOf(w, at + 1)) matches.push({ group, start: at, end: at + w.length });
      }
    });
    for (const m of matches) {
      const inside = matches.some(
        (o) => o !== m && o.start <= m.start && o.end >= m.end && o.end - o.start > m.end - m.start &&
          groups[o.group]!.slots.some((s) => groups[m.group]!.slots.includes(s)),
      );
      if (!inside) out[m.group]!.push(readingAt(clause, m.start, m.end - m.start));
    }
  }
  return out;
}

/** Every reading of `word` in the message (empty when it does not occur). */
export function readingsOf(message: string, word: string): Reading[] {
  return readGroups(message, [{ words: [word], slots: [] }])[0]!;
}
