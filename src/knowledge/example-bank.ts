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
}

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

/** A pair of Chinese characters as one number (two UTF-16 units; characters outside the BMP are left out). */
const isHanUnit = (c: number): boolean => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
const pairKey = (a: number, b: number): number => a * 0x10000 + b;

/** The distinct pairs of adjacent Chinese characters of a text, as numbers. */
function pairsOf(text: string): Set<number> {
  const out = new Set<number>();
  for (let i = 1; i < text.length; i++) {
    const a = text.charCodeAt(i - 1);
    const b = text.charCodeAt(i);
    if (isHanUnit(a) && isHanUnit(b)) out.add(pairKey(a, b));
  }
  return out;
}

/** The same for a question's pairs as the search has them (two-character strings). */
function keysOf(grams: ReadonlySet<string>): number[] {
  const out: number[] = [];
  for (const g of grams) if (g.length === 2) out.push(pairKey(g.charCodeAt(0), g.charCodeAt(1)));
  return out;
}

/** Is an example about this entry? An FAQ counts for the entries it belongs to (as the evaluation counts it). */
const about = (entry: Entry, ids: readonly string[]): boolean =>
  ids.includes(entry.id) || (entry.kind === 'faq' && entry.related.some((id) => ids.includes(id)));

export function createExampleBank(examples: readonly Example[]): ExampleBank {
  const n = examples.length;
  // Postings first (every pair), then each pair's idf from its list's length; common pairs dropped.
  const lists = new Map<number, number[]>();
  examples.forEach((x, i) => {
    for (const p of pairsOf(x.t)) {
      const list = lists.get(p);
      if (list) list.push(i);
      else lists.set(p, [i]);
    }
  });
  const common = Math.max(MIN_COMMON, COMMON_SHARE * n);
  const idf = new Map<number, number>();
  const postings = new Map<number, Int32Array>();
  const norms = new Float64Array(n);
  for (const [p, list] of lists) {
    if (list.length > common) continue;
    const w = Math.log((n + 1) / (list.length + 1));
    idf.set(p, w);
    postings.set(p, Int32Array.from(list));
    for (const i of list) norms[i]! += w * w;
  }
  for (let i = 0; i < n; i++) norms[i] = Math.sqrt(norms[i]!);
  const scores = new Float64Array(n);
  // Which entries have examples at all, worked out per entry on first use.
  const known = new Map<string, boolean>();
  const hasExamples = (entry: Entry): boolean => {
    let k = known.get(entry.id);
    if (k === undefined) known.set(entry.id, (k = examples.some((x) => about(entry, x.e))));
    return k;
  };

  return {
    size: n,
    nearest(questionGrams) {
      if (n === 0) return [];
      let qNorm = 0;
      const touched: number[] = [];
      for (const p of keysOf(questionGrams)) {
        const w = idf.get(p);
        if (w === undefined) continue;
        qNorm += w * w;
        for (const i of postings.get(p)!) {
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
