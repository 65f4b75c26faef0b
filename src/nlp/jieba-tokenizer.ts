/**
 * Tokenizer backed by nodejieba. nodejieba keeps one dictionary per process, so words added
 * here are visible to every instance; that is harmless because added words only ever grow.
 */
import nodejieba from 'nodejieba';
import type { Tokenizer } from './tokenizer.js';

export function createJiebaTokenizer(): Tokenizer {
  const added = new Set<string>();
  return {
    cut: (text) => nodejieba.cut(text, true),
    addWords(words) {
      for (const w of words) {
        if (w.length < 2 || w.length > 12 || added.has(w) || /\s/.test(w)) continue;
        nodejieba.insertWord(w);
        added.add(w);
      }
    },
  };
}
