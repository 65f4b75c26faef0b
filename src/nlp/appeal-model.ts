/**
 * A naive Bayes model of 诉求 over character unigrams and bigrams: is a message a complaint, a
 * report, a suggestion, thanks — or a question? Used only for messages nothing answers
 * (nlp/appeal.ts › appealWhenRefused), after the cue words, where the choice is between the 诉求
 * reply and the refusal. Pure: trained from the texts passed in.
 *
 * Written out rather than natural's BayesClassifier: the decision needs the log-odds of the best
 * 诉求 kind against a question (natural multiplies probabilities, which underflow to 0 for a
 * message of 40 characters' features, and gives no odds), and the classes get equal priors (the
 * training holds far more questions than 诉求, which says nothing about the traffic).
 */
import type { AppealKind } from './appeal.js';
import { normalize } from './normalize.js';

export type AppealLabel = AppealKind | 'question';
export const APPEAL_LABELS: readonly AppealLabel[] = ['complaint', 'report', 'suggestion', 'thanks', 'question'];

export interface AppealReading {
  /** The most likely 诉求 kind. */
  kind: AppealKind;
  /** ln P(text | kind) − ln P(text | question), per feature: > 0 reads more like that 诉求 than a question. */
  odds: number;
}

export interface AppealModel {
  read(text: string): AppealReading | null;
}

/** Character unigrams and bigrams of the normalised text (letters, digits and Han only). */
export function appealFeatures(text: string, normalized = false): string[] {
  const chars = [...(normalized ? text : normalize(text)).replace(/\s+/gu, '')];
  const out: string[] = [...chars];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** Laplace smoothing of the counts. */
const ALPHA = 0.5;

/** Adds training messages one at a time (so that training can be spread over event-loop turns), then builds. */
export interface AppealModelBuilder {
  /** `normalized`: the text is already normalised (nlp/normalize.ts), e.g. the engine's analysed text. */
  add(label: AppealLabel, text: string, normalized?: boolean): void;
  build(): AppealModel;
}

export function appealModelBuilder(): AppealModelBuilder {
  const counts = new Map<AppealLabel, Map<string, number>>(APPEAL_LABELS.map((l) => [l, new Map<string, number>()]));
  const totals = new Map<AppealLabel, number>(APPEAL_LABELS.map((l) => [l, 0]));
  const vocabulary = new Set<string>();
  return {
    add(label, text, normalized = false) {
      const c = counts.get(label)!;
      const fs = appealFeatures(text, normalized);
      for (const f of fs) {
        c.set(f, (c.get(f) ?? 0) + 1);
        vocabulary.add(f);
      }
      totals.set(label, totals.get(label)! + fs.length);
    },
    build() {
      const v = vocabulary.size;
      const logP = (label: AppealLabel, f: string): number => Math.log(((counts.get(label)!.get(f) ?? 0) + ALPHA) / (totals.get(label)! + ALPHA * v));
      return {
        read(text) {
          // Features never seen in training say nothing either way.
          const fs = appealFeatures(text).filter((f) => vocabulary.has(f));
          if (fs.length === 0) return null;
          const score = (label: AppealLabel) => fs.reduce((s, f) => s + logP(label, f), 0);
          const question = score('question');
          let best: AppealReading | null = null;
          for (const kind of APPEAL_LABELS) {
            if (kind === 'question') continue;
            const odds = (score(kind) - question) / fs.length;
            if (!best || odds > best.odds) best = { kind, odds };
          }
          return best;
        },
      };
    },
  };
}

/** All at once: `normalizedQuestions` are more questions, already normalised. */
export function trainAppealModel(data: Readonly<Record<AppealLabel, readonly string[]>>, normalizedQuestions: readonly string[] = []): AppealModel {
  const b = appealModelBuilder();
  for (const label of APPEAL_LABELS) for (const text of data[label]) b.add(label, text);
  for (const text of normalizedQuestions) b.add('question', text, true);
  return b.build();
}
