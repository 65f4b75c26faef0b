/**
 * Every tunable number of retrieval in one place, with defaults — as MiniSearch does with its
 * `searchOptions`. The defaults are what ships; `createEngine(kb, tokenizer, { retrieval })` takes
 * a partial override (one level deep: `{ bm25: { k1: 1.5 } }` keeps `b`), and
 * `npm run eval -- --set bm25.k1=1.5` or `--sweep bm25.k1=1,1.2,1.5` measures one on the fit sets.
 * The answer gate (answer-gate.ts) is fitted on the features these produce: change a default,
 * then refit it (`npm run gate:fit`). See docs/retrieval.md › Constants and why.
 */

import { LONG_MESSAGE } from '../nlp/appeal.js';

export type Channel = 'word' | 'char' | 'sound';

export interface RetrievalOptions {
  /**
   * Weight of each BM25 channel. Words tell matters apart best; character pairs catch typos and
   * folded-pinyin pairs homophones, but both also overlap by chance, so they count less.
   */
  channelWeight: Record<Channel, number>;
  /**
   * BM25's term-frequency saturation `k1` (the usual 1.2) and length normalisation `b` (less than
   * the usual 0.75: entries are short and of similar length, and a long one is not less relevant).
   */
  bm25: { k1: number; b: number };
  /**
   * A character or sound pair found in more than this share of the entries is not scored: its idf
   * is near 0, so it says nothing, and its long postings list costs the most. Words are always scored.
   */
  commonTermShare: number;
  /**
   * BM25 weight of a term by the field it comes from. Names say what an entry is; keywords lead
   * to it; details (materials, steps, an FAQ's answer) share words with everything.
   */
  fieldWeight: { name: number; keyword: number; summary: number; detail: number };
  /** Naming strength of a keyword compared with a title or alias (1): a keyword leads here, a name says exactly this. */
  keywordAnchor: number;
  /**
   * Name evidence by how a name is found in the question: verbatim; only through a synonym's
   * canonical word (执照 → 营业执照); by sound (社报卡 for 社保卡); with characters inserted
   * (开办民营医院 for 开民营医院). The weaker the match, the likelier a different thing is meant.
   */
  matchStrength: { exact: number; synonym: number; sound: number; gapped: number };
  /** Names of fewer Chinese syllables are not matched by sound: too many words share two syllables (元/院/园 share one). */
  soundMinSyllables: number;
  /**
   * Gapped matches: names of at least `minChars` characters match with characters inserted — at
   * most `shortAllowance` in all into a name of up to `shortMaxChars` characters, `longAllowance`
   * into a longer one (开个饭店 ~ 开饭店) — without letting a name spread over a sentence.
   */
  gapped: { minChars: number; shortMaxChars: number; shortAllowance: number; longAllowance: number };
  /**
   * A name that is a one-character verb and its thing (领发票, 开饭店, 上户口) is also named with the
   * thing said first and the verb after it, at most `maxBetween` characters apart with only a how
   * or a where between (发票怎么领, 饭店去哪开, 户口要怎么上) — Chinese puts the thing first as often
   * as not. As strong as a gapped match.
   */
  inverted: { maxBetween: number };
  /**
   * An FAQ is named when one of its phrasings shares at least `similarity` of its character pairs
   * with the question (Dice) and its subject is named; its evidence is then the similarity plus
   * `subjectBonus` (at most 1). Questions of fewer than `minPairs` character pairs are not compared.
   */
  faq: { similarity: number; subjectBonus: number; minPairs: number };
  /**
   * fuse.js fuzzy match of a short question (≤ `maxLength` characters) against the names of the
   * first `candidates` entries by BM25, for typos that are not homophones: a similarity below `min`
   * is not taken as meant; `threshold` is fuse.js's own cut-off; the evidence is `weight` × similarity.
   */
  fuzzy: { candidates: number; maxLength: number; min: number; threshold: number; weight: number };
  /**
   * Name evidence from which a name counts as "named": fuse.js is not consulted when a non-FAQ
   * entry is named this strongly, and a bundle's item counts as named from it (bundles by items).
   */
  namedStrength: number;
  /**
   * A name of a thing and an action (经营范围变更) is named by the thing with one of the action's
   * everyday verbs (lexicon.yaml › actions › verbs) at most `after` characters after it (经营范围怎么加)
   * or `before` characters before it (销执照); the evidence is that of a gapped match.
   */
  verbWindow: { after: number; before: number };
  /** How many entries, first by BM25, are scored for name evidence and coverage. */
  candidates: number;
  /**
   * The ranking's confidence is evidence × action fit × (1 − `coverageWeight` + `coverageWeight` ×
   * coverage): naming an entry counts most, explaining the rest of the question some.
   */
  coverageWeight: number;
  /** Rank = confidence + this × BM25 as a share of the first's: BM25 orders entries of equal confidence. */
  rankBm25Weight: number;
  /** The ranking's own answer threshold, used only without a gate (tests of the ranking on the fixture corpus). */
  answerThreshold: number;
  /**
   * An entry that does not cover the action the question asks (a word of an action group its names
   * and keywords never mention: 补办, 注销, a death) is offered, not answered — unless the gate's
   * probability is at least this: the rest of the evidence all but settles it (「娃在家里生的没去医院，
   * 出生医学证明还能补办不」 → the FAQ on births outside a hospital). Chosen on the fit sets, each with
   * a bank leaving it out: 0.6 +17 answered right, +1 wrong, +1 outside answered; 0.8 +8, 0, +1;
   * 0.9 +5, 0, 0 (docs/benchmarks.md › blind-11 and fit-15).
   */
  actionMismatchAnswer: number;
  /**
   * A long message whose question sentences name no entry (「…想给她办个残疾证。请问要先去哪家医院做
   * 评定？」) is searched again as a whole; when the gate's probability on the whole is at least
   * this, the whole's nearest entries are offered as buttons (never answered: a story's other words
   * can name a matter it only mentions). Measured on the fit sets, each with a bank leaving it out
   * (fit-17, fit-18, 2026-12-04): answering from the whole at 0.6, 0.8 or 0.9 gained 10 answered
   * right with no outside answer (0.95: 9; no bar: a complaint about a 户口 window's lunch break
   * answered at p 0.58), but on blind-13 it answered 2 more of 177 outside messages
   * (docs/benchmarks.md), so what it finds is offered; the fit sets' 10 are then offered right.
   */
  storyOffer: number;
  /** Two answerable entries (of unrelated matters) whose confidences are closer than this are offered as a choice. */
  ambiguityMargin: number;
  /**
   * …and whose BM25 is at least this share of the first's: a rival that names something but fits
   * the words much worse is no second reading (「我65了退休在家闲，想开个小杂货铺」 names 退休 in
   * passing; a bundle named through an item it shares with another, 开公司一件事, against the one
   * whose own text the question fits). As the suggestions' `minBm25Share`.
   */
  ambiguityBm25Share: number;
  /**
   * …unless the labelled questions settle it: of the nearest `within` examples, those about exactly
   * one of the two (examples about both, or neither, say nothing of which) weigh at least `atLeast`
   * (similarity summed) about the first and at least `share` of the two (摆个摊卖菜要办营业执照吗
   * is worded like the questions about 个体户, not about a company). Chosen on the fit sets, each
   * with a bank leaving it out (docs/retrieval.md › Constants).
   */
  ambiguityExamples: { within: number; share: number; atLeast: number };
  /**
   * 您是不是想问: at most `max` entries, one per matter, each having named something or having a
   * BM25 of at least `minBm25Share` of the first's.
   */
  suggestions: { max: number; minBm25Share: number };
  /** Messages longer than this (characters, punctuation included) are letters or stories: their question is searched. */
  longMessage: number;
  /**
   * The example bank's second opinion on the order (example-bank.ts, `preferExamples` in
   * search-index.ts): when at most `firstAtMost` of the nearest labelled questions' weight is about
   * the first result and at least `otherAtLeast` about the second or third, that one comes first —
   * unless the first was named outright (confidence ≥ `namedStrength`) or by a name longer than
   * `nameAtMost` characters (职工养老保险 means that scheme, whatever questions worded like it were about).
   * Chosen with `--sweep` on the labelled sets, each with a bank that leaves it out, by the gate
   * refitted out of fold (docs/retrieval.md › Constants).
   */
  examples: { firstAtMost: number; otherAtLeast: number; nameAtMost: number };
  /**
   * A bundle and one of its items both among the first three (开米粉店 and 食品许可; 残疾证 and the
   * disability bundle): the whole chain or one step? Read from the labelled questions: of the
   * nearest `within` examples, those about exactly one of the two (examples about both say nothing
   * of which) — when the weight about the second or third result is at least `otherAtLeast` and at
   * least `share` of the two, it comes first — unless the first was named outright (confidence ≥
   * `namedStrength`: 开小卖部 and 企业注销 are the bundle's own names). Chosen on
   * the fit sets, each with a bank leaving it out (docs/retrieval.md › Constants).
   */
  family: { within: number; share: number; otherAtLeast: number };
  /**
   * Which words of a short follow-up say nothing of their own (`Engine.unexplainedWords`): a word
   * at least `commonShare` of the entries use (本人, 网上, 身份证), or one citizens use in labelled
   * questions about at least `minEntries` different entries, at least `inScopeRatio` times as often
   * as in the labelled questions about nothing covered (老人家 and 手机 come with questions about any matter;
   * 天气 and 停电 are not). Chosen on the fit follow-ups of eval/follow-ups.yaml (docs/retrieval.md
   * › Follow-ups read in context).
   */
  followUp: { commonShare: number; minEntries: number; inScopeRatio: number };
}

