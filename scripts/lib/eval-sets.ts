/**
 * The evaluation data under eval/: labelled question sets, the real negative corpus and the
 * service catalogue's item names that the knowledge base does not cover (near misses); and one
 * way of scoring them, shared by `npm run eval`, `npm run gate:fit` and the floor test.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Engine } from '../../src/knowledge/engine.js';
import type { Entry } from '../../src/knowledge/schema.js';
import type { SearchResult } from '../../src/knowledge/search-index.js';
import type { AppealKind } from '../../src/nlp/appeal.js';
import { normalize } from '../../src/nlp/normalize.js';
import { initialState, step } from '../../src/dialogue/step.js';

export interface Labelled {
  q: string;
  expect: string[];
  note?: string;
}

export interface Unlabelled {
  source: string;
  text: string;
}

export const EVAL_DIR = 'eval';

/** Sets the gate is fitted on; the blind sets are never among them. */
export const FIT_SETS = ['questions.yaml', 'holdout.yaml', 'holdout-2.yaml', 'fit-4.yaml'];
/**
 * Blind sets, measurement only, oldest first. blind-3's list of misses was shown once on
 * 2026-12-01 (docs/benchmarks.md › Honesty notes); blind-4's aggregates were read after each step
 * of the example bank (2026-12-02 evening), so blind-5 was written and frozen after; blind-6
 * (2026-12-02 23:34) and blind-7 (23:49) were each read before and after fit-13 was added (docs/benchmarks.md);
 * blind-8 was written and frozen on 2026-12-03 before its first reading; blind-9 likewise (05:55),
 * blind-10 (21:25, first read with the code of the session's start, 16cf5cf), blind-11
 * (2026-12-03 23:55, likewise), blind-12 (2026-12-04 00:35, first read with that day's code, 19d9c2d) and blind-13 (2026-12-04 03:35,
 * about a third of it outside, first read with the code of the session's start, 0ae926a) and blind-14
 * (2026-12-04 04:20, written like it; frozen before any reading, to be read once with the session's final code).
 */
export const BLIND_SETS = ['blind-3.yaml', 'blind-4.yaml', 'blind-5.yaml', 'blind-6.yaml', 'blind-7.yaml', 'blind-8.yaml', 'blind-9.yaml', 'blind-10.yaml', 'blind-11.yaml', 'blind-12.yaml', 'blind-13.yaml', 'blind-14.yaml'];
/**
 * The blind sets whose aggregates were never read while the gate or the example bank was tuned
 * (each frozen before its first reading): `npm run eval` also reads them together, since one set of
 * ~310 questions measures answered-right only to about ±3 points.
 */
export const POOLED_BLIND_SETS = ['blind-5.yaml', 'blind-6.yaml', 'blind-7.yaml', 'blind-8.yaml', 'blind-9.yaml', 'blind-10.yaml', 'blind-11.yaml', 'blind-12.yaml', 'blind-13.yaml', 'blind-14.yaml'];
export const BLIND_SET = 'blind-3.yaml';
/**
 * Sets written later to tune on (never blind): fit-5 (many near misses), fit-6, fit-7 and fit-8 (near misses), fit-9 (outside only; 2026-12-02), fit-10 (in scope, 2026-12-02 15:30), fit-11 (near misses, 16:20), fit-12 (in scope, 16:50), fit-13 (in scope and near misses, 23:40, from the blind-6 brief), fit-14 (2026-12-03 21:20, with blind-10's writers' emphases), fit-15 (23:45, with blind-11's), fit-16 (2026-12-04 00:40, with blind-12's). Since the example bank (2026-12-02 evening) the gate is fitted on them too (`GATE_SETS` in gate-fit.ts) and they are in the bank; `npm run eval` measures each with a bank that leaves it out.
 */
export const OTHER_SETS = ['fit-5.yaml', 'fit-6.yaml', 'fit-7.yaml', 'fit-8.yaml', 'fit-9.yaml', 'fit-10.yaml', 'fit-11.yaml', 'fit-12.yaml', 'fit-13.yaml', 'fit-14.yaml', 'fit-15.yaml', 'fit-16.yaml'];
/**
 * Sets written to tune on whose misses are read, but which are not (yet) in the gate's fit or the
 * example bank: fit-17, fit-18 and fit-19 (2026-12-04 03:25, 03:40 and 04:25, with blind-13's writers'
 * emphases, a third of each outside). A refit with them was measured and not kept (docs/benchmarks.md › blind-13):
 * `npm run eval` measures them with the shipped bank, which holds none of their questions.
 */
export const READ_SETS = ['fit-17.yaml', 'fit-18.yaml', 'fit-19.yaml'];

export async function loadLabelled(file: string): Promise<Labelled[]> {
  return parse(await readFile(file, 'utf8')) as Labelled[];
}

