/**
 * Groups what citizens asked that the bot could not answer, by meaning over segmented words and
 * character pairs, so editors see one line per need with a count and examples. Pure.
 */
import { compareText } from '../core/compare-text.js';

export interface Cluster {
  /** The most typical question of the group. */
  label: string;
  count: number;
  examples: string[];
  /** Words shared by the group (for an editor's eye). */
  terms: string[];
  /** Where the group's questions are in the texts given, so a caller can read what it knows of each. */
  members: number[];
}

export type Features = (text: string) => Set<string>;

/**
 * Features of a question: its informative words and the character pairs inside them (so 驾驶证 and
 * 驾驶 meet); pairs across function words (怎么, 么办) would make every question look alike.
 */
export function contentFeatures(content: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const w of content) {
    out.add(w);
    const chars = [...w];
    for (let i = 0; i + 1 < chars.length; i++) out.add(`${chars[i]}${chars[i + 1]}`);
  }
  return out;
}

/**
 * Jaccard overlap; when two or more features are shared, also the overlap of the smaller set
 * (discounted), so a short question inside a longer one still meets it (电动车上牌 / 电动自行车上牌要带什么).
 * One shared feature alone never counts as containment: 证 or 办 is shared by everything.
 */
export const similarity = (a: Set<string>, b: Set<string>): number => {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  const union = a.size + b.size - shared;
  if (union === 0) return 0;
  const jaccard = shared / union;
  return shared >= 2 ? Math.max(jaccard, (0.75 * shared) / Math.min(a.size, b.size)) : jaccard;
};

/** Greedy single pass: a question joins the most similar group above the threshold, or starts one. */
export function clusterQuestions(texts: readonly string[], features: Features, threshold = 0.3, maxExamples = 5): Cluster[] {
  const steps = clusterSteps(texts, features, threshold, maxExamples);
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/**
 * The same grouping, calling `pause` after each step — the caller's way of giving the event loop
 * a turn once it has worked long enough (a server handler must not hold the loop: 3,000 questions
 * take far longer than one slice).
 */
export async function clusterQuestionsInSlices(texts: readonly string[], features: Features, pause: () => Promise<void>, threshold = 0.3, maxExamples = 5): Promise<Cluster[]> {
  const steps = clusterSteps(texts, features, threshold, maxExamples);
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
    await pause();
  }
}

/** Groups compared with a question, or members scored for a label, between two steps. */
const STEP_ITEMS = 200;

/** The grouping as steps: it yields after each question and each group's label, and within them every STEP_ITEMS groups or members. */
function* clusterSteps(texts: readonly string[], features: Features, threshold: number, maxExamples: number): Generator<void, Cluster[]> {
  const groups: { members: string[]; at: number[]; feats: Set<string>[]; counts: Map<string, number> }[] = [];
  for (const [index, text] of texts.entries()) {
    yield;
    const f = features(text);
    if (f.size === 0) continue;
    let best = -1;
    let bestSim = threshold;
    for (let i = 0; i < groups.length; i++) {
      if (i % STEP_ITEMS === STEP_ITEMS - 1) yield;
      // Similarity to the group: the best match among its first members (cheap and order-stable).
      const sim = Math.max(...groups[i]!.feats.slice(0, 5).map((x) => similarity(f, x)));
      if (sim >= bestSim) {
        best = i;
        bestSim = sim;
      }
    }
    const g = best >= 0 ? groups[best]! : (groups.push({ members: [], at: [], feats: [], counts: new Map() }), groups.at(-1)!);
    g.members.push(text);
    g.at.push(index);
    g.feats.push(f);
    for (const x of f) g.counts.set(x, (g.counts.get(x) ?? 0) + 1);
  }
  const out: Cluster[] = [];
  for (const g of groups) {
    yield;
    const common = [...g.counts].filter(([, n]) => n >= Math.max(2, g.members.length / 2)).sort((a, b) => b[1] - a[1]);
    // The label is the member sharing most with the group (each member's features as grouped).
    const score = (i: number) => [...g.feats[i]!].reduce((s, x) => s + (g.counts.get(x) ?? 0), 0) / Math.max(1, g.feats[i]!.size);
    const scores: number[] = [];
    for (let i = 0; i < g.members.length; i++) {
      if (i % STEP_ITEMS === STEP_ITEMS - 1) yield;
      scores.push(score(i));
    }
    const labelAt = scores.reduce((best, s, i) => (s > scores[best]! ? i : best), 0);
    out.push({
      label: g.members[labelAt]!,
      count: g.members.length,
      examples: [...new Set(g.members)].slice(0, maxExamples),
      terms: common.map(([t]) => t).filter((t) => !/^.$/u.test(t) || common.length < 3).slice(0, 6),
      members: g.at,
    });
  }
  return out.sort((a, b) => b.count - a.count || compareText(a.label, b.label));
}
