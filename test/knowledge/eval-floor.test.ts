/**
 * Retrieval quality floors, a few points under the figures measured when they were set (see
 * docs/benchmarks.md): `npm test` fails when a change makes the bot answer fewer unseen questions
 * right, or answer more real text outside the knowledge base. The blind sets were frozen before
 * they were first measured and are never used to fit or tune; their misses are counted, not patched.
 */
import { describe, expect, it } from 'vitest';
import { APPEAL_SETS, BLIND_SET, EVAL_DIR, firstReply, loadAppeals, FIT_SETS, emptyTally, followUpOutcomes, half, loadFollowUps, loadLabelled, loadNearMisses, loadNegatives, score } from '../../scripts/lib/eval-sets.js';
import { join } from 'node:path';
import { collectExamples, leaveOut } from '../../scripts/lib/gate-fit.js';
import { realEngine, realKb, root } from '../helpers/real-engine.js';

/** Floors and ceilings (shares). Raise them when the figures improve; never lower them to pass. */
export const FLOOR = {
  /** blind-3 (its misses seen once on 2026-12-01): 2026-12-02 20:00, with the example bank, 90.2 %. */
  blindAnsweredRight: 0.87,
  blindTop3: 0.96,
  /** Outside questions of the blind set answered: at most this many. */
  blindFalseAnswers: 2,
  /**
   * blind-4 (written 2026-12-01, unseen): 85.8 % answered right, top-3 98.7 %, 4 of 71 outside
   * answered; 2026-12-02: 85.8 %, 99.2 %, 3 of 71; 2026-12-02 later, with a 请点选 choice counted
   * as offered, not answered (scripts/lib/eval-sets.ts › shown): 86.6 %; 06:40: 87.1 %, 99.2 %, 3 of 71;
   * 09:35: 88.7 %, 99.2 %, 3 of 71 (floor 86 %); 18:20: 89.8 %; 20:00, with the example bank (the
   * gate's nearest labelled questions): 91.9 %, 99.2 %, 3 of 71 (floor 89 %).
   */
  blind4AnsweredRight: 0.89,
  blind4Top3: 0.97,
  blind4FalseAnswers: 4,
  /**
   * blind-5 (written 2026-12-02 20:15–20:25 from the titles only, frozen, first measured 20:30 with the
   * example bank): 92.2 % answered right, top-3 98.8 %, 0 of 79 outside answered (the session's
   * start, 9be3d5d, on the same set: 88.0 %, 98.8 %, 0 of 79).
   */
  blind5AnsweredRight: 0.89,
  blind5Top3: 0.97,
  blind5FalseAnswers: 2,
  /**
   * blind-6 (written 2026-12-02 23:30–23:34 from the titles only, frozen, first measured 23:36): 91.3 %
   * answered right, top-3 97.8 %, 2 of 79 outside answered (9be3d5d, before the example bank, on
   * the same set: 86.0 %, 97.8 %, 4 of 79); 23:55, after fit-13 joined the fit: 91.6 %, 97.8 %, 2 of 79.
   */
  blind6AnsweredRight: 0.88,
  blind6Top3: 0.96,
  blind6FalseAnswers: 3,
  /**
   * blind-7 (written 2026-12-02 23:40–23:49 from the titles only, frozen, measured 23:50 before and
   * 23:55 after fit-13 joined the gate fit and the bank): 91.1 % answered right both times, top-3
   * 99.0 %, 1 of 74 outside answered.
   */
  blind7AnsweredRight: 0.88,
  blind7Top3: 0.97,
  blind7FalseAnswers: 3,
  /**
   * blind-8 (written 2026-12-03 03:35 from the titles only, frozen in a5e91e1, measured before and
   * after the bundle-or-item step): 91.9 % answered right before, 92.2 % after (285 of 309), top-3
   * 99.7 %, 2 of 69 outside both times.
   */
  blind8AnsweredRight: 0.89,
  blind8Top3: 0.97,
  blind8FalseAnswers: 4,
  /**
   * blind-9 (written 2026-12-03 05:50 from the titles only, frozen in b4fbec2, first measured with
   * that commit's code): 90.8 % answered right, top-3 98.7 %, 1 of 83 outside; after the 请点选
   * choice settled by the labelled questions (same day): 91.7 %, 98.7 %, 1 of 83.
   */
  blind9AnsweredRight: 0.88,
  blind9Top3: 0.96,
  blind9FalseAnswers: 3,
  /**
   * blind-10 (written 2026-12-03 21:10 from the titles only, frozen in 15b3ad2,
   * first measured with the code of the session's start, 16cf5cf): 89.3 % answered right (291 of
   * 326), top-3 99.7 %, 2 of 87 outside.
   */
  blind10AnsweredRight: 0.86,
  blind10Top3: 0.97,
  blind10FalseAnswers: 4,
  /**
   * blind-11 (written 2026-12-03 23:45 from the titles only, frozen in 6447842, first measured with
   * the code of the session's start, a6b002b): 93.2 % answered right (303 of 325), top-3 98.5 %,
   * 2 of 82 outside.
   */
  blind11AnsweredRight: 0.9,
  blind11Top3: 0.96,
  blind11FalseAnswers: 4,
  /**
   * blind-12 (written 2026-12-04 00:30 from the titles only, frozen in 9a0b5e3, first measured with
   * that commit's code): 93.5 % answered right (289 of 309), top-3 99.4 %, 5 of 80 outside.
   */
  blind12AnsweredRight: 0.9,
  blind12Top3: 0.97,
  blind12FalseAnswers: 7,
  /**
   * blind-13 (written 2026-12-04 03:25 from the titles only, a third of it outside, frozen in
   * f8eea82, first measured with the session's start, 0ae926a): 94.8 % answered right (312 of
   * 329), top-3 99.4 %, 12 of 177 outside; after that session's letter rules 6 of 177.
   */
  blind13AnsweredRight: 0.91,
  blind13Top3: 0.97,
  blind13FalseAnswers: 9,
  /**
   * blind-14 (written 2026-12-04 04:05 like blind-13, frozen in 0dfdfe5, read once with the
   * session's final code): 93.0 % answered right (306 of 329), top-3 100 %, 5 of 158 outside.
   */
  blind14AnsweredRight: 0.9,
  blind14Top3: 0.97,
  blind14FalseAnswers: 8,
  negativesAnswered: 0.01,
  nearMissesAnswered: 0.02,
  /**
   * Follow-ups asked after each opener of eval/follow-ups.yaml and answered about the matter under
   * discussion (2026-12-02 22:50, with the read in context: held out 59.2 %, second held-out set
   * 42.5 %; 50.4 % and 38.8 % before it); and questions about something else asked second but
   * answered about it (negatives' test half 0.4 %, the fit sets' outside questions 3.0 %, the
   * short topic changes 4.2 %).
   */
  heldOutFollowUps: 0.55,
  heldOut2FollowUps: 0.39,
  falseFollowUpsNegatives: 0.005,
  falseFollowUpsOutside: 0.04,
  falseFollowUpsTopicChanges: 0.06,
  /**
   * Short 诉求 recognised as such on the blind 诉求 sets (eval/appeals-blind*.yaml), and questions
   * taken for one (2026-12-03 13:20: set 1 94 of 160 recognised, 4 of 160 questions taken for a
   * 诉求 — 47 and 3 before appealWhenRefused; set 2, first measured then: 98 of 200, 12 of 200 —
   * 39 and 9 before); 13:45, with the 诉求 model: 121 of 160 and 4; 142 of 200 and 13. Set 3,
   * written after the model was settled and first measured with it: 91 of 160 and 5 of 160 (12
   * and 1 before any of this, 51 and 3 with the cue rules alone).
   */
  appealsRecognised: [0.7, 0.66, 0.52],
  questionsTakenForAppeals: [0.04, 0.08, 0.05],
} as const;

