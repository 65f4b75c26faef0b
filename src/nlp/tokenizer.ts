/** The word segmenter as a plug-in: the core needs only these two methods. */
export interface Tokenizer {
  /** Words in order, covering the whole text (punctuation and spaces may be returned as tokens). */
  cut(text: string): string[];
  /**
   * A tokenizer that also keeps these words whole (titles, aliases, lexicon). This one is left
   * unchanged: an editor's preview engine must never change how the live engine segments.
   */
  withWords(words: readonly string[]): Tokenizer;
  /** The general segmenter's words inside one word (協議離婚 → 协议, 离婚), for search. */
  parts(word: string): string[];
  /**
   * The general segmenter's nouns in a text that say what it is about (not places or times), for
   * telling a follow-up question from a new one. Optional: a segmenter without a part-of-speech
   * tagger has none.
   */
  nouns?(text: string): string[];
  /**
   * The general segmenter's words from its dictionary alone, guessing no unknown word (those come
   * out a character at a time): where a Mandarin word starts, for rewriting Cantonese only at
   * word starts (重点办理 holds 点办). Optional.
   */
  knownWords?(text: string): string[];
}
