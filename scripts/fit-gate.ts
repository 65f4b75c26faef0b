/**
 * `npm run gate:fit`: fits the answer gate (src/knowledge/answer-gate.ts) and writes it to
 * src/knowledge/gate-model.ts, with its example bank (src/knowledge/gate-examples.ts). Rows: every
 * question of the labelled sets (GATE_SETS: eval/questions.yaml, holdout, holdout-2, fit-4 … fit-13;
 * label 1 when the first result is right), and the fit half of the real negative corpus and of the
 * catalogue near misses (label 0), each searched with a bank that leaves its own set out; see
 * scripts/lib/gate-fit.ts. The blind sets and the test halves are never used.
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
import { FIT_SETS, OTHER_SETS } from './lib/eval-sets.js';
import {
  MAX_NEGATIVE_ANSWERED, MAX_NEGATIVE_OFFERED, MAX_OUTSIDE_ANSWERED, TARGET_PRECISION, GATE_SETS, at as atRows, chooseThresholds, collectExamples, collectRows, outOfFold,
} from './lib/gate-fit.js';

const root = resolve('.');
const loaded = await loadKnowledge(resolve(process.env.KNOWLEDGE_DIR ?? 'knowledge'));
if (!loaded.ok) {
  loaded.problems.forEach((p) => console.error(formatProblem(p)));
  process.exit(1);
}
const engine = createEngine(loaded.kb, createJiebaTokenizer(), { gate: null });
const examples = await collectExamples(engine, root, loaded.kb.entries);
const rows = await collectRows(engine, root, loaded.kb.entries, examples);
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
  fitted: `${rows.length} rows (${GATE_SETS.join(', ')}; fit half of eval/negatives and of the catalogue near misses); precision target ${TARGET_PRECISION}, negatives answered ≤ ${MAX_NEGATIVE_ANSWERED}, labelled outside answered ≤ ${MAX_OUTSIDE_ANSWERED}, offered ≤ ${MAX_NEGATIVE_OFFERED}; ${loaded.kb.entries.length} entries`,
};
const out = `// Written by \`npm run gate:fit\` (scripts/fit-gate.ts); do not edit by hand. See docs/retrieval.md.
import type { GateModel } from './answer-gate.js';

export const SHIPPED_GATE: GateModel | null = ${JSON.stringify(model, null, 2)};
`;
await writeFile(join(root, 'src/knowledge/gate-model.ts'), out);
const bank = `// Written by \`npm run gate:fit\` (scripts/fit-gate.ts); do not edit by hand. See docs/retrieval.md › The example bank.
// ${examples.length} questions as the engine analyses them, with the entries that answer them ([]: none):
// the questions of eval/${[...FIT_SETS, ...OTHER_SETS].join(', eval/')} (written for this project),
// the fit half of eval/negatives/ (public sources, provenance and licence in eval/negatives/PROVENANCE.md) and
// of the catalogue near misses (eval/catalogue/, MIT). Never a blind set or a test half.
import type { Example } from './example-bank.js';

export const SHIPPED_EXAMPLES: readonly Example[] = [
${examples.map(({ t, e }) => `  { t: ${JSON.stringify(t)}, e: ${JSON.stringify(e)} },`).join('\n')}
];
`;
await writeFile(join(root, 'src/knowledge/gate-examples.ts'), bank);
console.log('weights:');
FEATURES.forEach((f, i) => console.log(`  ${f.padEnd(14)} ${model.weights[i]!.toFixed(3)}`));
console.log(`wrote src/knowledge/gate-model.ts and src/knowledge/gate-examples.ts (${examples.length} examples)`);
