/**
 * Domain words on top of a general segmenter, without changing it. The knowledge base's names
 * are found first, longest match from the left; the text between them goes to the general
 * segmenter. Each engine gets its own word list, so building a preview engine with a new alias
 * leaves the live engine's segmentation as it was (nodejieba's own dictionary is process-wide).
 * Pure.
 */
import type { Tokenizer } from './tokenizer.js';

/** Longer words are sentences, not names; shorter ones are single characters. */
const MIN_WORD = 2;
const MAX_WORD = 12;

export function withDictionary(
  cutGeneral: (text: string) => string[],
  words: Iterable<string>,
  nouns?: (text: string) => string[],
  knownWords?: (text: string) => string[],
): Tokenizer {
  const dictionary = new Set<string>();
  // The lengths of the words starting with each character (bit n: a word of n characters), so
  // most positions are skipped at once and only lengths that exist are looked up.
  const lengths = new Map<string, number>();
  for (const w of words) {
    const chars = [...w];
    if (chars.length < MIN_WORD || chars.length > MAX_WORD || /\s/.test(w)) continue;
    dictionary.add(w);
    lengths.set(chars[0]!, (lengths.get(chars[0]!) ?? 0) | (1 << chars.length));
  }
  const cut = (text: string): string[] => {
    if (dictionary.size === 0) return cutGeneral(text);
    // Code units stand for characters unless the text has astral characters (emoji, rare Han).
    const chars = /[\uD800-\uDFFF]/.test(text) ? [...text] : null;
    const length = chars ? chars.length : text.length;
    const at = (i: number) => (chars ? chars[i]! : text[i]!);
    const slice = (a: number, b: number) => (chars ? chars.slice(a, b).join('') : text.slice(a, b));
    // The general dictionary's own longer words, asked only when a domain word is found.
    let known: { start: Int32Array; end: Int32Array } | null | undefined;
    const knownAround = () => {
      if (known !== undefined) return known;
      known = null;
      if (!knownWords) return known;
      const start = new Int32Array(length), end = new Int32Array(length);
      let p = 0;
      for (const w of knownWords(text)) {
        const n = chars ? [...w].length : w.length;
        for (let k = p; k < p + n && k < length; k++) [start[k], end[k]] = [p, p + n];
        p += n;
      }
      if (p === length) known = { start, end }; // else the parts do not spell the text: ask nothing
      return known;
    };
    /** Is [i, i + len) strictly inside a longer word the general dictionary knows (士多 in 亚里士多德)? */
    const inside = (i: number, len: number): boolean => {
      const k = knownAround();
      return k !== null && k.start[i]! <= i && k.end[i]! >= i + len && k.end[i]! - k.start[i]! > len;
    };
    const out: string[] = [];
    let gapStart = 0;
    const flush = (end: number) => {
      if (end > gapStart) out.push(...cutGeneral(slice(gapStart, end)));
    };
    let i = 0;
    while (i < length) {
      const starting = lengths.get(at(i)) ?? 0;
      let found = 0;
      // From the longest word starting here (the highest bit; none when 0).
      for (let len = Math.min(31 - Math.clz32(starting), length - i); len >= MIN_WORD; len--) {
        if ((starting & (1 << len)) !== 0 && dictionary.has(slice(i, i + len))) {
          found = len;
          break;
        }
      }
      if (found === 0 || inside(i, found)) {
        i++;
        continue;
      }
      flush(i);
      out.push(slice(i, i + found));
      i += found;
      gapStart = i;
    }
    flush(length);
    return out;
  };
  return {
    cut,
    withWords: (more) => withDictionary(cutGeneral, [...dictionary, ...more], nouns, knownWords),
    parts: (word) => cutGeneral(word),
    ...(nouns ? { nouns } : {}),
    ...(knownWords ? { knownWords } : {}),
  };
}
