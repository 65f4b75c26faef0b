/**
 * `npm run eval`: runs the labelled question sets, the real negative corpus and the catalogue
 * near misses (eval/) against the shipped knowledge base and prints, per set: answered right,
 * offered right (in the 您是不是想问 buttons), refused, answered wrong, false answers on
 * questions outside the knowledge base, the gate's precision–coverage curve, and how second
 * questions in a conversation are taken (follow-ups, eval/follow-ups.yaml).
 * Prints numbers; asserts nothing (test/knowledge/eval-floor.test.ts holds the floors).
 * Usage: tsx scripts/eval.ts [--verbose] [FILE.yaml …]
 *
 * Measuring a retrieval option (src/knowledge/retrieval-options.ts) — on the FIT sets and the fit
 * halves only; the blind set and the test halves are not run, so nothing is tuned on them:
 *   tsx scripts/eval.ts --set bm25.k1=1.5 [--set …]     one setting against the defaults
 *   tsx scripts/eval.ts --sweep bm25.k1=1,1.2,1.5 [--set …]   each value in turn
 * For each value it prints the ranking (top-1, top-3) and the bands with the shipped gate per fit
 * set, and the gate refitted out of fold on that value's features (what `npm run gate:fit` would
 * choose, and how many in-scope questions it would answer right).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initialState, step } from '../src/dialogue/step.js';
import { predict } from '../src/knowledge/answer-gate.js';
import { createEngine, type Engine } from '../src/knowledge/engine.js';
import { loadKnowledge } from '../src/adapters/load-knowledge.js';
import { formatProblem } from '../src/knowledge/parse-knowledge.js';
import { createJiebaTokenizer } from '../src/adapters/jieba-tokenizer.js';
import { DEFAULT_RETRIEVAL_OPTIONS, resolveRetrievalOptions, type RetrievalOverrides } from '../src/knowledge/retrieval-options.js';
import { BLIND_SETS, POOLED_BLIND_SETS, EVAL_DIR, FIT_SETS, OTHER_SETS, READ_SETS, emptyTally, fits, followUpOutcomes, half, APPEAL_SETS, firstReply, loadAppeals, loadFollowUps, loadLabelled, loadNearMisses, loadNegatives, score, type Tally } from './lib/eval-sets.js';
import { answerable, at, chooseThresholds, collectExamples, collectRows, corpusSource, leaveOut, outOfFold, sourceOf } from './lib/gate-fit.js';
import { SHIPPED_EXAMPLES } from '../src/knowledge/gate-examples.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
/** `--set a.b=1` and `--sweep a.b=1,2,3` (also `--set=a.b=1`). */
const optionArgs = (flag: string): string[] =>
  args.flatMap((a, i) => (a === flag ? (args[i + 1] !== undefined ? [args[i + 1]!] : []) : a.startsWith(`${flag}=`) ? [a.slice(flag.length + 1)] : []));
const sets = optionArgs('--set');
const sweeps = optionArgs('--sweep');
const named = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '--set' && args[i - 1] !== '--sweep');
const root = resolve('.');
const files = named.length > 0 ? named.map((f) => resolve(f)) : [...FIT_SETS, ...OTHER_SETS, ...READ_SETS, ...BLIND_SETS].map((f) => join(root, EVAL_DIR, f)).filter((f) => existsSync(f));

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);

const isBlind = (file: string) => BLIND_SETS.some((b) => file.endsWith(b));

/** A share's 95 % Wilson interval, as text: how far a figure measured on `n` questions can be trusted. */
function wilson(k: number, n: number): string {
  if (n === 0) return 'n/a';
  const z = 1.96, p = k / n, d = 1 + (z * z) / n;
  const c = p + (z * z) / (2 * n), h = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return `${((100 * (c - h)) / d).toFixed(1)}–${((100 * (c + h)) / d).toFixed(1)} %`;
}

/** `listMisses` false: a blind set's misses are counted, never listed, even with --verbose (they must stay unseen). */
function print(name: string, t: Tally, listMisses = true): void {
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
  if (!listMisses) console.log(`(${t.misses.length} not answered right; a blind set's misses are not listed)`);
  else if (verbose) t.misses.forEach((m) => console.log(`  ${m}`));
  else if (t.misses.length > 0) console.log(`(${t.misses.length} not answered right; --verbose lists them)`);
}

/**
 * A second question after an opener (eval/follow-ups.yaml): how often the matter under discussion
 * is answered as a follow-up, or offered as a button, for questions that only ask about it and for
 * questions about something else (the fit sets' outside questions, the negatives' test half).
 */
