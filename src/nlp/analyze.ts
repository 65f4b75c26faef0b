/**
 * One analysis for queries and knowledge text alike: normalise, expand synonyms, segment, and
 * derive the character and sound n-grams that make retrieval tolerant of typos and homophones.
 */
import { ASPECT_WORDS } from './aspects.js';
import { hanRuns, normalize } from './normalize.js';
import { soundKeys } from './pinyin.js';
import { STOPWORDS } from './stopwords.js';
import type { Tokenizer } from './tokenizer.js';

export interface SynonymGroup {
  canonical: string;
  variants: readonly string[];
}

export interface Analyzed {
  /** Normalised text with the canonical form of every recognised variant appended. */
  text: string;
  /** Segmented words in order (no spaces). */
  tokens: string[];
  /** Words that can tell matters apart: no stopwords, no aspect words, no punctuation. */
  content: string[];
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
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createAnalyzer(
  tokenizer: Tokenizer,
  synonyms: readonly SynonymGroup[],
  dialect: Readonly<Record<string, string>> = {},
): Analyzer {
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
  tokenizer.addWords([...canonicalOf.keys(), ...canonicalOf.values()]);

  const isFiller = (w: string): boolean => STOPWORDS.has(w) || ASPECT_WORDS.has(w);

  return {
    isFiller,
    analyze(input) {
      let normalized = normalize(input);
      if (dialectRe) normalized = normalized.replace(dialectRe, (m) => dialectMap.get(m) ?? m);
      const added = new Set<string>();
      if (variantRe) {
        for (const m of normalized.matchAll(variantRe)) {
          const c = canonicalOf.get(m[0]);
          if (c && !normalized.includes(c)) added.add(c);
        }
      }
      const text = added.size > 0 ? `${normalized} ${[...added].join(' ')}` : normalized;
      const tokens = tokenizer.cut(text).filter((t) => t.trim().length > 0);
      const content = tokens.filter((t) => !isFiller(t) && /[\p{L}\p{N}]/u.test(t));
      const charGrams: string[] = [];
      const soundGrams: string[] = [];
      const soundParts: string[] = [];
      for (const run of hanRuns(text)) {
        const chars = [...run];
        const keys = soundKeys(run);
        soundParts.push(keys.join(' '));
        if (chars.length === 1) {
          charGrams.push(run);
          continue;
        }
        for (let i = 0; i + 1 < chars.length; i++) {
          charGrams.push(`${chars[i]}${chars[i + 1]}`);
          soundGrams.push(`${keys[i]}|${keys[i + 1]}`);
        }
      }
      return { text, tokens, content, charGrams, soundGrams, soundText: ` ${soundParts.join(' , ')} ` };
    },
  };
}
