/**
 * Fitting the answer gate, shared by `npm run gate:fit` (which writes the model) and
 * `npm run eval -- --sweep` (which refits it out of fold for each value of a retrieval option, so
 * that a ranking change is judged with a gate fitted to it). Rows: every question of the fit sets
 * (label 1 when the first result is right) and the fit half of the real negative corpus and of the
 * catalogue near misses (label 0). The blind set is never used. See docs/retrieval.md.
 */
import { join } from 'node:path';
import { FEATURES, fitLogistic, predict, type GateModel, type Sample } from '../../src/knowledge/answer-gate.js';
import type { Engine } from '../../src/knowledge/engine.js';
import type { Entry } from '../../src/knowledge/schema.js';
import type { Example } from '../../src/knowledge/example-bank.js';
import { EVAL_DIR, FIT_SETS, OTHER_SETS, fits, half, loadLabelled, loadNearMisses, loadNegatives } from './eval-sets.js';

/**
 * The labelled sets the gate is fitted on: the fit sets and the sets written since to tune on
 * (never a blind set). Until the example bank, the later sets were kept out of the fit (with
 * fit-5 the threshold rose to 0.81); with the bank's features they fit alongside (docs/retrieval.md).
 */
export const GATE_SETS = [...FIT_SETS, ...OTHER_SETS];

/** Of the labelled questions the gate answers, at least this share must be answered right. */
export const TARGET_PRECISION = 0.95;
/** At most this share of real text outside the knowledge base may be answered. */
export const MAX_NEGATIVE_ANSWERED = 0.005;
/** At most this share of the labelled questions outside the knowledge base may be answered (the issue: ≤ 1 in 40). */
export const MAX_OUTSIDE_ANSWERED = 0.015;
/** At most this share of it may be offered buttons (or answered). */
export const MAX_NEGATIVE_OFFERED = 0.08;
export const FOLDS = 5;
/**
 * Weight of a labelled question outside the knowledge base in the fit (others 1). These near
 * misses, asked the way citizens ask about covered matters, are what bind the answer threshold
 * (MAX_OUTSIDE_ANSWERED); with weight 1 the model learns mostly from the many easy negatives.
 * Chosen on out-of-fold figures of the fit rows (docs/retrieval.md).
 */
export const OUTSIDE_WEIGHT = 4;

export interface Row extends Sample {
  text: string;
  /** A labelled question outside the knowledge base. */
  outside?: boolean;
  group: 'labelled' | 'negative';
  /** Neither a 诉求 nor asking for an action the first result does not cover: only such questions can be answered. */
  named: boolean;
}

/** Can the gate's answer stand: no 诉求, and the first result covers the action asked (search's own rule). */
export const answerable = (r: { appeal: unknown; features: readonly number[] }): boolean => !r.appeal && r.features[FEATURES.indexOf('actionFit')] !== 0;

/** An example of the bank with where it came from: a labelled set's file, or a fold of a corpus's fit half. */
export interface SourcedExample extends Example {
  source: string;
}

/** Where a question of a labelled set or a line of a corpus comes from (`SourcedExample.source`). */
export const sourceOf = (file: string): string => file.split('/').pop()!;
export const corpusSource = (corpus: string, text: string): string => `${corpus}#${foldOf(text)}`;

/**
 * The example bank (src/knowledge/example-bank.ts): every question of the fit sets and the other
 * sets written to tune on (never a blind set), and the fit halves of the negatives and the near
 * misses (never a test half), each as the engine analyses it.
 */