async function followUps(engine: Engine, engineOf: (source: string) => Engine, negatives: string[]): Promise<void> {
  const file = join(root, EVAL_DIR, 'follow-ups.yaml');
  if (!existsSync(file)) return;
  const { openers, followUps: asked, heldOut, heldOut2, fitFollowUps, topicChanges } = await loadFollowUps(root);
  // By set: each is asked of an engine whose example bank leaves its own set out.
  const outside = new Map<string, string[]>();
  const inScope: { q: string; expect: string[]; source: string }[] = [];
  for (const set of FIT_SETS) {
    for (const l of await loadLabelled(join(root, EVAL_DIR, set))) {
      if (l.expect.length === 0) outside.set(set, [...(outside.get(set) ?? []), l.q]);
      else inScope.push({ ...l, source: set });
    }
  }
  const outcomes = (groups: [Engine, string[]][]) =>
    groups
      .map(([e, qs]) => followUpOutcomes(e, openers, qs))
      .reduce((a, b) => ({ asked: a.asked + b.asked, answered: a.answered + b.answered, offered: a.offered + b.offered, unwritten: a.unwritten + b.unwritten }), { asked: 0, answered: 0, offered: 0, unwritten: 0 });
  const measure = (groups: [Engine, string[]][]) => {
    const { asked: n, answered, offered, unwritten } = outcomes(groups);
    return `answered about the matter under discussion ${answered}/${n} (${pct(answered, n)}), offered it as a button ${offered}, told its guide does not say ${unwritten}`;
  };
  console.log(`\n== follow-ups: a second question after each of ${openers.length} openers (eval/follow-ups.yaml)`);
  console.log(`questions that only ask about it: ${measure([[engine, asked]])}`);
  if (fitFollowUps.length > 0) console.log(`the same, fit follow-ups (${fitFollowUps.length}, the read in context chosen on them): ${measure([[engine, fitFollowUps]])}`);
  // Counted, never listed: written apart from these lists and the code, and not tuned on.
  if (heldOut.length > 0) console.log(`the same, held out (${heldOut.length} written apart, never tuned on): ${measure([[engine, heldOut]])}`);
  if (heldOut2.length > 0) console.log(`the same, second held-out set (${heldOut2.length}, never read): ${measure([[engine, heldOut2]])}`);
  if (topicChanges.length > 0) console.log(`topic changes (${topicChanges.length} short messages about something else; chosen on): ${measure([[engine, topicChanges]])}`);
  console.log(`outside questions of the fit sets: ${measure([...outside].map(([set, qs]) => [engineOf(set), qs] as [Engine, string[]]))}`);
  console.log(`negatives, test half: ${measure([[engine, negatives]])}`);
  // And the fit sets' questions about a matter, asked second: how many are answered right (or wrong) after a turn about another.
  let n = 0, right = 0, wrong = 0, offeredRight = 0;
  for (const opener of openers) {
    // The opening turn once per engine (one per set), cloned for each question.
    const openings = new Map<string, ReturnType<typeof initialState>>();
    for (const { q, expect, source } of inScope) {
      n++;
      const e = engineOf(source);
      let first = openings.get(source);
      if (!first) openings.set(source, (first = step(initialState(), { text: opener }, { engine: e }).state));
      const r = step(structuredClone(first), { text: q }, { engine: e });
      const answered = r.events.find((ev) => ev.type === 'answered');
      const suggested = r.events.find((ev) => ev.type === 'suggested');
      if (answered?.type === 'answered') {
        if (fits(e.entry(answered.entryId), expect)) right++;
        else wrong++;
      } else if (suggested?.type === 'suggested' && suggested.candidates.some((id) => fits(e.entry(id), expect))) offeredRight++;
    }
  }
  console.log(`in-scope questions of the fit sets: answered right ${right}/${n} (${pct(right, n)}), offered right ${offeredRight}, answered wrong ${wrong}`);
}

