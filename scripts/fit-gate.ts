/**
 * `npm run gate:fit`: fits the answer gate (src/knowledge/answer-gate.ts) and writes it to
 * src/knowledge/gate-model.ts. Rows: every question of the fit sets (eval/questions.yaml,
 * holdout, holdout-2; label 1 when the first result is right), and the fit half of the real
 * negative corpus and of the catalogue near misses (label 0). The blind set is never used.
 * Thresholds are chosen on out-of-fold predictions (5 folds), the model is then refitted on all
 * rows. Deterministic: the same data gives the same file. See docs/retrieval.md.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FEATURES, fitLogistic, predict, type GateModel, type Sample } from '../src/knowledge/answer-gate.js';
import { createEngine } from '../src/knowledge/engine.js';
import { loadKnowledge } from '../src/adapters/load-knowledge.js';
import { formatProblem } from '../src/knowledge/parse-knowledge.js';
import { createJiebaTokenizer } from '../src/adapters/jieba-tokenizer.js';
import { EVAL_DIR, FIT_SETS, fits, half, loadLabelled, loadNearMisses, loadNegatives } from './lib/eval-sets.js';

/** Of the labelled questions the gate answers, at least this share must be answered right. */
export const TARGET_PRECISION = 0.95;
/** At most this share of real text outside the knowledge base may be answered. */
export const MAX_NEGATIVE_ANSWERED = 0.01;
/** At most this share of the labelled questions outside the knowledge base may be answered (the issue: ≤ 1 in 40). */
export const MAX_OUTSIDE_ANSWERED = 0.025;
/** At most this share of it may be offered buttons (or answered). */
export const MAX_NEGATIVE_OFFERED = 0.08;
const FOLDS = 5;

const root = resolve('.');
const loaded = await loadKnowledge(resolve(process.env.KNOWLEDGE_DIR ?? 'knowledge'));
if (!loaded.ok) {
  loaded.problems.forEach((p) => console.error(formatProblem(p)));
  process.exit(1);
}
const engine = createEngine(loaded.kb, createJiebaTokenizer(), { gate: null });

interface Row extends Sample {
  text: string;
  /** A labelled question outside the knowledge base. */
  outside?: boolean;
  group: 'labelled' | 'negative';
  /** The ranking found a name: only such questions can be answered. */
  named: boolean;
}
const rows: Row[] = [];
const add = (text: string, y: 0 | 1, group: Row['group'], outside = false) => {
  const r = engine.search(text, 3);
  if (r.results.length === 0) return;
  rows.push({ text, x: r.features, y: r.appeal ? 0 : y, group, named: !r.appeal, outside });
};
for (const file of FIT_SETS) {
  for (const { q, expect } of await loadLabelled(join(root, EVAL_DIR, file))) {
    const first = engine.search(q, 1).results[0]?.entry;
    add(q, expect.length > 0 && fits(first, expect) ? 1 : 0, 'labelled', expect.length === 0);
  }
}
const unlabelled = [...(await loadNegatives(root)), ...(await loadNearMisses(root, loaded.kb.entries))];
for (const { text } of unlabelled.filter((u) => half(u.text) === 'fit')) add(text, 0, 'negative');

const foldOf = (text: string) => [...text].reduce((h, c) => (h * 31 + c.codePointAt(0)!) >>> 0, 7) % FOLDS;
const oof = new Array<number>(rows.length).fill(0);
for (let f = 0; f < FOLDS; f++) {
  const model = fitLogistic(rows.filter((r) => foldOf(r.text) !== f));
  const m: GateModel = { ...model, features: FEATURES, answer: 0, suggest: 0, fitted: '' };
  rows.forEach((r, i) => {
    if (foldOf(r.text) === f) oof[i] = predict(m, r.x);
  });
}

/** What thresholds would do, on out-of-fold predictions. */
function at(t: number) {
  let answered = 0, right = 0, negatives = 0, negAnswered = 0, positives = 0, covered = 0, outside = 0, outAnswered = 0;
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
    if (r.y === 1) positives++;
    if (yes) {
      answered++;
      if (r.y === 1) {
        right++;
        covered++;
      }
    }
  });
  return {
    precision: answered ? right / answered : 1,
    coverage: positives ? covered / positives : 0,
    negAnswered: negatives ? negAnswered / negatives : 0,
    outAnswered: outside ? outAnswered / outside : 0,
  };
}
const grid = Array.from({ length: 95 }, (_, i) => (i + 3) / 100);
const meets = (t: number) => {
  const a = at(t);
  return a.precision >= TARGET_PRECISION && a.negAnswered <= MAX_NEGATIVE_ANSWERED && a.outAnswered <= MAX_OUTSIDE_ANSWERED;
};
const answer = grid.find(meets) ?? 0.95;
const offeredAt = (t: number) => {
  let n = 0, offered = 0;
  rows.forEach((r, i) => {
    if (r.group !== 'negative') return;
    n++;
    if (oof[i]! >= t) offered++;
  });
  return n ? offered / n : 0;
};
const suggest = grid.filter((t) => t <= answer).find((t) => offeredAt(t) <= MAX_NEGATIVE_OFFERED) ?? answer;

console.log(`rows: ${rows.length} (${rows.filter((r) => r.group === 'labelled').length} labelled, ${rows.filter((r) => r.group === 'negative').length} negative; ${rows.filter((r) => r.y === 1).length} right first results)`);
console.log('out-of-fold, by threshold: precision on labelled answered · share of right first results answered · negatives answered · labelled outside questions answered');
for (const t of [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, answer]) {
  const a = at(t);
  console.log(`  t=${t.toFixed(2)}  precision ${(100 * a.precision).toFixed(1)} %  coverage ${(100 * a.coverage).toFixed(1)} %  negatives answered ${(100 * a.negAnswered).toFixed(2)} %  outside answered ${(100 * a.outAnswered).toFixed(1)} %`);
}
console.log(`chosen: answer ≥ ${answer}, suggest ≥ ${suggest} (negatives offered or answered ${(100 * offeredAt(suggest)).toFixed(1)} %)`);

const final = fitLogistic(rows);
const round = (x: number) => Math.round(x * 1e6) / 1e6;
const model: GateModel = {
  features: FEATURES,
  mean: final.mean.map(round),
  scale: final.scale.map(round),
  weights: final.weights.map(round),
  bias: round(final.bias),
  answer,
  suggest,
  fitted: `${rows.length} rows (${FIT_SETS.join(', ')}; fit half of eval/negatives and of the catalogue near misses); precision target ${TARGET_PRECISION}, negatives answered ≤ ${MAX_NEGATIVE_ANSWERED}, labelled outside answered ≤ ${MAX_OUTSIDE_ANSWERED}, offered ≤ ${MAX_NEGATIVE_OFFERED}; ${loaded.kb.entries.length} entries`,
};
const out = `// Written by \`npm run gate:fit\` (scripts/fit-gate.ts); do not edit by hand. See docs/retrieval.md.
import type { GateModel } from './answer-gate.js';

export const SHIPPED_GATE: GateModel | null = ${JSON.stringify(model, null, 2)};
`;
await writeFile(join(root, 'src/knowledge/gate-model.ts'), out);
console.log('weights:');
FEATURES.forEach((f, i) => console.log(`  ${f.padEnd(14)} ${model.weights[i]!.toFixed(3)}`));
console.log('wrote src/knowledge/gate-model.ts');