const engine = await realEngine();

describe('retrieval quality floors', () => {
  /** Each blind set with its floors: [file, at least this many in scope, answered right, top-3, false answers outside]. */
  const blindSets: [string, number, number, number, number][] = [
    [BLIND_SET, 300, FLOOR.blindAnsweredRight, FLOOR.blindTop3, FLOOR.blindFalseAnswers],
    ['blind-4.yaml', 350, FLOOR.blind4AnsweredRight, FLOOR.blind4Top3, FLOOR.blind4FalseAnswers],
    ['blind-5.yaml', 300, FLOOR.blind5AnsweredRight, FLOOR.blind5Top3, FLOOR.blind5FalseAnswers],
    ['blind-6.yaml', 300, FLOOR.blind6AnsweredRight, FLOOR.blind6Top3, FLOOR.blind6FalseAnswers],
    ['blind-7.yaml', 300, FLOOR.blind7AnsweredRight, FLOOR.blind7Top3, FLOOR.blind7FalseAnswers],
    ['blind-8.yaml', 300, FLOOR.blind8AnsweredRight, FLOOR.blind8Top3, FLOOR.blind8FalseAnswers],
    ['blind-9.yaml', 300, FLOOR.blind9AnsweredRight, FLOOR.blind9Top3, FLOOR.blind9FalseAnswers],
    ['blind-10.yaml', 300, FLOOR.blind10AnsweredRight, FLOOR.blind10Top3, FLOOR.blind10FalseAnswers],
    ['blind-11.yaml', 300, FLOOR.blind11AnsweredRight, FLOOR.blind11Top3, FLOOR.blind11FalseAnswers],
    ['blind-12.yaml', 300, FLOOR.blind12AnsweredRight, FLOOR.blind12Top3, FLOOR.blind12FalseAnswers],
    ['blind-13.yaml', 300, FLOOR.blind13AnsweredRight, FLOOR.blind13Top3, FLOOR.blind13FalseAnswers],
    ['blind-14.yaml', 300, FLOOR.blind14AnsweredRight, FLOOR.blind14Top3, FLOOR.blind14FalseAnswers],
  ];
  it.each(blindSets)('blind set %s (≥ %i in scope): answered right ≥ %d, top-3 ≥ %d, ≤ %i false answers outside', async (file, inScope, right, top3, falseAnswers) => {
    const t = emptyTally();
    for (const { q, expect: ids } of await loadLabelled(join(root, EVAL_DIR, file))) score(t, engine, q, ids);
    expect(t.inScope).toBeGreaterThanOrEqual(inScope);
    expect(t.answeredRight / t.inScope).toBeGreaterThanOrEqual(right);
    expect(t.top3 / t.inScope).toBeGreaterThanOrEqual(top3);
    expect(t.outsideAnswered).toBeLessThanOrEqual(falseAnswers);
  });

  it(`real text outside the knowledge base (test half): answered ≤ ${FLOOR.negativesAnswered}`, async () => {
    const rows = (await loadNegatives(root)).filter((r) => half(r.text) === 'test');
    expect(rows.length).toBeGreaterThan(1000);
    const t = emptyTally();
    for (const { text } of rows) score(t, engine, text, []);
    expect(t.outsideAnswered / t.outside).toBeLessThanOrEqual(FLOOR.negativesAnswered);
  });

  it(`service items the knowledge base does not cover (test half): answered ≤ ${FLOOR.nearMissesAnswered}`, async () => {
    const rows = (await loadNearMisses(root, (await realKb()).entries)).filter((r) => half(r.text) === 'test');
    expect(rows.length).toBeGreaterThan(500);
    const t = emptyTally();
    for (const { text } of rows) score(t, engine, text, []);
    expect(t.outsideAnswered / t.outside).toBeLessThanOrEqual(FLOOR.nearMissesAnswered);
  });

  it(`follow-ups: held out answered about the matter ≥ ${FLOOR.heldOutFollowUps} and ≥ ${FLOOR.heldOut2FollowUps}; other questions asked second answered about it ≤ ${FLOOR.falseFollowUpsNegatives} (negatives), ≤ ${FLOOR.falseFollowUpsOutside} (fit sets' outside questions) and ≤ ${FLOOR.falseFollowUpsTopicChanges} (topic changes)`, async () => {
    const { openers, heldOut, heldOut2, topicChanges } = await loadFollowUps(root);
    expect(openers.length).toBeGreaterThanOrEqual(4);
    const share = (qs: string[]) => {
      const o = followUpOutcomes(engine, openers, qs);
      return o.answered / o.asked;
    };
    expect(heldOut.length).toBeGreaterThanOrEqual(60);
    expect(heldOut2.length).toBeGreaterThanOrEqual(80);
    expect(share(heldOut)).toBeGreaterThanOrEqual(FLOOR.heldOutFollowUps);
    expect(share(heldOut2)).toBeGreaterThanOrEqual(FLOOR.heldOut2FollowUps);
    expect(topicChanges.length).toBeGreaterThanOrEqual(150);
    expect(share(topicChanges)).toBeLessThanOrEqual(FLOOR.falseFollowUpsTopicChanges);
    const negatives = (await loadNegatives(root)).filter((r) => half(r.text) === 'test').map((r) => r.text);
    expect(share(negatives)).toBeLessThanOrEqual(FLOOR.falseFollowUpsNegatives);
    // Each set's outside questions asked of an engine whose example bank leaves that set out (as npm run eval does).
    const engineFor = leaveOut(engine, await collectExamples(engine, root, engine.kb.entries));
    let questions = 0, asked = 0, answered = 0;
    for (const set of FIT_SETS) {
      const outside = (await loadLabelled(join(root, EVAL_DIR, set))).filter((l) => l.expect.length === 0).map((l) => l.q);
      const o = followUpOutcomes(engineFor(set), openers, outside);
      questions += outside.length;
      asked += o.asked;
      answered += o.answered;
    }
    expect(questions).toBeGreaterThan(150);
    expect(answered / asked).toBeLessThanOrEqual(FLOOR.falseFollowUpsOutside);
  }, 120_000);

  it.each(APPEAL_SETS.map((name, i) => [name, FLOOR.appealsRecognised[i]!, FLOOR.questionsTakenForAppeals[i]!] as const))(
    '诉求 set %s: recognised ≥ %d, questions taken for a 诉求 ≤ %d',
    async (name, recognised, taken) => {
      const set = (await loadAppeals(root, name))!;
      expect(set.appeals.length).toBeGreaterThanOrEqual(160);
      const isAppeal = (text: string) => firstReply(engine, text).type === 'appeal';
      expect(set.appeals.filter((a) => isAppeal(a.text)).length / set.appeals.length).toBeGreaterThanOrEqual(recognised);
      expect(set.questions.filter(isAppeal).length / set.questions.length).toBeLessThanOrEqual(taken);
    },
  );
});
