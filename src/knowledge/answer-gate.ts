/**
 * The answer gate: whether the first search result is right enough to answer with. A logistic
 * model over what the ranking already knows; fitted offline by `npm run gate:fit`
 * (scripts/fit-gate.ts) on labelled questions and real text outside the knowledge base, with its
 * thresholds chosen on held-out folds. Pure: the model is data, passed in.
 */

/** The gate's inputs, computed by search-index.ts for the first and second result. */
export const FEATURES = [
  /** Name evidence of the first result, 0–1. */
  'anchor',
  /** How it was named: verbatim, through a synonym, by sound, with a gap, by fuzzy match, as an FAQ's phrasing, as a bundle's items. */
  'exact',
  'synonym',
  'sound',
  'gapped',
  'fuzzy',
  'faq',
  'bundleByItems',
  /** Share of the question's words the entry explains. */
  'coverage',
  /** 0 when the question asks for another action (注销, 补领) than the entry is about. */
  'actionFit',
  /** The ranking's own confidence. */
  'confidence',
  /** Confidence of the first minus that of the second. */
  'margin',
  /** BM25 of the second as a share of the first's. */
  'runnerUp',
  /** The highest BM25 of an entry unrelated to the first (not its bundle, item, FAQ or subject), as a share of the first's. */
  'rivalBm25',
  /** log(1 + BM25) of the first. */
  'bm25',
  /** log(1 + Chinese characters) of the question. */
  'length',
  /** log(1 + informative words). */
  'words',
  /** log(1 + informative words the entry does not explain). */
  'uncovered',
  /** Length of the matched name as a share of the question. */
  'nameShare',
  'kindFaq',
  'kindBundle',
  'kindPolicy',
  /** A letter or story (the question inside it was searched). */
  'long',
  /** Of the nearest labelled questions (example-bank.ts), the similarity-weighted share about the first result. */
  'exampleAgree',
  /** The highest similarity of a labelled question about the first result. */
  'exampleNearest',
  /** The highest similarity of a labelled question about nothing the knowledge base covers. */
  'exampleOutside',
] as const;

/** The features read from the example bank: neutral (the fit's mean) when no example is about the first result. */
export const EXAMPLE_FEATURES = ['exampleAgree', 'exampleNearest', 'exampleOutside'] as const;

export type Band = 'answer' | 'suggest' | 'refuse';

export interface GateModel {
  /** Feature names, in the order of `weights` (must equal FEATURES). */
  features: readonly string[];
  /** Standardisation: (x − mean) / scale. */
  mean: readonly number[];
  scale: readonly number[];
  weights: readonly number[];
  bias: number;
  /** Probability at or above which the first result is answered. */
  answer: number;
  /** Probability at or above which the nearest entries are offered (您是不是想问). */
  suggest: number;
  /** How it was fitted: sets, sizes, target precision, date. */
  fitted: string;
}

export function predict(model: GateModel, x: readonly number[]): number {
  let z = model.bias;
  for (let i = 0; i < model.weights.length; i++) z += (model.weights[i]! * ((x[i] ?? 0) - model.mean[i]!)) / model.scale[i]!;
  return 1 / (1 + Math.exp(-z));
}

/** A model whose features no longer match the code's is refused at start-up, not silently misread. */
export function checkModel(model: GateModel): string | null {
  const same = model.features.length === FEATURES.length && model.features.every((f, i) => f === FEATURES[i]);
  if (!same) return `the answer gate was fitted on other features (${model.features.join(', ')}); run npm run gate:fit`;
  if ([model.mean, model.scale, model.weights].some((v) => v.length !== FEATURES.length)) return 'the answer gate is incomplete; run npm run gate:fit';
  return null;
}

export interface Sample {
  x: readonly number[];
  /** 1: the first result is right. */
  y: 0 | 1;
  weight?: number;
}

/**
 * Logistic regression by full-batch gradient descent with L2 regularisation, on standardised
 * features. Deterministic (no random start), small (a few thousand rows, ~20 features).
 */
export function fitLogistic(
  samples: readonly Sample[],
  options: { iterations?: number; rate?: number; l2?: number } = {},
): Pick<GateModel, 'mean' | 'scale' | 'weights' | 'bias'> {
  const { iterations = 3000, rate = 0.5, l2 = 0.001 } = options;
  const d = FEATURES.length;
  const n = samples.length;
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const s of samples) for (let j = 0; j < d; j++) mean[j]! += s.x[j]! / n;
  for (const s of samples) for (let j = 0; j < d; j++) scale[j]! += (s.x[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]!) || 1;
  const xs = samples.map((s) => s.x.map((v, j) => (v - mean[j]!) / scale[j]!));
  const totalWeight = samples.reduce((t, s) => t + (s.weight ?? 1), 0);
  const w = new Array<number>(d).fill(0);
  let b = 0;
  for (let it = 0; it < iterations; it++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      let z = b;
      for (let j = 0; j < d; j++) z += w[j]! * x[j]!;
      const err = (1 / (1 + Math.exp(-z)) - samples[i]!.y) * (samples[i]!.weight ?? 1);
      for (let j = 0; j < d; j++) gw[j]! += err * x[j]!;
      gb += err;
    }
    for (let j = 0; j < d; j++) w[j]! -= rate * (gw[j]! / totalWeight + l2 * w[j]!);
    b -= rate * (gb / totalWeight);
  }
  return { mean, scale, weights: w, bias: b };
}