/**
 * Half of every unlabelled corpus fits the gate and the other half measures it: a fixed split by
 * a hash of the text, so it never changes with the order of the file.
 */
export const half = (text: string): 'fit' | 'test' => (fnv(text) % 2 === 0 ? 'fit' : 'test');

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The real negative corpus (eval/negatives/), less the lines judged to be about a covered matter. */
export async function loadNegatives(root: string): Promise<Unlabelled[]> {
  const dir = join(root, EVAL_DIR, 'negatives');
  const excluded = new Set(
    (await readFile(join(dir, 'in-scope.tsv'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split('\t')[0]!.trim()),
  );
  return (await readFile(join(dir, 'negatives.tsv'), 'utf8'))
    .split('\n')
    .filter((l) => l.includes('\t'))
    .map((l) => {
      const [source, ...rest] = l.split('\t');
      return { source: source!, text: rest.join(' ').trim() };
    })
    .filter((r) => r.text && !excluded.has(r.text));
}

/**
 * Item names of the Guangdong service catalogue (eval/catalogue/, MIT) that the knowledge base
 * does not cover: none of its names is in them or they in it, and they are not much alike.
 * Real matters a citizen may ask about, close to ours in wording: the hardest negatives.
 */
export async function loadNearMisses(root: string, entries: readonly Entry[]): Promise<Unlabelled[]> {
  const names = entries
    .filter((e) => e.kind !== 'faq')
    .flatMap((e) => [e.title, ...e.aliases])
    .map(normalize)
    .filter((n) => n.length >= 3);
  const grams = (s: string) => new Set([...s].slice(1).map((c, i) => `${s[i]}${c}`));
  const nameGrams = names.map(grams);
  const covered = (item: string): boolean => {
    const n = normalize(item);
    const g = grams(n);
    return names.some((name, i) => {
      if (n.includes(name) || name.includes(n)) return true;
      let shared = 0;
      for (const x of nameGrams[i]!) if (g.has(x)) shared++;
      return (2 * shared) / (nameGrams[i]!.size + g.size) >= 0.5;
    });
  };
  const text = await readFile(join(root, EVAL_DIR, 'catalogue', 'matter-names.txt'), 'utf8');
  const seen = new Set<string>();
  const out: Unlabelled[] = [];
  for (const line of text.split('\n')) {
    const item = line.trim();
    if (!item || seen.has(item) || covered(item)) continue;
    seen.add(item);
    out.push({ source: 'catalogue', text: item });
  }
  return out;
}

/** Is the first result an acceptable answer? An FAQ about an expected entry counts as that entry. */
export function fits(entry: Entry | undefined, expect: readonly string[]): boolean {
  return !!entry && (expect.includes(entry.id) || (entry.kind === 'faq' && entry.related.some((id) => expect.includes(id))));
}

export interface Tally {
  inScope: number;
  top1: number;
  top3: number;
  answeredRight: number;
  answeredWrong: number;
  offeredRight: number;
  offeredWrong: number;
  refused: number;
  outside: number;
  outsideAnswered: number;
  outsideOffered: number;
  misses: string[];
}

export const emptyTally = (): Tally => ({
  inScope: 0, top1: 0, top3: 0, answeredRight: 0, answeredWrong: 0, offeredRight: 0, offeredWrong: 0,
  refused: 0, outside: 0, outsideAnswered: 0, outsideOffered: 0, misses: [],
});

/**
 * What the citizen is shown: an answer; buttons to choose from — the 您是不是想问 suggestions, or
 * the 请点选 choice the dialogue asks when two answerable entries fit about equally (`ambiguous`:
 * no fact is asserted until one is picked, so it is an offer, not an answer); or a refusal.
 */
export function shown(r: SearchResult): { kind: 'answer' | 'offer' | 'refuse'; offered: readonly { entry: Entry }[] } {
  if (r.band === 'answer') return r.ambiguous ? { kind: 'offer', offered: r.ambiguous } : { kind: 'answer', offered: [] };
  if (r.band === 'suggest') return { kind: 'offer', offered: r.suggestions };
  return { kind: 'refuse', offered: [] };
}

/** Scores one question (expect [] = outside the knowledge base) into the tally. */
export function score(t: Tally, engine: Engine, q: string, expect: readonly string[], note = ''): SearchResult {
  const r = engine.search(q, 3);
  const first = r.results[0]?.entry;
  const tag = note ? ` [${note}]` : '';
  const ranked = r.results.map((x) => `${x.entry.id}(${x.score})`).join(', ');
  const seen = shown(r);
  if (expect.length === 0) {
    t.outside++;
    if (seen.kind === 'answer') {
      t.outsideAnswered++;
      t.misses.push(`FALSE ANSWER  ${q}${tag} → ${first?.id} p=${r.probability}`);
    } else if (seen.kind === 'offer') t.outsideOffered++;
    return r;
  }
  t.inScope++;
  const hit = fits(first, expect);
  if (hit) t.top1++;
  if (r.results.slice(0, 3).some((x) => fits(x.entry, expect))) t.top3++;
  if (seen.kind === 'answer') {
    if (hit) t.answeredRight++;
    else {
      t.answeredWrong++;
      t.misses.push(`WRONG    ${q}${tag} → ${ranked} p=${r.probability}  expected ${expect.join('|')}`);
    }
  } else if (seen.kind === 'offer') {
    if (seen.offered.some((s) => fits(s.entry, expect))) t.offeredRight++;
    else {
      t.offeredWrong++;
      t.misses.push(`OFFERED  ${q}${tag} → ${seen.offered.map((s) => s.entry.id).join(', ')} p=${r.probability}${r.ambiguous ? ' (请点选)' : ''}  expected ${expect.join('|')}`);
    }
  } else {
    t.refused++;
    t.misses.push(`REFUSED  ${q}${tag} → ${ranked} p=${r.probability}${r.appeal ? ` (${r.appeal})` : ''}  expected ${expect.join('|')}`);
  }
  return r;
}

/** eval/follow-ups.yaml: openers, the tuned follow-ups and the two held-out sets (counted, never listed). */
export interface FollowUpSets {
  openers: string[];
  followUps: string[];
  heldOut: string[];
  heldOut2: string[];
  /** Written to choose the constants of the follow-up read in context on (step.ts › IN_CONTEXT). */
  fitFollowUps: string[];
  /** Short second messages about something else: never to be answered about the matter under discussion. */
  topicChanges: string[];
}

export async function loadFollowUps(root: string): Promise<FollowUpSets> {
  const y = parse(await readFile(join(root, EVAL_DIR, 'follow-ups.yaml'), 'utf8')) as Partial<FollowUpSets>;
  return { openers: y.openers ?? [], followUps: y.followUps ?? [], heldOut: y.heldOut ?? [], heldOut2: y.heldOut2 ?? [], fitFollowUps: y.fitFollowUps ?? [], topicChanges: y.topicChanges ?? [] };
}

/**
 * Each question asked second, after each opener: how often the matter under discussion (the entry
 * answered first, and the matter an FAQ belongs to) is answered, or offered as a button.
 */
export function followUpOutcomes(engine: Engine, openers: readonly string[], questions: readonly string[]): { asked: number; answered: number; offered: number; unwritten: number } {
  let asked = 0, answered = 0, offered = 0, unwritten = 0;
  for (const opener of openers) {
    const first = step(initialState(), { text: opener }, { engine }).state;
    const current = first.currentEntryId === null ? undefined : engine.entry(first.currentEntryId);
    const matter = new Set([current?.id, current?.kind === 'faq' ? current.related[0] : undefined].filter((id) => id !== undefined));
    for (const q of questions) {
      asked++;
      const r = step(structuredClone(first), { text: q }, { engine });
      if (r.events.some((e) => e.type === 'answered' && matter.has(e.entryId))) answered++;
      else if (r.events.some((e) => e.type === 'suggested' && e.candidates.some((id) => matter.has(id)))) offered++;
      else if (r.events.some((e) => e.type === 'unanswered' && e.about !== undefined && matter.has(e.about))) unwritten++;
    }
  }
  return { asked, answered, offered, unwritten };
}

/** The blind 诉求 set (eval/appeals-blind.yaml): short appeals by kind, and questions that are not appeals. */
export interface AppealSet {
  appeals: { text: string; kind: AppealKind }[];
  questions: string[];
}

/** The blind 诉求 sets, in the order they were written. */
export const APPEAL_SETS = ['appeals-blind.yaml', 'appeals-blind-2.yaml', 'appeals-blind-3.yaml'];

export async function loadAppeals(root: string, name: string): Promise<AppealSet | null> {
  const file = join(root, EVAL_DIR, name);
  if (!existsSync(file)) return null;
  return parse(await readFile(file, 'utf8')) as AppealSet;
}

/** What the dialogue does with a first message: a 诉求 (of which kind), an answer, buttons, or a refusal. */
export type FirstReply = { type: 'appeal'; kind: AppealKind } | { type: 'answered' | 'offered' | 'refused' | 'other' };

export function firstReply(engine: Engine, text: string): FirstReply {
  const r = step(initialState(), { text }, { engine });
  const appeal = r.events.find((e) => e.type === 'appeal');
  if (appeal?.type === 'appeal') return { type: 'appeal', kind: appeal.kind };
  if (r.events.some((e) => e.type === 'answered' || e.type === 'flow_started')) return { type: 'answered' };
  if (r.events.some((e) => e.type === 'suggested' || e.type === 'clarification_asked')) return { type: 'offered' };
  if (r.events.some((e) => e.type === 'unanswered')) return { type: 'refused' };
  return { type: 'other' };
}
