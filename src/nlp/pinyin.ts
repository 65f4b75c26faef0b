/**
 * Sound-alike keys for homophone and near-homophone tolerance (社报卡 → 社保卡, 身份正 → 身份证).
 * Syllables are folded the way many southern speakers (梧州 is Cantonese-speaking) merge them:
 * zh/ch/sh → z/c/s, n → l, -ng → -n. Pure.
 */
import { pinyin } from 'pinyin-pro';

const cache = new Map<string, string>();

function fold(syllable: string): string {
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
      key = fold(pinyin(ch, { toneType: 'none', v: true }));
      // The Han character set is finite; the bound only guards against pathological input.
      if (cache.size < 30000) cache.set(ch, key);
    }
    return key;
  });
}