/** Precision (right among answered, outside questions counting as wrong) and coverage at other answer thresholds. */
function curve(engine: Engine, name: string, labelled: { q: string; expect: string[] }[], negatives: string[]): void {
  const gate = engine.gate;
  if (!gate) return;
  const rows = labelled.map(({ q, expect }) => {
    const r = engine.search(q, 1);
    return { p: predict(gate, r.features), named: answerable(r), inScope: expect.length > 0, right: fits(r.results[0]?.entry, expect) };
  });
  const neg = negatives.map((text) => {
    const r = engine.search(text, 1);
    return { p: predict(gate, r.features), named: answerable(r) };
  });
  console.log(`\n== gate: precision–coverage on ${name} and the test half of the negatives (shipped threshold ${gate.answer})`);
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
if (sets.length > 0 || sweeps.length > 0) {
  await tune(loaded.kb);
  process.exit(0);
}
const engine = createEngine(loaded.kb, createJiebaTokenizer());
console.log(`knowledge base: ${loaded.kb.entries.length} entries; answer gate: ${engine.gate ? `answer ≥ ${engine.gate.answer}, suggest ≥ ${engine.gate.suggest}` : 'none'}`);
// A set that is in the example bank is measured with a bank that leaves it out (as gate:fit does):
// no question is compared with itself. The blind sets and the test halves are in no bank.
const examples = await collectExamples(engine, root, loaded.kb.entries);
const engineFor = leaveOut(engine, examples);
const banked = new Set(examples.map((x) => x.source));
const engineOf = (source: string): Engine => (banked.has(source) ? engineFor(source) : engine);
if (examples.length !== SHIPPED_EXAMPLES.length || examples.some((x, i) => x.t !== SHIPPED_EXAMPLES[i]!.t || x.e.join() !== SHIPPED_EXAMPLES[i]!.e.join())) {
  console.log('NOTE: the shipped example bank (src/knowledge/gate-examples.ts) differs from the eval sets as analysed now: run npm run gate:fit');
}
const pooled = emptyTally();
let pooledSets = 0;
for (const file of files) {
  const questions = await loadLabelled(file);
  const t = emptyTally();
  const setEngine = engineOf(sourceOf(file));
  for (const { q, expect, note } of questions) score(t, setEngine, q, expect, note);
  const label =
    file.split('/').slice(-2).join('/') +
    (isBlind(file) ? ' (blind: never used to fit or tune)' : [...FIT_SETS, ...OTHER_SETS].some((f) => file.endsWith(f)) ? ' (used to fit the gate; measured with a bank that leaves it out)' : '');
  print(label, t, !isBlind(file));
  if (POOLED_BLIND_SETS.some((b) => file.endsWith(b))) {
    pooledSets++;
    for (const k of ['inScope', 'top1', 'top3', 'answeredRight', 'answeredWrong', 'offeredRight', 'refused', 'outside', 'outsideAnswered'] as const) pooled[k] += t[k];
  }
  if (isBlind(file)) {
    // Short common questions (护照怎么办, 你好) and pinyin read as words coincide with questions of
    // the fit sets, which are in the bank: measured again with a bank that holds none of them.
    const own = new Set(questions.map(({ q }) => engine.search(q, 1).analyzed.text));
    const strict = engine.withExamples(SHIPPED_EXAMPLES.filter((x) => !own.has(x.t)));
    const st = emptyTally();
    for (const { q, expect, note } of questions) score(st, strict, q, expect, note);
    console.log(`with a bank holding none of its questions (${SHIPPED_EXAMPLES.length - strict.exampleCount} examples coincide): answered right ${pct(st.answeredRight, st.inScope)} (${st.answeredRight}), answered wrong ${st.answeredWrong}, top-1 ${pct(st.top1, st.inScope)}, outside answered ${st.outsideAnswered}/${st.outside}`);
    // The variants: typos, traditional characters, Cantonese, pinyin.
    for (const tag of ['typo', 'traditional', 'dialect', 'pinyin']) {
      const sub = emptyTally();
      for (const { q, expect, note } of questions) if (expect.length > 0 && (note ?? '').split(/,\s*/).includes(tag)) score(sub, engine, q, expect, note);
      console.log(`  ${tag.padEnd(12)} answered right ${sub.answeredRight}/${sub.inScope}, offered right ${sub.offeredRight}, answered wrong ${sub.answeredWrong}`);
    }
  }
}

if (pooledSets > 1) {
  const p = pooled;
  console.log(`\n== the unseen blind sets together (${POOLED_BLIND_SETS.join(', ')}; ${pooledSets} read)`);
  console.log(`answered right ${pct(p.answeredRight, p.inScope)} (${p.answeredRight}/${p.inScope}; 95 % interval ${wilson(p.answeredRight, p.inScope)}), top-3 ${pct(p.top3, p.inScope)}, answered wrong ${p.answeredWrong}`);
  console.log(`outside answered ${pct(p.outsideAnswered, p.outside)} (${p.outsideAnswered}/${p.outside}; 95 % interval ${wilson(p.outsideAnswered, p.outside)})`);
}

const negatives = await loadNegatives(root);
const nearMisses = await loadNearMisses(root, loaded.kb.entries);
for (const [name, rows] of [['eval/negatives (real text outside the knowledge base)', negatives], ['eval/catalogue near misses (service items not covered)', nearMisses]] as const) {
  for (const part of ['test', 'fit'] as const) {
    const t = emptyTally();
    const bySource = new Map<string, [number, number]>();
    for (const { source, text } of rows.filter((r) => half(r.text) === part)) {
      const before = t.outsideAnswered;
      score(t, part === 'fit' ? engineOf(corpusSource(name.startsWith('eval/negatives') ? 'negatives' : 'catalogue', text)) : engine, text, []);
      const s = bySource.get(source) ?? [0, 0];
      bySource.set(source, [s[0] + 1, s[1] + t.outsideAnswered - before]);
    }
    print(`${name}, ${part} half${part === 'fit' ? ' (used to fit the gate)' : ''}`, t);
    console.log(`  by source: ${[...bySource].map(([s, [n, a]]) => `${s} ${a}/${n}`).join(', ')}`);
  }
}
await followUps(engine, engineOf, negatives.filter((r) => half(r.text) === 'test').map((r) => r.text));
for (const name of APPEAL_SETS) await appeals(engine, name);
for (const set of BLIND_SETS) {
  const file = join(root, EVAL_DIR, set);
  if (existsSync(file)) curve(engine, set, await loadLabelled(file), negatives.filter((r) => half(r.text) === 'test').map((r) => r.text));
}

/**
 * 诉求 (eval/appeals-blind*.yaml, blind): how many short complaints, reports, suggestions and thanks
 * are recognised as such (of the right kind), answered with a matter (a false answer), offered
 * buttons or refused as a question; and how many questions that are not 诉求 are taken for one.
 * Counted, never listed.
 */
async function appeals(engine: Engine, name: string): Promise<void> {
  const set = await loadAppeals(root, name);
  if (!set) return;
  console.log(`\n== 诉求 (eval/${name}, blind: ${set.appeals.length} short 诉求, ${set.questions.length} questions that are not)`);
  const kinds = [...new Set(set.appeals.map((a) => a.kind))];
  const count = (rows: { text: string; kind?: string }[]) => {
    const t = { recognised: 0, rightKind: 0, answered: 0, offered: 0, refused: 0, other: 0 };
    for (const row of rows) {
      const r = firstReply(engine, row.text);
      if (r.type === 'appeal') {
        t.recognised++;
        if (r.kind === row.kind) t.rightKind++;
      } else t[r.type]++;
    }
    return t;
  };
  const all = count(set.appeals);
  const n = set.appeals.length;
  console.log(`recognised as 诉求: ${pct(all.recognised, n)} (${all.recognised}; right kind ${all.rightKind}); answered with a matter ${all.answered}, offered buttons ${all.offered}, refused as a question ${all.refused}, other ${all.other}`);
  for (const kind of kinds) {
    const rows = set.appeals.filter((a) => a.kind === kind);
    const t = count(rows);
    console.log(`  ${kind.padEnd(11)} recognised ${t.recognised}/${rows.length} (right kind ${t.rightKind}), answered ${t.answered}, offered ${t.offered}, refused ${t.refused}`);
  }
  const q = count(set.questions.map((text) => ({ text })));
  console.log(`questions taken for a 诉求: ${q.recognised}/${set.questions.length}; answered ${q.answered}, offered ${q.offered}, refused ${q.refused}, other ${q.other}`);
}

/** `{ bm25: { k1: 1.5 } }` from `bm25.k1` and 1.5; checked against the options' names. */
function withSetting(overrides: RetrievalOverrides, path: string, value: number): RetrievalOverrides {
  const [key, field, ...rest] = path.split('.');
  if (!key || rest.length > 0) throw new Error(`not an option: ${path} (write group.field or field)`);
  const next: Record<string, unknown> = { ...overrides };
  next[key] = field === undefined ? value : { ...((overrides as Record<string, object | undefined>)[key] ?? {}), [field]: value };
  resolveRetrievalOptions(next as RetrievalOverrides); // throws on an unknown name
  return next as RetrievalOverrides;
}

function parseSetting(arg: string): [path: string, values: number[]] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`expected name=value, got ${arg}`);
  const values = arg.slice(eq + 1).split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new Error(`not numbers: ${arg}`);
  return [arg.slice(0, eq), values];
}

