/**
 * Sound-alike keys for homophone and near-homophone tolerance (社报卡 → 社保卡, 身份正 → 身份证).
 * Syllables are folded the way many southern speakers (梧州 is Cantonese-speaking) merge them:
 * zh/ch/sh → z/c/s, n → l, -ng → -n. Pure.
 */
import { pinyin } from 'pinyin-pro';

const cache = new Map<string, string>();

/** Folds one toneless syllable (zhi → zi, neng → len). */
export function foldSyllable(syllable: string): string {
  let s = syllable.replace(/^([zcs])h/, '$1');
  s = s.replace(/^n(?=[aeiouv])/, 'l');
  s = s.replace(/(i|e|a)ng$/, '$1n');
  s = s.replace(/ü/g, 'v');
  return s;
}

/**
 * One folded syllable per character. Each character is read on its own (its most common
 * reading), so a word gets the same keys in a query and in the knowledge base.
 */
export function soundKeys(han: string): string[] {
  return [...han].map((ch) => {
    let key = cache.get(ch);
    if (key === undefined) {
      key = foldSyllable(pinyin(ch, { toneType: 'none', v: true }));
      // The Han character set is finite; the bound only guards against pathological input.
      if (cache.size < 30000) cache.set(ch, key);
    }
    return key;
  });
}

let syllables: Set<string> | null = null;

/** Every toneless syllable of Mandarin (about 410), read once from pinyin-pro's dictionary. */
function allSyllables(): Set<string> {
  if (syllables) return syllables;
  const found = new Set<string>();
  for (let code = 0x4e00; code <= 0x9fa5; code++) {
    for (const s of pinyin(String.fromCharCode(code), { toneType: 'none', v: true, multiple: true }).split(' ')) {
      if (/^[a-zü]+$/.test(s)) found.add(s.replace(/ü/g, 'v'));
    }
  }
  return (syllables = found);
}

/** Longest syllable, for the segmentation search. */
const MAX_SYLLABLE = 6;

/**
 * Reads toneless pinyin typed by a citizen (「shebaoka」, 「kai xiao mai bu」) as folded sound keys,
 * one per syllable; null when the text is not entirely pinyin (English words, codes, 「id」).
 * Each word is split into the fewest syllables, so 「xian」 is one syllable, not xi + an.
 */
export function pinyinKeys(latin: string): string[] | null {
  const known = allSyllables();
  const keys: string[] = [];
  for (const word of latin.toLowerCase().split(/\s+/).filter(Boolean)) {
    if (!/^[a-zv]+$/.test(word)) return null;
    // best[i]: fewest syllables covering word[0, i).
    const best: (string[] | null)[] = [[]];
    for (let i = 1; i <= word.length; i++) {
      best[i] = null;
      for (let l = 1; l <= Math.min(MAX_SYLLABLE, i); l++) {
        const prev = best[i - l];
        const syl = word.slice(i - l, i);
        if (prev && known.has(syl) && (!best[i] || prev.length + 1 < best[i]!.length)) best[i] = [...prev, syl];
      }
    }
    const split = best[word.length];
    if (!split) return null;
    keys.push(...split.map(foldSyllable));
  }
  return keys;
}
