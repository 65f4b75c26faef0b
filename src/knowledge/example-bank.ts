/**
 * Labelled questions as evidence for the answer gate: "have questions worded like this one been
 * about the entry ranked first, about another entry, or about nothing we cover?" The bank holds the
 * fit sets' questions (with the entries that answer them, or none) and the fit halves of the real
 * negative corpus and the catalogue near misses, written by `npm run gate:fit`
 * (src/knowledge/gate-examples.ts). A question's nearest examples are found by cosine similarity of
 * its Chinese character pairs, each weighted by its idf over the bank. Pure: the bank is data.
 *
 * The blind sets and the test halves are never in the bank (docs/retrieval.md › The example bank).
 */
import type { Entry } from './schema.js';

/** One labelled question: its analysed text and the entries that answer it ([]: none we cover). */
export interface Example {
  t: string;
  e: readonly string[];
}

export interface ExampleBank {
  readonly size: number;
  /** A question's nearest examples (by its Chinese character pairs), nearest first. */
  nearest(grams: ReadonlySet<string>): Nearest;
  /**
   * What the nearest examples say about an entry; null when no example in the bank is about it
   * (an entry added since the bank was written, or a test corpus): neither for nor against.
   */
  evidence(near: Nearest, entry: Entry): ExampleEvidence | null;
  /** How the labelled questions use a word (a substring of their analysed texts). */
  usage(word: string): WordUsage;
  /**
   * Of the nearest `within` examples about exactly one of two entries, the similarity weight about
   * each: examples about both (or neither) say nothing of which one is asked.
   */
  contrast(near: Nearest, a: Entry, b: Entry, within: number): { a: number; b: number };
}

export interface WordUsage {
  /** Distinct entries (the first each lists) answering the labelled questions that contain the word. */
  entries: number;
  /** Labelled questions about something covered that contain it. */
  inScope: number;
  /** Labelled questions about nothing covered that contain it. */
  outside: number;
}

/** Words whose usage is remembered; past this many the memory starts again (words come from citizens). */
const USAGE_MEMORY = 10_000;

/** The nearest examples of one question: indexes into the bank and similarities, nearest first. */
export type Nearest = readonly { readonly i: number; readonly s: number }[];

export interface ExampleEvidence {
  /** Of the nearest `K` examples, the similarity-weighted share about the entry ranked first. */
  agree: number;
  /** The highest similarity of an example about it (among the nearest `NEAREST`). */
  nearest: number;
  /** The highest similarity of an example about nothing we cover (among the nearest `NEAREST`). */
  outside: number;
}

/** Examples that vote (agree). */
export const K = 5;
/** Examples looked at for the nearest of each kind. */
export const NEAREST = 20;
/** A pair found in more than this share of the examples (and more than MIN_COMMON) is skipped: it says nothing and costs the most. */
const COMMON_SHARE = 0.2;
const MIN_COMMON = 50;

/**
 * A pair of Chinese characters as one small integer (kept below 2³⁰, so V8 keeps it unboxed): the
 * BMP's ideographs (U+3400–U+9FFF, U+F900–U+FAFF) numbered densely; characters outside the BMP are left out.
 */
const HAN_SPAN = 0x9fff - 0x3400 + 1;
const hanIndex = (c: number): number => (c >= 0x3400 && c <= 0x9fff ? c - 0x3400 : c >= 0xf900 && c <= 0xfaff ? HAN_SPAN + c - 0xf900 : -1);
const HAN_COUNT = HAN_SPAN + 0x200;
const pairKey = (a: number, b: number): number => a * HAN_COUNT + b;

/** The same for a question's pairs as the search has them (two-character strings). */
function keysOf(grams: ReadonlySet<string>): number[] {
  const out: number[] = [];
  for (const g of grams) {
    if (g.length !== 2) continue;
    const a = hanIndex(g.charCodeAt(0));
    const b = hanIndex(g.charCodeAt(1));
    if (a >= 0 && b >= 0) out.push(pairKey(a, b));
  }
  return out;
}

/** Is an example about this entry? An FAQ counts for the entries it belongs to (as the evaluation counts it). */
const about = (entry: Entry, ids: readonly string[]): boolean =>
  ids.includes(entry.id) || (entry.kind === 'faq' && entry.related.some((id) => ids.includes(id)));

