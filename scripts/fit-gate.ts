/**
 * `npm run gate:fit`: fits the answer gate (src/knowledge/answer-gate.ts) and writes it to
 * src/knowledge/gate-model.ts. Rows: every question of the fit sets (eval/questions.yaml,
 * holdout, holdout-2, fit-4; label 1 when the first result is right), and the fit half of the real
 * negative corpus and of the catalogue near misses (label 0); see scripts/lib/gate-fit.ts. The
 * blind set is never used.
 * Thresholds are chosen on out-of-fold predictions (5 folds), the model is then refitted on all
 * rows. Deterministic: the same data gives the same file. See docs/retrieval.md.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FEATURES, fitLogistic, type GateModel } from '../src/knowledge/answer-gate.js';
import { createEngine } from '../src/knowledge/engine.js';
import { loadKnowledge } from '../src/adapters/load-knowledge.js';
import { formatProblem } from '../src/knowledge/parse-knowledge.js';
import { createJiebaTokenizer } from '../src/adapters/jieba-tokenizer.js';
import { FIT_SETS } from './lib/eval-sets.js';
import {
  MAX_NEGATIVE_ANSWERED, MAX_NEGATIVE_OFFERED, MAX_OUTSIDE_ANSWERED, TARGET_PRECISION, at as atRows, chooseThresholds, collectRows, outOfFold,
} from './lib/gate-fit.js';

const root = resolve('.');
const loaded = await loadKnowledge(resolve(process.env.KNOWLEDGE_DIR ?? 'knowledge'));
if (!loaded.ok) {
  loaded.problems.forEach((p) => console.error(formatProblem(p)));
  process.exit(1);
}
const engine = createEngine(loaded.kb, createJiebaTokenizer(), { gate: null });
const rows = await collectRows(engine, root, loaded.kb.entries);
const oof = outOfFold(rows);
const at = (t: number) => atRows(rows, oof, t);
const { answer, suggest, offered: offeredAt } = chooseThresholds(rows, oof);

console.log(`rows: ${rows.length} (${rows.filter((r) => r.group === 'labelled').length} labelled, ${rows.filter((r) => r.group === 'negative').length} negative; ${rows.filter((r) => r.y === 1).length} right first results)`);
console.log('out-of-fold, by threshold: precision on labelled answered · share of right first results answered · labelled in-scope questions answered right · negatives answered · labelled outside questions answered');
for (const t of [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, answer]) {
  const a = at(t);
  console.log(`  t=${t.toFixed(2)}  precision ${(100 * a.precision).toFixed(1)} %  coverage ${(100 * a.coverage).toFixed(1)} %  answered right ${(100 * a.answeredRight).toFixed(1)} %  negatives answered ${(100 * a.negAnswered).toFixed(2)} %  outside answered ${(100 * a.outAnswered).toFixed(1)} %`);
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