export const DEFAULT_RETRIEVAL_OPTIONS: Readonly<RetrievalOptions> = deepFreeze({
  channelWeight: { word: 1, char: 0.6, sound: 0.4 },
  bm25: { k1: 1.2, b: 0.5 },
  commonTermShare: 0.5,
  fieldWeight: { name: 3, keyword: 2, summary: 1, detail: 0.3 },
  keywordAnchor: 0.9,
  matchStrength: { exact: 1, synonym: 0.9, sound: 0.9, gapped: 0.85 },
  soundMinSyllables: 3,
  gapped: { minChars: 3, shortMaxChars: 3, shortAllowance: 1, longAllowance: 2 },
  inverted: { maxBetween: 4 },
  faq: { similarity: 0.55, subjectBonus: 0.2, minPairs: 3 },
  fuzzy: { candidates: 12, maxLength: 10, min: 0.6, threshold: 0.45, weight: 0.8 },
  namedStrength: 0.9,
  verbWindow: { after: 8, before: 2 },
  candidates: 40,
  coverageWeight: 0.4,
  rankBm25Weight: 0.1,
  answerThreshold: 0.5,
  actionMismatchAnswer: 0.9,
  storyOffer: 0.9,
  ambiguityMargin: 0.04,
  ambiguityBm25Share: 0.6,
  ambiguityExamples: { within: 10, share: 0.9, atLeast: 0.8 },
  suggestions: { max: 3, minBm25Share: 0.6 },
  longMessage: LONG_MESSAGE,
  examples: { firstAtMost: 0.4, otherAtLeast: 0.5, nameAtMost: 4 },
  family: { within: 10, share: 0.8, otherAtLeast: 0.8 },
  followUp: { commonShare: 0.05, minEntries: 4, inScopeRatio: 2 },
});

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) Object.freeze(v);
  return Object.freeze(o);
}

/** A partial override: any field, and any part of a grouped field. */
export type RetrievalOverrides = {
  [K in keyof RetrievalOptions]?: RetrievalOptions[K] extends object ? Partial<RetrievalOptions[K]> : RetrievalOptions[K];
};

/** The defaults with the overrides applied (groups merged field by field). */
export function resolveRetrievalOptions(overrides: RetrievalOverrides = {}): RetrievalOptions {
  const out = { ...DEFAULT_RETRIEVAL_OPTIONS } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_RETRIEVAL_OPTIONS)) throw new Error(`unknown retrieval option: ${key}`);
    const base = out[key];
    if (typeof base === 'object' && base !== null) {
      if (typeof value !== 'object' || value === null) throw new Error(`retrieval option ${key} is a group: set its fields`);
      for (const field of Object.keys(value)) if (!(field in base)) throw new Error(`unknown retrieval option: ${key}.${field}`);
      out[key] = { ...base, ...value };
    } else out[key] = value;
  }
  return out as unknown as RetrievalOptions;
}
