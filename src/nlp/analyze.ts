/**
 * One analysis for queries and knowledge text alike: normalise, expand synonyms, segment, and
 * derive the character and sound n-grams that make retrieval tolerant of typos and homophones.
 */
import { ASPECT_WORDS } from './aspects.js';
import { isHan, normalize } from './normalize.js';
import { pinyinKeys, soundKeys } from './pinyin.js';
import { STOPWORDS } from './stopwords.js';
import type { Tokenizer } from './tokenizer.js';

/**
 * A question that ends in 不 (收费不, 要钱不, 能办不) asks as one ending in 吗 does: read so, that
 * 不 is neither a negation nor something the question is about. (「办好了没」 asks whether it is
 * done, not a yes-or-no about the matter: left as it is.)
 */
const TRAILING_NOT = /(?<=\p{Script=Han}{2})不$/u;

/**
 * 哪 before a verb or at the end (在哪交, 去哪办, 去哪) is 哪里: jieba's HMM would otherwise join it
 * to the verb as an unknown word (哪交), which is neither a place question nor a thing asked about.
 * 哪个, 哪些, 哪天, 哪几, 哪一 … are words of their own and stay.
 */
const BARE_WHERE = /哪(?=[^个里儿些怕天位样种家年么有能怎几一\P{Script=Han}]|$)/gu;

/**
 * 的, 了, a number and a measure word between two characters (养娃的补贴, 请了三个工人, 招两名员工,
 * 开了个店): no gap in a word. Lexicon variants are also looked for without them, and so are names
 * with a gap (search-index.ts).
 */
export const LOOSE_WORDS = /(?<=\p{Script=Han})(?:的|了(?:[一二两三四五六七八九十几]+|\d+)?[个位名家间]?|(?:[一二两三四五六七八九十几]+|\d+)[个位名家间])(?=\p{Script=Han})/gu;

export interface SynonymGroup {
  canonical: string;
  variants: readonly string[];
}

export interface Analyzed {
  /** Normalised text with the canonical form of every recognised variant appended. */
  text: string;
  /** Segmented words in order (no spaces). */
  tokens: string[];
  /** The normalised text as typed, before synonyms were appended. */
  original: string;
  /** Words that can tell matters apart: no stopwords, no aspect words, no punctuation. */
  content: string[];
  /** What the word channel searches: the content words and the general words inside long names. */
  terms: string[];
  /** Overlapping pairs of Chinese characters, and single characters of one-character runs. */
  charGrams: string[];
  /** The same pairs as folded pinyin, e.g. 「se|bao」. */
  soundGrams: string[];
  /** Folded pinyin of every Chinese run, space separated and padded, for sound containment. */
  soundText: string;
}

