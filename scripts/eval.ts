/**
 * `npm run eval`: runs labelled question sets (test/eval/*.yaml) against the shipped knowledge
 * base and prints top-1, top-3, correct refusals, false answers and a calibration table.
 * Prints numbers; asserts nothing. Usage: tsx scripts/eval.ts [--verbose] [FILE …]
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { createEngine, type Engine } from '../src/knowledge/engine.js';
import { loadKnowledge } from '../src/knowledge/load-knowledge.js';
import { formatProblem } from '../src/knowledge/parse-knowledge.js';
import { createJiebaTokenizer } from '../src/nlp/jieba-tokenizer.js';

interface Question {
  q: string;
  expect: string[];
  note?: string;
}

const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
const named = args.filter((a) => !a.startsWith('-'));
const files = (named.length > 0 ? named : ['test/eval/questions.yaml']).map((f) => resolve(f));

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);
const BANDS = [0.5, 0.6, 0.7, 0.8, 0.9, 1.01];

function evaluate(engine: Engine, name: string, questions: Question[]): void {
  let inScope = 0, top1 = 0, top3 = 0, answeredRight = 0, clarified = 0;
  let outside = 0, refused = 0, falseAnswers = 0;
  // Calibration: of the questions answered with confidence in each band, how many were right?
  const calibration = BANDS.slice(0, -1).map(() => ({ answered: 0, right: 0 }));
  const record = (score: number, right: boolean) => {
    const band = calibration[BANDS.findIndex((b, j) => score >= b && score < BANDS[j + 1]!)];
    if (!band) return;
    band.answered++;
    if (right) band.right++;
  };
  const misses: string[] = [];

  for (const { q, expect, note } of questions) {
    const r = engine.search(q, 3);
    const ids = r.results.map((x) => x.entry.id);
    const tag = note ? ` [${note}]` : '';
    if (expect.length === 0) {
      outside++;
      if (!r.answerable) refused++;
      else {
        falseAnswers++;
        record(r.results[0]?.score ?? 0, false);
        misses.push(`FALSE ANSWER  ${q}${tag} → ${ids[0]} (${r.results[0]?.score})`);
      }
      continue;
    }
    inScope++;
    // An FAQ about an expected entry answers from that entry's facts, so it counts as the entry.
    const fits = (i: number) => {
      const e = r.results[i]?.entry;
      return !!e && (expect.includes(e.id) || (e.kind === 'faq' && e.related.some((id) => expect.includes(id))));
    };
    const hit1 = fits(0);
    if (hit1) top1++;
    if ([0, 1, 2].some(fits)) top3++;
    if (r.answerable && hit1) answeredRight++;
    if (r.answerable) record(r.results[0]?.score ?? 0, hit1);
    if (r.ambiguous) clarified++;
    if (!hit1 || !r.answerable) {
      const ranked = ids.map((id, i) => `${id}(${r.results[i]?.score})`).join(', ');
      misses.push(`${!r.answerable ? 'REFUSED' : 'WRONG  '}  ${q}${tag} → ${ranked}  expected ${expect.join('|')}`);
    }
  }

  console.log(`\n== ${name}: ${questions.length} questions (${inScope} in scope, ${outside} outside)`);
  console.log(`top-1 (ranking):                 ${pct(top1, inScope)}  (${top1}/${inScope})`);
  console.log(`top-3 (ranking):                 ${pct(top3, inScope)}  (${top3}/${inScope})`);
  console.log(`answered with the right entry:   ${pct(answeredRight, inScope)}  (${answeredRight}/${inScope}; ${clarified} asked to clarify)`);
  console.log(`outside questions refused:       ${pct(refused, outside)}  (${refused}/${outside})`);
  console.log(`false answers on outside:        ${pct(falseAnswers, outside)}  (${falseAnswers}/${outside})`);
  console.log('calibration (answered questions by confidence band → share right):');
  calibration.forEach((c, i) => {
    const hi = Math.min(1, BANDS[i + 1]!);
    console.log(`  [${BANDS[i]!.toFixed(1)}, ${hi.toFixed(1)}${hi === 1 ? ']' : ')'}  ${String(c.answered).padStart(4)} answered, ${pct(c.right, c.answered)} right`);
  });
  if (verbose) misses.forEach((m) => console.log(m));
  else if (misses.length > 0) console.log(`(${misses.length} misses; run with --verbose to list them)`);
}

const loaded = await loadKnowledge(resolve(process.env.KNOWLEDGE_DIR ?? 'knowledge'));
if (!loaded.ok) {
  loaded.problems.forEach((p) => console.error(formatProblem(p)));
  process.exit(1);
}
const engine = createEngine(loaded.kb, createJiebaTokenizer());
console.log(`knowledge base: ${loaded.kb.entries.length} entries`);
for (const file of files) {
  const questions = parse(await readFile(file, 'utf8')) as Question[];
  evaluate(engine, file.split('/').slice(-2).join('/'), questions);
}
