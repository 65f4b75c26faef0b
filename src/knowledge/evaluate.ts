/** Labelled questions run against an engine: which are answered with an acceptable entry first. Pure. */
import type { Engine } from './engine.js';

export interface LabelledQuestion {
  q: string;
  expect: string[];
  note?: string;
}

export interface Top1 {
  top1: number;
  inScope: number;
  /** For each in-scope question: is the first result acceptable? */
  correct: Map<string, boolean>;
}

export function top1(engine: Engine, questions: readonly LabelledQuestion[]): Top1 {
  const correct = new Map<string, boolean>();
  for (const { q, expect } of questions) {
    if (expect.length === 0) continue;
    const first = engine.search(q, 1).results[0]?.entry;
    const ok = !!first && (expect.includes(first.id) || (first.kind === 'faq' && first.related.some((id) => expect.includes(id))));
    correct.set(q, ok);
  }
  const right = [...correct.values()].filter(Boolean).length;
  return { top1: correct.size === 0 ? 1 : right / correct.size, inScope: correct.size, correct };
}

/** The part of an engine the change judgement needs: the first result and whether it would be answered. */
export interface JudgedEngine {
  search(query: string, k?: number): { band?: string; results: { entry: { id: string; kind: string; related?: readonly string[] } }[] };
}

export interface AnsweredShare {
  /** In-scope questions answered with an acceptable entry (first result, answer band). */
  right: number;
  /** In-scope questions whose first result is acceptable, answered or not (the top-1 share the floor is about). */
  top1: number;
  inScope: number;
}

export interface QuestionMove {
  q: string;
  /** The entries that may answer it (empty: a question outside the knowledge base). */
  expect: string[];
  /** The first result before and after the change (id, or null), and whether it would be answered. */
  before: { id: string | null; answered: boolean };
  after: { id: string | null; answered: boolean };
}

export interface ChangeJudgement {
  before: AnsweredShare;
  after: AnsweredShare;
  /** Answered with an acceptable entry before the change, not after. */
  lost: QuestionMove[];
  /** After the change answered by a changed entry that does not fit it (including questions outside the knowledge base); such a question answered right before is also lost. */
  drawn: QuestionMove[];
}

type FirstResult = { id: string; kind: string; related?: readonly string[] };

/** What an engine does with each labelled question: its first result and whether it would answer. */
export interface Observation {
  first: FirstResult | null;
  answered: boolean;
}

const acceptable = (first: FirstResult, expect: readonly string[]): boolean =>
  expect.includes(first.id) || (first.kind === 'faq' && (first.related ?? []).some((id) => expect.includes(id)));

/** Runs the questions once against an engine (an engine without a gate answers everything it ranks first). */
export function observe(engine: JudgedEngine, questions: readonly LabelledQuestion[]): Observation[] {
  return questions.map(({ q }) => {
    const r = engine.search(q, 1);
    const first = r.results[0]?.entry ?? null;
    return { first, answered: !!first && (r.band === undefined || r.band === 'answer') };
  });
}

/**
 * Judges a knowledge change by what it does to the labelled questions, not only by a global share:
 * which questions it stops answering right, and which it pulls to the changed entries although they
 * do not belong there. "Answered right" means first result acceptable and in the answer band. The
 * observations come from `observe` on the engines before and after, over the same questions. Pure.
 */
export function judgeChange(before: readonly Observation[], after: readonly Observation[], questions: readonly LabelledQuestion[], changed: ReadonlySet<string>): ChangeJudgement {
  const share = { before: { right: 0, top1: 0, inScope: 0 }, after: { right: 0, top1: 0, inScope: 0 } };
  const lost: QuestionMove[] = [];
  const drawn: QuestionMove[] = [];
  questions.forEach(({ q, expect }, i) => {
    const b = before[i]!;
    const a = after[i]!;
    const rightBefore = b.answered && !!b.first && acceptable(b.first, expect);
    const rightAfter = a.answered && !!a.first && acceptable(a.first, expect);
    if (expect.length > 0) {
      share.before.inScope++;
      share.after.inScope++;
      if (rightBefore) share.before.right++;
      if (rightAfter) share.after.right++;
      if (b.first && acceptable(b.first, expect)) share.before.top1++;
      if (a.first && acceptable(a.first, expect)) share.after.top1++;
    }
    const move: QuestionMove = {
      q,
      expect: [...expect],
      before: { id: b.first?.id ?? null, answered: b.answered },
      after: { id: a.first?.id ?? null, answered: a.answered },
    };
    if (expect.length > 0 && rightBefore && !rightAfter) lost.push(move);
    // Pulled to a changed entry it does not belong to — whether it was answered right before (then it
    // is lost too) or not: the editor is told where it goes.
    if (a.answered && a.first && changed.has(a.first.id) && !acceptable(a.first, expect) && !(b.answered && b.first?.id === a.first.id)) drawn.push(move);
  });
  return { before: share.before, after: share.after, lost, drawn };
}

/** A share as 「96.23%（512/532）」: two decimals and the counts, so a real change never reads as 96.2% → 96.2%. */
export const formatShare = (part: number, whole: number): string =>
  `${whole === 0 ? '100.00' : ((100 * part) / whole).toFixed(2)}%（${part}/${whole}）`;