export interface Analyzer {
  analyze(input: string): Analyzed;
  /** Is this a word that says nothing about which matter is meant? */
  isFiller(word: string): boolean;
  /**
   * Builds now what is otherwise built by the first question that needs it (the sound table for
   * reading typed pinyin as the knowledge base's words: 40–80 ms for the shipped one), so that a
   * citizen's first pinyin question does not hold the server for it.
   */
  prepare(): void;
  /**
   * The sound tables worked out so far (after `prepare`: all of them), as data to keep with an
   * engine's snapshot and pass back as `AnalyzerOptions.tables`.
   */
  tables(): SoundTables;
  /** Nouns of two or more Chinese characters in a normalised text that say what it is about (none without a tagger). */
  nouns(normalized: string): string[];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The most syllables of one known word read from typed pinyin. */
const MAX_WORD_SYLLABLES = 8;

/**
 * Typed toneless pinyin (「kai xiao mai bu」, 「shebaoka」, 「fapiao zenme ling」) rewritten as the
 * known words it sounds like, longest first; syllables that spell no known word are dropped. A
 * Latin run that is not pinyin, or spells no known word, is left as it is. `wordOf` looks a
 * syllable sequence up: the knowledge base's names first, then its other words.
 */
function readPinyin(text: string, wordOf: (key: string) => string | undefined): string {
  if (!/[a-z]/.test(text)) return text;
  return text.replace(/[a-z]+(?: [a-z]+)*/g, (run) => {
    const groups = run.split(' ').map(pinyinKeys);
    if (groups.some((g) => g === null)) return run;
    const keys = groups.flatMap((g) => g!);
    if (keys.length < 2) return run;
    // Where each typed group (between spaces) starts: a word read across a space starts and ends
    // at one (「jiazhao daoqi」 is 驾照 到期, never the 找到 of zhao + dao), or lies inside one group.
    const groupOf = groups.flatMap((g, at) => g!.map(() => at));
    const starts = new Set<number>([keys.length]);
    for (let i = 0; i < keys.length; i++) if (i === 0 || groupOf[i] !== groupOf[i - 1]) starts.add(i);
    const fits = (i: number, n: number) => groupOf[i] === groupOf[i + n - 1] || (starts.has(i) && starts.has(i + n));
    const words: string[] = [];
    for (let i = 0; i < keys.length; ) {
      let found = 0;
      for (let n = Math.min(MAX_WORD_SYLLABLES, keys.length - i); n >= 2 && found === 0; n--) {
        if (!fits(i, n)) continue;
        const word = wordOf(keys.slice(i, i + n).join(' '));
        if (word) {
          words.push(word);
          found = n;
        }
      }
      i += Math.max(1, found);
    }
    return words.length > 0 ? ` ${words.join('')} ` : run;
  });
}

/** Sound key → word, the first word of each sound winning. Only words of two or more Chinese characters. */
function soundMap(words: Iterable<string>, into = new Map<string, string>()): Map<string, string> {
  for (const word of words) {
    const w = normalize(word);
    if (!/^\p{Script=Han}{2,}$/u.test(w)) continue;
    const key = soundKeys(w).join(' ');
    if (!into.has(key)) into.set(key, w);
  }
  return into;
}

/** Words of this many Chinese characters are put right when typed with one homophone wrong. */
const CORRECTED_LENGTH = { min: 3, max: 6 };

/**
 * Sound key → the knowledge base's word of 3–6 Chinese characters that sounds so (the index's
 * words, without function characters); null when two words sound alike (then neither is put right).
 */
export interface CorrectionMap {
  bySound: Map<string, string | null>;
  /** The sound keys of every word's first CORRECTED_LENGTH.min syllables: a run position none starts is skipped at once. */
  starts: Set<string>;
}

function correctionMap(words: readonly string[]): CorrectionMap {
  const map = new Map<string, string | null>();
  const starts = new Set<string>();
  for (const word of words) {
    const w = normalize(word);
    const n = [...w].length;
    if (n < CORRECTED_LENGTH.min || n > CORRECTED_LENGTH.max || !/^\p{Script=Han}+$/u.test(w)) continue;
    // A phrase with a function character (出生了要办, 办社保卡) is not a word to put right; its word is.
    if ([...w].some((c) => STOPWORDS.has(c))) continue;
    const keys = soundKeys(w);
    const key = keys.join(' ');
    const known = map.get(key);
    if (known === undefined) map.set(key, w);
    else if (known !== w) map.set(key, null);
    starts.add(keys.slice(0, CORRECTED_LENGTH.min).join(' '));
  }
  return { bySound: map, starts };
}

/** A word of the segmenter's dictionary-only cut and where it lies in the text: [start, end). */
interface DictionaryWord {
  word: string;
  start: number;
  end: number;
}

/**
 * For each position (UTF-16 unit) of the text, the dictionary word it belongs to; empty when the
 * dictionary's cut does not give the text back whole (positions would not line up).
 */
function dictionaryWordsAt(text: string, tokenizer: Tokenizer): DictionaryWord[] {
  const cut = tokenizer.knownWords?.(text) ?? [];
  const at: DictionaryWord[] = [];
  if (cut.join('') !== text) return at;
  for (const word of cut) {
    const w = { word, start: at.length, end: at.length + word.length };
    for (let k = 0; k < word.length; k++) at.push(w);
  }
  return at;
}

/**
 * The most common typing slip in Chinese is a homophone picked from the input method's list:
 * 公基金 for 公积金, 养老今 for 养老金, 营业执招 for 营业执照. A run of 3–6 characters that sounds
 * exactly like one of the knowledge base's words and differs from it in one character is read as
 * that word — unless the run is itself a word of the segmenter's dictionary (a real word that
 * happens to sound alike), or the character that differs belongs to a word reaching outside the
 * run (一般医院 is not 一办医院) or to a function word (怎么算 is not a word that sounds alike), or
 * the run starts or ends inside a word (公开公示 holds no 开公示).
 * Longest first; one character in a word, so that a sentence is never rewritten into a name.
 */
function correctHomophones(
  text: string,
  { bySound, starts }: CorrectionMap,
  tokenizer: Tokenizer,
  isFiller: (w: string) => boolean,
): string {
  // Cut only when a run sounds like a word at all.
  let words: DictionaryWord[] | null = null;
  const wordAt = (at: number): DictionaryWord | undefined => (words ??= dictionaryWordsAt(text, tokenizer))[at];
  return text.replace(/\p{Script=Han}{3,}/gu, (run: string, offset: number) => {
    const chars = [...run];
    // Positions below are string positions: a run with a character outside the BMP is left alone.
    if (chars.length !== run.length) return run;
    const keys = soundKeys(run);
    let out = '';
    for (let i = 0; i < chars.length; ) {
      let taken = 0;
      const start = i + CORRECTED_LENGTH.min <= chars.length && starts.has(keys.slice(i, i + CORRECTED_LENGTH.min).join(' '));
      for (let n = Math.min(CORRECTED_LENGTH.max, chars.length - i); start && n >= CORRECTED_LENGTH.min && taken === 0; n--) {
        const word = bySound.get(keys.slice(i, i + n).join(' '));
        if (!word) continue;
        const target = [...word];
        const differ = chars.slice(i, i + n).flatMap((c, j) => (c !== target[j] ? [j] : []));
        if (differ.length !== 1) continue;
        const from = offset + i;
        const to = from + n;
        const w = wordAt(from + differ[0]!);
        if (!w || isFiller(w.word) || w.start < from || w.end > to || (w.start === from && w.end === to)) continue;
        // Nor a run that starts or ends inside a word (公开公示 holds no 开公示).
        if (wordAt(from)!.start !== from || wordAt(to - 1)!.end !== to) continue;
        out += word;
        taken = n;
      }
      if (taken === 0) {
        out += chars[i];
        taken = 1;
      }
      i += taken;
    }
    return out;
  });
}

/**
 * What the analyzer works out from its words before the first question — sound key → word for
 * reading typed pinyin (`bySound`; `more`: the other words of the index) and the homophone
 * corrections — as data. The same words give the same tables: an engine's snapshot keeps them, so
 * a start from the knowledge cache does not normalise and read out every word again (~0.2 s of a
 * warm start with 2,400 entries).
 */
export interface SoundTables {
  bySound: Map<string, string>;
  more: Map<string, string> | null;
  correction: CorrectionMap | null;
}

export interface AnalyzerOptions {
  /** Cantonese → Mandarin rewrites. */
  dialect?: Readonly<Record<string, string>>;
  /** Known words (names, lexicon) that typed pinyin may spell. */
  vocabulary?: readonly string[];
  /**
   * More words typed pinyin may spell when no known word sounds alike — the knowledge base's other
   * words, most common first (「fapiao」 → 发票, 「ruxue」 → 入学). Asked for once, on the first
   * pinyin question, so start-up does not pay for it; an empty answer is asked again later.
   */
  readingWords?: () => readonly string[];
  /** Tables an analyzer with the same options worked out (`Analyzer.tables`): used instead of working them out. */
  tables?: SoundTables;
}

export function createAnalyzer(
  baseTokenizer: Tokenizer,
  synonyms: readonly SynonymGroup[],
  options: AnalyzerOptions = {},
): Analyzer {
  const dialect = options.dialect ?? {};
  const dialectMap = new Map(Object.entries(dialect).map(([k, v]) => [normalize(k), v]));
  const dialectRe =
    dialectMap.size > 0
      ? new RegExp([...dialectMap.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join('|'), 'g')
      : null;
  const canonicalOf = new Map<string, string>();
  for (const g of synonyms) {
    const canonical = normalize(g.canonical);
    for (const v of g.variants) canonicalOf.set(normalize(v), canonical);
  }
  const variants = [...canonicalOf.keys()].filter(Boolean).sort((a, b) => b.length - a.length);
  const variantRe = variants.length > 0 ? new RegExp(variants.map(escapeRe).join('|'), 'g') : null;
  const tokenizer = baseTokenizer.withWords([...canonicalOf.keys(), ...canonicalOf.values()]);
  const bySound = options.tables?.bySound ?? soundMap([...(options.vocabulary ?? []), ...canonicalOf.values()]);
  // Function and aspect words (怎么, 什么, 材料, 时间) before the other words, so 「yao shenme cailiao」
  // still says what is asked and 「shijian」 is 时间, not a rarer word that sounds alike.
  const askWords = [...STOPWORDS, ...ASPECT_WORDS];
  let askBySound: Map<string, string> | null = null;
  let moreBySound: Map<string, string> | null = options.tables?.more ?? null;
  let correctBySound: CorrectionMap | null = moreBySound ? (options.tables?.correction ?? null) : null;
  const buildMore = () => {
    if (moreBySound) return;
    const more = options.readingWords?.() ?? [];
    if (more.length === 0) return;
    moreBySound = soundMap(more, soundMap(askWords));
    correctBySound = correctionMap(more);
  };
  const wordOf = (key: string): string | undefined => {
    const known = bySound.get(key);
    if (known !== undefined) return known;
    buildMore();
    if (moreBySound) return moreBySound.get(key);
    return (askBySound ??= soundMap(askWords)).get(key);
  };
  // Without any known words (a bare analyzer in tests) typed Latin is left as it is.
  const readsPinyin = bySound.size > 0 || options.readingWords !== undefined;

  /**
   * Cantonese words rewritten, but not from inside a Mandarin word: 重点办理 holds 点办 (点办 → 怎么办)
   * and 打开档案 holds 开档, each starting inside a word of the segmenter's dictionary (重点, 打开).
   * Words it would only guess (新伙记) do not count. Segmented only when some rewrite applies.
   */
  const rewriteDialect = (text: string): string => {
    if (!dialectRe) return text;
    dialectRe.lastIndex = 0;
    if (!dialectRe.test(text)) return text;
    const words = dictionaryWordsAt(text, baseTokenizer);
    return text.replace(dialectRe, (m: string, offset: number) => (words.length === 0 || words[offset]?.start === offset ? (dialectMap.get(m) ?? m) : m));
  };

  // A short word made only of function characters (我想, 要办) is itself a function word.
  const isFiller = (w: string): boolean =>
    STOPWORDS.has(w) || ASPECT_WORDS.has(w) || (w.length <= 3 && [...w].every((c) => STOPWORDS.has(c)));

  return {
    isFiller,
    prepare: buildMore,
    tables: () => ({ bySound, more: moreBySound, correction: correctBySound }),
    nouns: (text) => (tokenizer.nouns?.(text) ?? []).filter((w) => [...w].length >= 2 && /^\p{Script=Han}+$/u.test(w) && !isFiller(w)),
    analyze(input) {
      let normalized = (readsPinyin ? readPinyin(normalize(input), wordOf) : normalize(input)).replace(/\s+/g, ' ').trim();
      normalized = normalized.replace(/(?<=\p{Script=Han})\s+(?=\p{Script=Han})/gu, '');
      if (dialectRe) normalized = rewriteDialect(normalized);
      if (correctBySound) normalized = correctHomophones(normalized, correctBySound, baseTokenizer, isFiller);
      normalized = normalized.replace(TRAILING_NOT, '吗').replace(BARE_WHERE, '哪里');
      const added = new Set<string>();
      if (variantRe) {
        // Not a variant cut out of a longer word the general dictionary knows (士多 in 亚里士多德).
        let words: DictionaryWord[] | null = null;
        const inside = (at: number, length: number): boolean => {
          const w = (words ??= dictionaryWordsAt(normalized, baseTokenizer))[at];
          return w !== undefined && w.start <= at && w.end >= at + length && w.end - w.start > length;
        };
        for (const m of normalized.matchAll(variantRe)) {
          const c = canonicalOf.get(m[0]);
          if (c && !normalized.includes(c) && !inside(m.index, m[0].length)) added.add(c);
        }
        // A verb and its object said with 了, a number or a measure word between (请了三个工人,
        // 开了个厂), or a thing said with 的 (养娃的补贴), is the everyday word too (请工人, 养娃补贴).
        const compact = normalized.replace(LOOSE_WORDS, '');
        if (compact !== normalized) {
          for (const m of compact.matchAll(variantRe)) {
            const c = canonicalOf.get(m[0]);
            if (c && !normalized.includes(c)) added.add(c);
          }
        }
      }
      const text = added.size > 0 ? `${normalized} ${[...added].join(' ')}` : normalized;
      const allTokens = tokenizer.cut(text);
      const tokens = allTokens.filter((t) => t.trim().length > 0);
      const content = tokens.filter((t) => !isFiller(t) && /[\p{L}\p{N}]/u.test(t));
      // A name kept whole (协议离婚) also counts as its general words (协议, 离婚), so 「离婚去哪办」
      // finds the entry named 协议离婚 — as a search engine indexes a compound and its parts.
      const terms = [...content];
      for (const t of content) {
        if ([...t].length < 3) continue;
        const parts = tokenizer.parts(t).filter((p) => p !== t && [...p].length >= 2 && !isFiller(p));
        terms.push(...parts);
      }
      // Characters that belong to a function or aspect word (去哪里办, 要什么材料): a pair made only
      // of them says how something is asked, not what about, and would pull in every FAQ asked alike.
      const filler: boolean[] = [];
      // Only when the segmenter returned the text whole; otherwise positions would not line up.
      if (allTokens.join('') === text) for (const t of allTokens) for (const _ of t) filler.push(t.trim().length === 0 || isFiller(t));
      const charGrams: string[] = [];
      const soundGrams: string[] = [];
      const soundParts: string[] = [];
      const chars = [...text];
      for (let start = 0; start < chars.length; ) {
        if (!isHan(chars[start]!)) {
          start++;
          continue;
        }
        let end = start;
        while (end < chars.length && isHan(chars[end]!)) end++;
        const run = chars.slice(start, end);
        const keys = soundKeys(run.join(''));
        soundParts.push(keys.join(' '));
        if (run.length === 1) {
          if (!filler[start]) charGrams.push(run[0]!);
        } else {
          for (let i = 0; i + 1 < run.length; i++) {
            if (filler[start + i] && filler[start + i + 1]) continue;
            charGrams.push(`${run[i]}${run[i + 1]}`);
            soundGrams.push(`${keys[i]}|${keys[i + 1]}`);
          }
        }
        start = end;
      }
      return { text, original: normalized, tokens, content, terms, charGrams, soundGrams, soundText: ` ${soundParts.join(' , ')} ` };
    },
  };
}
