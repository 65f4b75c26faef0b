/**
 * Text normalisation for Chinese questions: full-width → half-width, traditional → simplified,
 * lower case, emoji and punctuation removed, spaces between Chinese characters dropped, and
 * Chinese numerals before a unit written as digits (三岁 → 3岁).
 * Pure and deterministic; the same function runs over the knowledge base and every query.
 */
import * as OpenCC from 'opencc-js';
import { arabicNumerals } from './numerals.js';

// Hong Kong / Taiwan traditional characters to mainland simplified (covers 營業執照, 戶口, 證).
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });
const toSimplifiedTw = OpenCC.Converter({ from: 'tw', to: 'cn' });

const EMOJI = /\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}]|\u{FE0F}|\u{200D}|\u{20E3}/gu;
// Everything that is not a letter, a digit or a CJK ideograph separates words.
const SEPARATORS = /[^\p{L}\p{N}]+/gu;
const CJK = '\\p{Script=Han}';
const SPACE_BETWEEN_CJK = new RegExp(`(?<=${CJK})\\s+(?=${CJK})`, 'gu');

/**
 * The last few texts normalised, and their results. One message is normalised by the dialogue
 * (choices, greetings, navigation) and again by the analysis, and an entry's name by the
 * dictionary, its analysis and its name evidence: each is converted once. Small on purpose: it
 * spares the repeats within one message or entry, it does not hold on to traffic.
 */
const recent = new Map<string, string>();
const RECENT_TEXTS = 32;
const RECENT_MAX_LENGTH = 500;

/**
 * Characters typed for one that looks the same (a stroke-based input method's slip, or text
 * copied from a scan): 囗 (the enclosure radical, never a word of its own in a question) for 口 —
 * 户囗 is 户口. Kept to characters that are never meant as themselves in citizens' text.
 */
const LOOKALIKE = /囗/g;
const LOOKALIKE_FOR: Readonly<Record<string, string>> = { 囗: '口' };

/** Fixes a handful of common input-method slips that are not homophones (kept tiny on purpose). */
export function normalize(input: string): string {
  // Keyed by the NFKC form: the message classifier passes on 「？」 as 「?」.
  const nfkc = input.normalize('NFKC');
  const known = recent.get(nfkc);
  if (known !== undefined) return known;
  const out = convert(nfkc);
  if (nfkc.length <= RECENT_MAX_LENGTH) {
    if (recent.size >= RECENT_TEXTS) recent.delete(recent.keys().next().value!);
    recent.set(nfkc, out);
  }
  return out;
}

/** Everything after NFKC. */
function convert(nfkc: string): string {
  let s = toSimplifiedTw(toSimplified(nfkc)).replace(LOOKALIKE, (c: string) => LOOKALIKE_FOR[c] ?? c);
  s = s.toLowerCase();
  s = arabicNumerals(s);
  s = s.replace(EMOJI, ' ');
  s = s.replace(SEPARATORS, ' ');
  s = s.replace(SPACE_BETWEEN_CJK, '');
  // Dropping punctuation and spaces can bring a numeral to its unit (「两，个工作日」 → 两个工作日):
  // convert once more, so that normalising a normalised text changes nothing.
  s = arabicNumerals(s);
  return s.replace(/\s+/g, ' ').trim();
}

export const isHan = (ch: string): boolean => /\p{Script=Han}/u.test(ch);

/** Contiguous runs of Chinese characters, e.g. 「办 id 执照」 → [办, 执照]. */
export function hanRuns(normalized: string): string[] {
  return normalized.match(/\p{Script=Han}+/gu) ?? [];
}
