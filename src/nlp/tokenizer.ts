/** The word segmenter as a plug-in: the core needs only these two methods. */
export interface Tokenizer {
  /** Words in order, covering the whole text (punctuation and spaces may be returned as tokens). */
  cut(text: string): string[];
  /** Teach the segmenter words it must keep whole (titles, aliases, lexicon). */
  addWords(words: readonly string[]): void;
}
