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

export function withDictionary(cutGeneral: (text: string) => string[], words: Iterable<string>): Tokenizer {
  const dictionary = new Set<string>();
  // The longest word starting with each character, so most positions are skipped at once.
  const longest = new Map<string, number>();
  for (const w of words) {
    const chars = [...w];
    if (chars.length < MIN_WORD || chars.length > MAX_WORD || /\s/.test(w)) continue;
    dictionary.add(w);
    longest.set(chars[0]!, Math.max(longest.get(chars[0]!) ?? 0, chars.length));
  }
  const cut = (text: string): string[] => {
    if (dictionary.size === 0) return cutGeneral(text);
    const chars = [...text];
    const out: string[] = [];
    let gapStart = 0;
    const flush = (end: number) => {
      if (end > gapStart) out.push(...cutGeneral(chars.slice(gapStart, end).join('')));
    };
    let i = 0;
    while (i < chars.length) {
      const max = Math.min(longest.get(chars[i]!) ?? 0, chars.length - i);
      let found = 0;
      for (let len = max; len >= MIN_WORD; len--) {
        if (dictionary.has(chars.slice(i, i + len).join(''))) {
          found = len;
          break;
        }
      }
      if (found === 0) {
        i++;
        continue;
      }
      flush(i);
      out.push(chars.slice(i, i + found).join(''));
      i += found;
      gapStart = i;
    }
    flush(chars.length);
    return out;
  };
  return {
    cut,
    withWords: (more) => withDictionary(cutGeneral, [...dictionary, ...more]),
    parts: (word) => cutGeneral(word),
  };
}