function defaultOf(path: string): number | undefined {
  const [key, field] = path.split('.');
  const v = (DEFAULT_RETRIEVAL_OPTIONS as unknown as Record<string, unknown>)[key!];
  return field === undefined ? (v as number) : ((v as Record<string, number> | undefined)?.[field]);
}

/** --set / --sweep: the fit sets and fit halves only, for each value. */
async function tune(kb: Parameters<typeof createEngine>[0]): Promise<void> {
  let base: RetrievalOverrides = {};
  for (const arg of sets) {
    const [path, values] = parseSetting(arg);
    if (values.length !== 1) throw new Error(`--set takes one value: ${arg} (use --sweep for several)`);
    base = withSetting(base, path, values[0]!);
  }
  const [sweepPath, sweepValues] = sweeps.length > 0 ? parseSetting(sweeps[0]!) : [null, [NaN]];
  if (sweeps.length > 1) throw new Error('one --sweep at a time');
  const tokenizer = createJiebaTokenizer();
  const fitFiles = FIT_SETS.map((f) => join(root, EVAL_DIR, f));
  const labelled = await Promise.all(fitFiles.map((f) => loadLabelled(f)));
  const negatives = (await loadNegatives(root)).filter((r) => half(r.text) === 'fit');
  const nearMisses = (await loadNearMisses(root, kb.entries)).filter((r) => half(r.text) === 'fit');
  console.log(`fit sets only (${FIT_SETS.join(', ')}; fit halves of the negatives and near misses); the blind set is not run`);
  if (sets.length > 0) console.log(`set: ${sets.join(', ')}`);
  const summary: string[] = [];
  for (const value of sweepValues) {
    const overrides = sweepPath ? withSetting(base, sweepPath, value) : base;
    const label = sweepPath ? `${sweepPath} = ${value}${defaultOf(sweepPath) === value ? ' (default)' : ''}` : sets.join(', ');
    const engine = createEngine(kb, tokenizer, { retrieval: overrides });
    const bank = await collectExamples(engine, root, kb.entries);
    const engineFor = leaveOut(engine, bank);
    console.log(`\n== ${label}`);
    console.log('set               top-1    top-3    answered right  offered right  answered wrong  outside answered');
    const all = emptyTally();
    labelled.forEach((questions, i) => {
      const t = emptyTally();
      const setEngine = engineFor(FIT_SETS[i]!);
      for (const { q, expect, note } of questions) {
        score(t, setEngine, q, expect, note);
        score(all, setEngine, q, expect, note);
      }
      console.log(
        `${FIT_SETS[i]!.padEnd(16)} ${pct(t.top1, t.inScope).padStart(7)}  ${pct(t.top3, t.inScope).padStart(7)}  ${pct(t.answeredRight, t.inScope).padStart(14)}  ${pct(t.offeredRight, t.inScope).padStart(13)}  ${pct(t.answeredWrong, t.inScope).padStart(14)}  ${`${t.outsideAnswered}/${t.outside}`.padStart(16)}`,
      );
    });
    const neg = emptyTally();
    for (const { text } of negatives) score(neg, engineFor(corpusSource('negatives', text)), text, []);
    const near = emptyTally();
    for (const { text } of nearMisses) score(near, engineFor(corpusSource('catalogue', text)), text, []);
    console.log(`fit halves answered (shipped gate): negatives ${pct(neg.outsideAnswered, neg.outside)}, near misses ${pct(near.outsideAnswered, near.outside)}`);
    // The shipped gate was fitted on the default options' features: refit it for this value, out of fold.
    const rows = await collectRows(engine, root, kb.entries, bank);
    const oof = outOfFold(rows);
    const { answer } = chooseThresholds(rows, oof);
    const a = at(rows, oof, answer);
    const refit = `answer ≥ ${answer}: precision ${pct(a.precision, 1)}, answered right ${pct(a.answeredRight, 1)}, negatives answered ${pct(a.negAnswered, 1)}, outside answered ${pct(a.outAnswered, 1)}`;
    console.log(`gate refitted out of fold: ${refit}`);
    summary.push(
      `${(sweepPath ? String(value) : 'set').padEnd(10)} ${pct(all.top1, all.inScope).padStart(7)}  ${pct(all.top3, all.inScope).padStart(7)}  ${pct(all.answeredRight, all.inScope).padStart(14)}  ${pct(all.answeredWrong, all.inScope).padStart(14)}  ${pct(a.answeredRight, 1).padStart(14)}  ${answer.toFixed(2).padStart(9)}  ${pct(a.precision, 1).padStart(9)}`,
    );
  }
  console.log(`\n== summary, all fit sets together${sweepPath ? ` (${sweepPath})` : ''}; "refitted": the gate fitted out of fold for that value`);
  console.log('value        top-1    top-3    answered right  answered wrong  refitted right  threshold  precision');
  summary.forEach((l) => console.log(l));
}