export function createExampleBank(examples: readonly Example[]): ExampleBank {
  const n = examples.length;
  // Postings first (every pair), then each pair's idf from its list's length; common pairs dropped.
  const lists = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const text = examples[i]!.t;
    for (let j = 1; j < text.length; j++) {
      const a = hanIndex(text.charCodeAt(j - 1));
      const b = hanIndex(text.charCodeAt(j));
      if (a < 0 || b < 0) continue;
      const key = pairKey(a, b);
      const list = lists.get(key);
      if (!list) lists.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i); // a pair twice in one example counts once
    }
  }
  const common = Math.max(MIN_COMMON, COMMON_SHARE * n);
  // Packed as the search index's postings are (search-index.ts › Postings): pair `t`'s examples are
  // `postings[start[t]]` up to `postings[start[t + 1]]`, in example order — a few typed arrays,
  // not an array per pair (tens of thousands of objects, kept for the life of the engine).
  const pairs = new Map<number, number>();
  let kept = 0;
  let total = 0;
  for (const list of lists.values()) {
    if (list.length > common) continue;
    kept++;
    total += list.length;
  }
  const idf = new Float64Array(kept);
  const start = new Int32Array(kept + 1);
  const postings = new Int32Array(total);
  const norms = new Float64Array(n);
  let t = 0;
  let at = 0;
  for (const [p, list] of lists) {
    if (list.length > common) continue;
    const w = Math.log((n + 1) / (list.length + 1));
    pairs.set(p, t);
    idf[t] = w;
    start[t] = at;
    for (const i of list) {
      postings[at++] = i;
      norms[i]! += w * w;
    }
    t++;
  }
  start[t] = at;
  for (let i = 0; i < n; i++) norms[i] = Math.sqrt(norms[i]!);
  const scores = new Float64Array(n);
  // Which entries have examples at all, worked out per entry on first use.
  const known = new Map<string, boolean>();
  const hasExamples = (entry: Entry): boolean => {
    let k = known.get(entry.id);
    if (k === undefined) known.set(entry.id, (k = examples.some((x) => about(entry, x.e))));
    return k;
  };

  const usages = new Map<string, WordUsage>();
  return {
    size: n,
    usage(word) {
      const known = usages.get(word);
      if (known) return known;
      const entries = new Set<string>();
      let inScope = 0, outside = 0;
      for (const x of examples) {
        if (!x.t.includes(word)) continue;
        if (x.e.length === 0) outside++;
        else {
          inScope++;
          entries.add(x.e[0]!);
        }
      }
      if (usages.size >= USAGE_MEMORY) usages.clear();
      const u = { entries: entries.size, inScope, outside };
      usages.set(word, u);
      return u;
    },
    nearest(questionGrams) {
      if (n === 0) return [];
      let qNorm = 0;
      const touched: number[] = [];
      for (const p of keysOf(questionGrams)) {
        const t = pairs.get(p);
        if (t === undefined) continue;
        const w = idf[t]!;
        qNorm += w * w;
        for (let j = start[t]!, end = start[t + 1]!; j < end; j++) {
          const i = postings[j]!;
          if (scores[i] === 0) touched.push(i);
          scores[i]! += w * w;
        }
      }
      qNorm = Math.sqrt(qNorm);
      // The nearest NEAREST, kept in order by insertion (a few thousand touched, twenty kept: no sort of all).
      const near: { i: number; s: number }[] = [];
      for (const i of touched) {
        const s = scores[i]! / (qNorm * norms[i]!);
        scores[i] = 0;
        if (near.length === NEAREST && s <= near[NEAREST - 1]!.s) continue;
        let at = near.length < NEAREST ? near.length : NEAREST - 1;
        while (at > 0 && (near[at - 1]!.s < s || (near[at - 1]!.s === s && near[at - 1]!.i > i))) at--;
        near.splice(at, 0, { i, s });
        if (near.length > NEAREST) near.pop();
      }
      return near;
    },
    contrast(near, a, b, within) {
      let wa = 0, wb = 0;
      for (const { i, s } of near.slice(0, within)) {
        const ids = examples[i]!.e;
        if (ids.length === 0) continue;
        const ya = about(a, ids), yb = about(b, ids);
        if (ya && !yb) wa += s;
        else if (yb && !ya) wb += s;
      }
      return { a: wa, b: wb };
    },
    evidence(near, first) {
      if (!hasExamples(first)) return null;
      let agreeing = 0, total = 0, nearest = 0, outside = 0;
      near.forEach(({ i, s }, rank) => {
        const ids = examples[i]!.e;
        const yes = ids.length > 0 && about(first, ids);
        if (rank < K) {
          total += s;
          if (yes) agreeing += s;
        }
        if (yes && s > nearest) nearest = s;
        if (ids.length === 0 && s > outside) outside = s;
      });
      return { agree: total > 0 ? agreeing / total : 0, nearest, outside };
    },
  };
}
