/**
 * `npm run eval`: runs the labelled question sets, the real negative corpus and the catalogue
 * near misses (eval/) against the shipped knowledge base and prints, per set: answered right,
 * offered right (in the 您是不是想问 buttons), refused, answered wrong, false answers on
 * questions outside the knowledge base, and the gate's precision–coverage curve.
 * Prints numbers; asserts nothing (test/knowledge/eval-floor.test.ts holds the floors).
 * Usage: tsx scripts/eval.ts [--verbose] [FILE.yaml …]
 */
import { join, resolve } from 'node:path';
import { predict } from '../src/knowledge/answer-gate.js';
import { createEngine, type Engine } from '../src/knowledge/engine.js';
import { loadKnowledge } from '../src/adapters/load-knowledge.js';
import { formatProblem } from '../src/knowledge/parse-knowledge.js';
import { createJiebaTokenizer } from '../src/adapters/jieba-tokenizer.js';
import { BLIND_SET, EVAL_DIR, FIT_SETS, emptyTally, fits, half, loadLabelled, loadNearMisses, loadNegatives, score, type Tally } from './lib/eval-sets.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
const named = args.filter((a) => !a.startsWith('-'));
const root = resolve('.');
const files = named.length > 0 ? named.map((f) => resolve(f)) : [...FIT_SETS, BLIND_SET].map((f) => join(root, EVAL_DIR, f));

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);

function print(name: string, t: Tally): void {
  console.log(`\n== ${name}: ${t.inScope + t.outside} questions (${t.inScope} in scope, ${t.outside} outside)`);
  if (t.inScope > 0) {
    console.log(`answered right:         ${pct(t.answeredRight, t.inScope).padStart(8)}  (${t.answeredRight})`);
    console.log(`offered right:          ${pct(t.offeredRight, t.inScope).padStart(8)}  (${t.offeredRight}; in the 您是不是想问 buttons)`);
    console.log(`offered, none right:    ${pct(t.offeredWrong, t.inScope).padStart(8)}  (${t.offeredWrong})`);
    console.log(`refused:                ${pct(t.refused, t.inScope).padStart(8)}  (${t.refused})`);
    console.log(`answered wrong:         ${pct(t.answeredWrong, t.inScope).padStart(8)}  (${t.answeredWrong})`);
    console.log(`ranking: top-1 ${pct(t.top1, t.inScope)}, top-3 ${pct(t.top3, t.inScope)}`);
  }
  if (t.outside > 0) {
    console.log(`outside: false answers ${pct(t.outsideAnswered, t.outside)} (${t.outsideAnswered}/${t.outside}), offered buttons ${pct(t.outsideOffered, t.outside)} (${t.outsideOffered})`);
  }
  if (verbose) t.misses.forEach((m) => console.log(`  ${m}`));
  else if (t.misses.length > 0) console.log(`(${t.misses.length} not answered right; --verbose lists them)`);
}

/** Precision (right among answered, outside questions counting as wrong) and coverage at other answer thresholds. */
function curve(engine: Engine, labelled: { q: string; expect: string[] }[], negatives: string[]): void {
  const gate = engine.gate;
  if (!gate) return;
  const rows = labelled.map(({ q, expect }) => {
    const r = engine.search(q, 1);
    return { p: predict(gate, r.features), named: !r.appeal, inScope: expect.length > 0, right: fits(r.results[0]?.entry, expect) };
  });
  const neg = negatives.map((text) => {
    const r = engine.search(text, 1);
    return { p: predict(gate, r.features), named: !r.appeal };
  });
  console.log(`\n== gate: precision–coverage on ${BLIND_SET} and the test half of the negatives (shipped threshold ${gate.answer})`);
  console.log('threshold  precision  answered right  negatives answered');
  for (const t of [...new Set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, gate.answer])].sort((a, b) => a - b)) {
    const answered = rows.filter((r) => r.named && r.p >= t);
    const right = answered.filter((r) => r.inScope && r.right).length;
    const inScope = rows.filter((r) => r.inScope).length;
    const negAnswered = neg.filter((r) => r.named && r.p >= t).length;
    console.log(`  ${t.toFixed(2).padEnd(8)} ${pct(right, answered.length).padStart(9)}  ${pct(right, inScope).padStart(13)}  ${pct(negAnswered, neg.length).padStart(10)}`);
  }
}

const loaded = await loadKnowledge(resolve(process.env.KNOWLEDGE_DIR ?? 'knowledge'));
if (!loaded.ok) {
  loaded.problems.forEach((p) => console.error(formatProblem(p)));
  process.exit(1);
}
const engine = createEngine(loaded.kb, createJiebaTokenizer());
console.log(`knowledge base: ${loaded.kb.entries.length} entries; answer gate: ${engine.gate ? `answer ≥ ${engine.gate.answer}, suggest ≥ ${engine.gate.suggest}` : 'none'}`);
for (const file of files) {
  const questions = await loadLabelled(file);
  const t = emptyTally();
  for (const { q, expect, note } of questions) score(t, engine, q, expect, note);
  const label = file.split('/').slice(-2).join('/') + (file.endsWith(BLIND_SET) ? ' (blind: never used to fit or tune)' : FIT_SETS.some((f) => file.endsWith(f)) ? ' (used to fit the gate)' : '');
  print(label, t);
  if (file.endsWith(BLIND_SET)) {
    // The variants: typos, traditional characters, Cantonese, pinyin.
    for (const tag of ['typo', 'traditional', 'dialect', 'pinyin']) {
      const sub = emptyTally();
      for (const { q, expect, note } of questions) if (expect.length > 0 && (note ?? '').split(/,\s*/).includes(tag)) score(sub, engine, q, expect, note);
      console.log(`  ${tag.padEnd(12)} answered right ${sub.answeredRight}/${sub.inScope}, offered right ${sub.offeredRight}, answered wrong ${sub.answeredWrong}`);
    }
  }
}

const negatives = await loadNegatives(root);
const nearMisses = await loadNearMisses(root, loaded.kb.entries);
for (const [name, rows] of [['eval/negatives (real text outside the knowledge base)', negatives], ['eval/catalogue near misses (service items not covered)', nearMisses]] as const) {
  for (const part of ['test', 'fit'] as const) {
    const t = emptyTally();
    const bySource = new Map<string, [number, number]>();
    for (const { source, text } of rows.filter((r) => half(r.text) === part)) {
      const before = t.outsideAnswered;
      score(t, engine, text, []);
      const s = bySource.get(source) ?? [0, 0];
      bySource.set(source, [s[0] + 1, s[1] + t.outsideAnswered - before]);
    }
    print(`${name}, ${part} half${part === 'fit' ? ' (used to fit the gate)' : ''}`, t);
    console.log(`  by source: ${[...bySource].map(([s, [n, a]]) => `${s} ${a}/${n}`).join(', ')}`);
  }
}
const blind = await loadLabelled(join(root, EVAL_DIR, BLIND_SET));
curve(engine, blind, negatives.filter((r) => half(r.text) === 'test').map((r) => r.text));
