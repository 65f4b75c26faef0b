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