export async function collectExamples(engine: Engine, root: string, entries: readonly Entry[]): Promise<SourcedExample[]> {
  const out: SourcedExample[] = [];
  const seen = new Set<string>();
  const add = (text: string, e: readonly string[], source: string) => {
    const t = engine.search(text, 1).analyzed.text;
    const key = `${t}\t${e.join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ t, e: [...e], source });
  };
  for (const file of [...FIT_SETS, ...OTHER_SETS]) {
    for (const { q, expect } of await loadLabelled(join(root, EVAL_DIR, file))) add(q, expect, sourceOf(file));
  }
  for (const { text } of (await loadNegatives(root)).filter((u) => half(u.text) === 'fit')) add(text, [], corpusSource('negatives', text));
  for (const { text } of (await loadNearMisses(root, entries)).filter((u) => half(u.text) === 'fit')) add(text, [], corpusSource('catalogue', text));
  return out;
}

/**
 * An engine per source whose bank leaves that source out: a question is never compared with
 * itself or with the questions written with it (a set is one writer's wording), as an unseen
 * question would not be.
 */
export function leaveOut(engine: Engine, examples: readonly SourcedExample[]): (source: string) => Engine {
  const engines = new Map<string, Engine>();
  return (source) => {
    let e = engines.get(source);
    if (!e) engines.set(source, (e = engine.withExamples(examples.filter((x) => x.source !== source))));
    return e;
  };
}

/** The gate's rows, searched with an engine whose gate is off (`{ gate: null }`), each with the bank less its own source. */
export async function collectRows(engine: Engine, root: string, entries: readonly Entry[], examples?: readonly SourcedExample[]): Promise<Row[]> {
  const engineFor = leaveOut(engine, examples ?? (await collectExamples(engine, root, entries)));
  const rows: Row[] = [];
  const add = (text: string, y: 0 | 1, group: Row['group'], source: string, outside = false) => {
    const r = engineFor(source).search(text, 3);
    if (r.results.length === 0) return;
    rows.push({ text, x: r.features, y: r.appeal ? 0 : y, group, named: answerable(r), outside, weight: outside ? OUTSIDE_WEIGHT : 1 });
  };
  for (const file of GATE_SETS) {
    for (const { q, expect } of await loadLabelled(join(root, EVAL_DIR, file))) {
      const first = engine.search(q, 1).results[0]?.entry;
      add(q, expect.length > 0 && fits(first, expect) ? 1 : 0, 'labelled', sourceOf(file), expect.length === 0);
    }
  }
  for (const { text } of (await loadNegatives(root)).filter((u) => half(u.text) === 'fit')) add(text, 0, 'negative', corpusSource('negatives', text));
  for (const { text } of (await loadNearMisses(root, entries)).filter((u) => half(u.text) === 'fit')) add(text, 0, 'negative', corpusSource('catalogue', text));
  return rows;
}

export const foldOf = (text: string): number => [...text].reduce((h, c) => (h * 31 + c.codePointAt(0)!) >>> 0, 7) % FOLDS;

/** Out-of-fold probabilities: each row predicted by a model fitted on the other folds. */
export function outOfFold(rows: readonly Row[]): number[] {
  const oof = new Array<number>(rows.length).fill(0);
  for (let f = 0; f < FOLDS; f++) {
    const model = fitLogistic(rows.filter((r) => foldOf(r.text) !== f));
    const m: GateModel = { ...model, features: FEATURES, answer: 0, suggest: 0, fitted: '' };
    rows.forEach((r, i) => {
      if (foldOf(r.text) === f) oof[i] = predict(m, r.x);
    });
  }
  return oof;
}

export interface AtThreshold {
  /** Right among labelled questions answered. */
  precision: number;
  /** Share of right first results answered. */
  coverage: number;
  /** Labelled in-scope questions answered right, as a share of them. */
  answeredRight: number;
  negAnswered: number;
  outAnswered: number;
}

/** What a threshold would do, on out-of-fold predictions. */
export function at(rows: readonly Row[], oof: readonly number[], t: number): AtThreshold {
  let answered = 0, right = 0, negatives = 0, negAnswered = 0, positives = 0, outside = 0, outAnswered = 0, inScope = 0;
  rows.forEach((r, i) => {
    const yes = r.named && oof[i]! >= t;
    if (r.outside) {
      outside++;
      if (yes) outAnswered++;
    }
    if (r.group === 'negative') {
      negatives++;
      if (yes) negAnswered++;
      return;
    }
    if (!r.outside) inScope++;
    if (r.y === 1) positives++;
    if (yes) {
      answered++;
      if (r.y === 1) right++;
    }
  });
  return {
    precision: answered ? right / answered : 1,
    coverage: positives ? right / positives : 0,
    answeredRight: inScope ? right / inScope : 0,
    negAnswered: negatives ? negAnswered / negatives : 0,
    outAnswered: outside ? outAnswered / outside : 0,
  };
}

export const GRID = Array.from({ length: 95 }, (_, i) => (i + 3) / 100);

/** The thresholds: `answer` the lowest meeting the precision and outside limits, `suggest` the lowest offering few negatives buttons. */
export function chooseThresholds(rows: readonly Row[], oof: readonly number[]): { answer: number; suggest: number; offered: (t: number) => number } {
  const meets = (t: number) => {
    const a = at(rows, oof, t);
    return a.precision >= TARGET_PRECISION && a.negAnswered <= MAX_NEGATIVE_ANSWERED && a.outAnswered <= MAX_OUTSIDE_ANSWERED;
  };
  const answer = GRID.find(meets) ?? 0.95;
  const offered = (t: number) => {
    let n = 0, count = 0;
    rows.forEach((r, i) => {
      if (r.group !== 'negative') return;
      n++;
      if (oof[i]! >= t) count++;
    });
    return n ? count / n : 0;
  };
  const suggest = GRID.filter((t) => t <= answer).find((t) => offered(t) <= MAX_NEGATIVE_OFFERED) ?? answer;
  return { answer, suggest, offered };
}
