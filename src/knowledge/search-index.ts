/**
 * Retrieval over the knowledge base. Pure: built from parsed entries and an analyzer.
 *
 * Ranking combines BM25 over three term channels — segmented words, Chinese character pairs
 * (typo tolerance) and folded-pinyin pairs (homophones) — with evidence that the question
 * names the matter: one of the entry's names (title, aliases, keywords) found in the question
 * exactly, by sound, or mostly (fuse.js fuzzy match for short questions).
 *
 * Whether to answer is decided by the answer gate (answer-gate.ts): a small logistic model over
 * what the ranking already knows (name evidence, coverage, margin to the runner-up, message
 * length …), fitted on labelled questions and real text outside the knowledge base. Its
 * probability puts a question in one of three bands: answer, 您是不是想问 (suggest), refuse.
 * A complaint, report, suggestion or thanks (诉求) is refused whatever it mentions. See
 * docs/retrieval.md.
 */
import Fuse from 'fuse.js';
import { LOOSE_WORDS, type Analyzed, type Analyzer } from '../nlp/analyze.js';
import { appealWhenRefused, classifyMessage, type AppealKind, type MessageKind } from '../nlp/appeal.js';
import { EXAMPLE_FEATURES, FEATURES, predict, type Band, type GateModel } from './answer-gate.js';
import type { ExampleBank, Nearest } from './example-bank.js';
import { hanRuns, normalize } from '../nlp/normalize.js';
import { soundKeys } from '../nlp/pinyin.js';
import { DEFAULT_RETRIEVAL_OPTIONS, resolveRetrievalOptions, type Channel, type RetrievalOptions, type RetrievalOverrides } from './retrieval-options.js';
import type { Entry } from './schema.js';

const CHANNELS: readonly Channel[] = ['word', 'char', 'sound'];

/** What citizens call a bundle (heard by sound too: 一件是); the lexicon maps 一次办, 一起办 … to it. */
const BUNDLE_WORD = '一件事';
/** The bundle word by sound (一件是, 一件式): the same sound test as names of three syllables. */
const BUNDLE_SOUND = ` ${soundKeys(BUNDLE_WORD).join(' ')} `;

/** The ranking's own threshold by default (`RetrievalOptions.answerThreshold`). */
export const ANSWER_THRESHOLD = DEFAULT_RETRIEVAL_OPTIONS.answerThreshold;
/** Two answerable entries this close are offered as a choice, by default (`RetrievalOptions.ambiguityMargin`). */
export const AMBIGUITY_MARGIN = DEFAULT_RETRIEVAL_OPTIONS.ambiguityMargin;

/** How the question names an entry. */
type MatchKind = 'none' | 'exact' | 'synonym' | 'sound' | 'gapped' | 'fuzzy' | 'faq' | 'bundle';

interface Anchor {
  text: string;
  chars: string[];
  /** Its folded pinyin, padded with spaces, as looked for in `Analyzed.soundText`. */
  sound: string;
  /** The syllables of `sound` (and its run separators): a question without one of them cannot name this by sound. */
  syllables: string[];
  /** Chinese characters in the name: its syllables. */
  han: number;
  grams: Set<string>;
  /** 1 for a name (title, alias), less for a keyword that merely leads here. */
  strength: number;
}

interface Doc {
  entry: Entry;
  /** Its place in `SearchIndex.docs` (and in the postings). */
  at: number;
  anchors: Anchor[];
  /**
   * Every word of the entry, for judging coverage of a question. Its character and sound pairs are
   * the terms of the `char` and `sound` postings that list it (`holds`): not kept twice.
   */
  words: Set<string>;
  length: Record<Channel, number>;
  /** Names and keywords, normalised: what the entry is about. */
  gist: string;
  /** Normalised keywords (for an FAQ: the subjects it is about). */
  subjects: string[];
  /** Action groups (lexicon) that the entry's names and keywords mention. */
  actionGroups: Set<string>;
  /** A bundle's: the offices and records it joins up (lexicon `agencies`) that its names, keywords or summary mention. */
  joins: string[];
  /** Names made of a thing and an action word, as the thing and the action's verbs (see ActionGroup.verbs). */
  verbForms: VerbForm[];
}

interface VerbForm {
  /** The name without its action word (经营范围 of 经营范围变更). */
  thing: string;
  verbs: readonly string[];
  group: string;
  /** The name's own strength (a keyword's is less). */
  strength: number;
  name: string;
}

export interface SearchIndex {
  docs: Doc[];
  /** The answer gate; null answers whenever the confidence reaches ANSWER_THRESHOLD (for tests of the ranking alone). */
  gate: GateModel | null;
  postings: Record<Channel, Postings>;
  byId: Map<string, number>;
  analyzer: Analyzer;
  actions: readonly ActionGroup[];
  /** The city's places (lexicon `places`), longest first: a place between a name's parts is no gap. */
  places: string[];
  /** The retrieval constants in use (DEFAULT_RETRIEVAL_OPTIONS unless overridden). */
  options: RetrievalOptions;
  /** Labelled questions the gate compares a question with (example-bank.ts); null: none. */
  examples: ExampleBank | null;
}

/**
 * One channel's postings: for each term the entries that contain it, in entry order, with
 * everything BM25 needs that does not depend on the question worked out once when the index is
 * built — the term's idf and, per entry, its saturated, length-normalised term frequency. Scoring
 * a question is then one multiply-add per entry that shares a term with it. Packed into a few
 * typed arrays (term `t`'s entries are `docs[start[t]]` up to `docs[start[t + 1]]`), not an
 * object and two arrays per term: at 2,400 entries that is ~55,000 terms, and ~110,000 fewer
 * objects to keep, to store in the knowledge cache and to walk in every full collection.
 */
interface Postings {
  /** Each term's number. */
  terms: Map<string, number>;
  start: Int32Array;
  docs: Int32Array;
  /** tf·(k1 + 1) / (tf + k1·(1 − b + b·length/avgLength)) for each entry in `docs`. */
  norms: Float64Array;
  idf: Float64Array;
}

/** How many entries contain the term. */
function postingLength(p: Postings, term: string): number {
  const t = p.terms.get(term);
  return t === undefined ? 0 : p.start[t + 1]! - p.start[t]!;
}

/** Does entry `doc` contain the term? (A binary search of the term's entries, which are in entry order.) */
function holds(p: Postings, term: string, doc: number): boolean {
  const t = p.terms.get(term);
  if (t === undefined) return false;
  let lo = p.start[t]!;
  let hi = p.start[t + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const d = p.docs[mid]!;
    if (d === doc) return true;
    if (d < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Words for one kind of action (注销, 补领, 变更 …); see `actions` in knowledge/lexicon.yaml. */
export interface ActionGroup {
  name: string;
  words: readonly string[];
  /**
   * Everyday verbs for the action, each a word of its own in the question (改, 换, 搬 for 变更): a
   * name made of a thing and an action word (经营范围变更, 注销营业执照) is also named by the thing
   * with one of these close to it (经营范围怎么加, 销执照), and the action counts as asked. A group
   * with verbs also takes its own words as verbs (经营范围需要做变更); one without has none.
   */
  verbs?: readonly string[];
  /**
   * Phrases that share characters with one of the words without asking for the action: 看不见了
   * holds 不见了 (lost) but says someone cannot see. A word found only overlapping one of these
   * does not ask.
   */
  unless?: readonly string[];
}

/**
 * How many of the offices and records a bundle joins up (税务, 社保, 公积金 …) the question speaks of,
 * besides those in the name by which it names one of the bundle's items (社保卡 holds 社保).
 */
function joinsUp(doc: Doc, text: string, name: string): number {
  return doc.joins.filter((w) => !name.includes(w) && text.includes(w)).length;
}

/**
 * Does the question use one of the group's words split in two by a word or two (低保怎么申请 for
 * 低保申请, 养老金今年涨了 for 养老金涨, 出生日期登记错了 for 出生日期错了)? Both parts and what stands
 * between them must be whole words of the question, so an abbreviation is not found inside a
 * longer name (城乡居民医保 holds no 城乡居保: 居保 is not a word of it).
 */
function asksApart(g: ActionGroup, q: Analyzed, chars: ReadonlySet<string>, gapped: RetrievalOptions['gapped']): boolean {
  let starts: Set<number> | null = null;
  let ends: Set<number> | null = null;
  const text = q.text;
  for (const w of g.words) {
    // Every character of the word must be in the question: most words are ruled out here.
    if (w.length < gapped.minChars || !chars.has(w[0]!) || !chars.has(w[w.length - 1]!) || !/^\p{Script=Han}+$/u.test(w)) continue;
    const allowed = w.length <= gapped.shortMaxChars ? gapped.shortAllowance : gapped.longAllowance;
    for (let k = 1; k < w.length; k++) {
      const head = w.slice(0, k);
      const tail = w.slice(k);
      for (let i = text.indexOf(head); i >= 0; i = text.indexOf(head, i + 1)) {
        if (!starts || !ends) [starts, ends] = wordBoundaries(q);
        if (!starts.has(i) || !ends.has(i + k)) continue;
        for (let gap = 1; gap <= allowed; gap++) {
          const j = i + k + gap;
          if (starts.has(j) && text.startsWith(tail, j) && ends.has(j + tail.length) && /^\p{Script=Han}+$/u.test(text.slice(i + k, j))) return true;
        }
      }
    }
  }
  return false;
}

/** Where the question's words start and end in `Analyzed.text`. */
function wordBoundaries(q: Analyzed): [Set<number>, Set<number>] {
  const starts = new Set<number>();
  const ends = new Set<number>();
  let at = 0;
  for (const t of q.tokens) {
    const i = q.text.indexOf(t, at);
    if (i < 0) continue;
    starts.add(i);
    ends.add(i + t.length);
    at = i + t.length;
  }
  return [starts, ends];
}

/** A word that joins two things asked together, anywhere in a question (还是 is "or"; 同志, 同时 and 不同 are no "and"). */
const ANY_JOINER = /[和跟及、也]|(?<![不相共合如])同(?![志时一样意学事])|还(?!是)|以及|顺便|另外/u;

/** Asked to be done together (水电气能不能一起过户, 顺便把补贴也申请了). */
const TOGETHER = /一起|一并|一併|一块|一齐|同时|顺便|连带/u;

/**
 * Are two of the names said apart? Two said one right after the other are one thing named
 * (开公司营业执照 is a company's licence, not 开公司 and 营业执照); a name not found as typed (said
 * by another word) counts as apart.
 */
function namedApart(names: readonly string[], text: string): boolean {
  const at = names.map((n) => [n, text.indexOf(n)] as const);
  return at.some(([a, i], x) =>
    at.some(([b, j], y) => {
      if (y <= x) return false;
      if (i < 0 || j < 0) return true;
      return i < j ? j > i + a.length : i > j + b.length;
    }),
  );
}

/** Are the two names said together, joined by 和, 同, 跟, 及, 、, 还 (还有, 还想), 也, 以及, 顺便 or 另外 (A和B, B同A)? */
function joinedByAnd(text: string, a: string, b: string): boolean {
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  if (i < 0 || j < 0) return false;
  const between = i < j ? text.slice(i + a.length, j) : text.slice(j + b.length, i);
  return between.length <= 6 && /[和同跟及、还也]|以及|顺便|另外/u.test(between);
}

/** Said to be had or done already: right after the name (拿到了, 下来了, 办好了, 了) or right before it (已经有). */
const DONE_AFTER = /^(?:也|都)?(?:(?:已经)?(?:拿到了|拿到手了|下来了|批下来了|办好了|办下来了|办完了|领到了|到手了|有了)|(?:刚|刚刚|已|已经)(?:拿到|拿到手|下来|批下来|办好|办下来|办完|领到|到手)(?![吗么没]))/u;
/**
 * A bare 了 right after the name says it happened (我退休了，公积金怎么取: 退休 is the situation, the
 * fund what is asked) — unless it is a question (退休了吗, 退休了没) or said to be coming (要退休了,
 * 快退休了, 要办退休了).
 */
const PERFECTIVE_AFTER = /^了(?![吗么嘛没])/u;
const IMMINENT_BEFORE = /(?:要|快|将|就)(?:办)?$/u;
const HAD_BEFORE = /(?:已经有了?|已有|有了|已经|早就|早已)$/u;

/** Said to be lacking: right before the name (没领, 没有, 冇) or right after it (没领, 没有). */
const LACKING_BEFORE = /(?:没有|没|未|冇)(?:领|办|拿|带|扯)?过?$/u;
const LACKING_AFTER = /^(?:也|都|还)?(?:没有|没|未|冇)(?:领|办|拿|带|扯)?/u;

/**
 * Is every occurrence of the name in the question said to be had or done already, or to be lacking
 * (没领结婚证生的孩子能落户吗)? Either way it is the situation the question starts from, not what it asks.
 */
function saidDone(text: string, name: string): boolean {
  let found = false;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    found = true;
    const after = text.slice(at + name.length);
    const before = text.slice(Math.max(0, at - 4), at);
    const happened = PERFECTIVE_AFTER.test(after) && !IMMINENT_BEFORE.test(before);
    if (!DONE_AFTER.test(after) && !happened && !HAD_BEFORE.test(before) && !LACKING_BEFORE.test(before) && !LACKING_AFTER.test(after)) return false;
  }
  return found;
}

/** Does the question use one of the group's words, other than inside one of its `unless` phrases? */
function asksAction(g: ActionGroup, text: string): boolean {
  const unless = g.unless ?? [];
  return g.words.some((w) => {
    for (let at = text.indexOf(w); at >= 0; at = text.indexOf(w, at + 1)) {
      const end = at + w.length;
      // An occurrence of the phrase that overlaps this occurrence of the word (看不见 and 不见了).
      const hidden = unless.some((u) => {
        const p = text.indexOf(u, Math.max(0, at - u.length + 1));
        return p >= 0 && p < end;
      });
      if (!hidden) return true;
    }
    return false;
  });
}

export interface ScoredEntry {
  entry: Entry;
  /** Calibrated confidence in [0, 1]; `answerable` when ≥ ANSWER_THRESHOLD. */
  score: number;
}

export interface SearchResult {
  query: string;
  analyzed: Analyzed;
  /** `band === 'answer'`. */
  answerable: boolean;
  /** answer; suggest (您是不是想问, asserting nothing); refuse. */
  band: Band;
  /** The gate's probability that the first result is right and should be answered. */
  probability: number;
  /** A complaint, report, suggestion or thanks: never answered with a service matter. */
  appeal: AppealKind | null;
  /** When several entries fit about equally well, the ones to offer as a choice. */
  ambiguous: ScoredEntry[] | null;
  /** In the suggest band: the 2–3 nearest entries to offer as buttons. */
  suggestions: ScoredEntry[];
  results: ScoredEntry[];
  /** What the gate saw (FEATURES order), for fitting and for explaining a decision. */
  features: number[];
}

/** A field's text, its weight in BM25, and how strongly it names the entry (0 = not a name). */
interface Field {
  text: string;
  weight: number;
  anchor: number;
}

function fieldsOf(entry: Entry, itemsById: ReadonlyMap<string, Entry>, o: RetrievalOptions): Field[] {
  const WEIGHT = o.fieldWeight;
  // An FAQ is named by its question and the other phrasings of it; its keywords only help ranking.
  const isFaq = entry.kind === 'faq';
  const f: Field[] = [
    { text: entry.title, weight: WEIGHT.name, anchor: 1 },
    ...entry.aliases.map((a) => ({ text: a, weight: WEIGHT.name, anchor: 1 })),
    // 「医疗机构设立」 names 「医疗机构设立一件事」: a bundle's title is also a name without the suffix.
    ...(entry.kind === 'bundle' && entry.title.endsWith(BUNDLE_WORD) && entry.title.length > BUNDLE_WORD.length + 1
      ? [{ text: entry.title.slice(0, -BUNDLE_WORD.length), weight: WEIGHT.name, anchor: 1 }]
      : []),
    ...entry.keywords.map((k) => ({ text: k, weight: WEIGHT.keyword, anchor: isFaq ? 0 : o.keywordAnchor })),
    { text: entry.summary, weight: WEIGHT.summary, anchor: 0 },
  ];
  const detail = (text: string) => f.push({ text, weight: WEIGHT.detail, anchor: 0 });
  switch (entry.kind) {
    case 'item':
      entry.conditions.forEach(detail);
      entry.materials.forEach((m) => detail(m.name));
      entry.steps.forEach(detail);
      break;
    case 'bundle':
      // A bundle is about its items: their names count as its details.
      entry.items.forEach((id) => {
        const item = itemsById.get(id);
        if (item) [item.title, ...item.aliases, ...item.keywords].forEach(detail);
      });
      entry.situations.forEach((s) => detail(s.name));
      entry.steps.forEach(detail);
      break;
    case 'faq':
      detail(entry.answer);
      break;
    case 'policy':
      entry.points.forEach(detail);
      break;
  }
  return f;
}

/** Words the segmenter must keep whole: every name in the knowledge base. */
export function dictionaryWords(entries: readonly Entry[], extra: readonly string[]): string[] {
  const words = new Set<string>(extra.map(normalize));
  for (const e of entries) {
    if (e.kind !== 'faq') words.add(normalize(e.title));
    for (const a of e.aliases) words.add(normalize(a));
    for (const k of e.keywords) words.add(normalize(k));
  }
  return [...words].filter((w) => w.length >= 2 && !w.includes(' '));
}

export interface IndexOptions {
  actions?: readonly ActionGroup[];
  /** Generic nouns (有限公司, 医院) that rank but never name an entry on their own. */
  generic?: readonly string[];
  /** Places (梧州, 苍梧县): never name an entry on their own, never the thing of a verb form. */
  places?: readonly string[];
  /** Offices and records a bundle joins up (税务, 社保, 公积金, 银行 …): see `joinsUp` in search. */
  agencies?: readonly string[];
  gate?: GateModel | null;
  /** Labelled questions for the gate's example features (example-bank.ts). */
  examples?: ExampleBank | null;
  /** Overrides of DEFAULT_RETRIEVAL_OPTIONS. */
  retrieval?: RetrievalOverrides;
}

export function buildIndex(entries: readonly Entry[], analyzer: Analyzer, options: IndexOptions = {}): SearchIndex {
  const o = resolveRetrievalOptions(options.retrieval);
  const actions = options.actions ?? [];
  const generic = new Set((options.generic ?? []).map(normalize));
  const places = new Set((options.places ?? []).map(normalize));
  const agencies = [...new Set((options.agencies ?? []).map(normalize))];
  // A place and an action word (迁入梧州, 迁出梧州) says where something goes, not what: a household
  // moves there as well as a business, so such a name never names an entry alone either.
  const actionWords = actions.flatMap((g) => g.words.map(normalize));
  const placeAndAction = (text: string): boolean =>
    places.size > 0 &&
    actionWords.some((w) => (text.startsWith(w) && places.has(text.slice(w.length))) || (text.endsWith(w) && places.has(text.slice(0, -w.length))));
  // Term frequencies per channel, in entry order, turned into postings once all lengths are known.
  const lists: Record<Channel, Map<string, { doc: number; tf: number }[]>> = { word: new Map(), char: new Map(), sound: new Map() };
  const docs: Doc[] = [];
  const byId = new Map(entries.map((e) => [e.id, e]));
  const normalizedActions = actions.map((g) => {
    const verbs = (g.verbs ?? []).map(normalize);
    // A group with everyday verbs also takes its own words as verbs (营业执照…注销 ~ 营业执照注销).
    return {
      name: g.name,
      words: g.words.map(normalize),
      verbs: verbs.length > 0 ? [...new Set([...verbs, ...g.words.map(normalize)])] : verbs,
      unless: (g.unless ?? []).map(normalize),
    };
  });
  entries.forEach((entry, docIdx) => {
    const tf: Record<Channel, Map<string, number>> = { word: new Map(), char: new Map(), sound: new Map() };
    const gist = normalize([entry.title, ...entry.aliases, ...entry.keywords].join(' '));
    const doc: Doc = {
      entry,
      at: docIdx,
      anchors: [],
      words: new Set(),
      length: { word: 0, char: 0, sound: 0 },
      gist,
      subjects: entry.keywords.map(normalize).filter((k) => k.length >= 2),
      actionGroups: new Set(),
      joins: entry.kind === 'bundle' ? agencies.filter((w) => gist.includes(w) || normalize(entry.summary).includes(w)) : [],
      verbForms: [],
    };
    // An FAQ answers one situation, and its answer says which (an ID card that cannot be found, in
    // the answer on cancelling a household record): the actions it covers are read from its answer too. An item's or bundle's texts
    // mention other actions in passing (补领, 注销 as notes), so only their names and keywords count.
    const actionText = entry.kind === 'faq' ? normalize(`${doc.gist} ${entry.summary} ${entry.answer}`) : doc.gist;
    for (const g of normalizedActions) if (g.words.some((w) => actionText.includes(w))) doc.actionGroups.add(g.name);
    for (const field of fieldsOf(entry, byId, o)) {
      const a = analyzer.analyze(field.text);
      const add = (channel: Channel, terms: string[]) => {
        for (const t of terms) {
          tf[channel].set(t, (tf[channel].get(t) ?? 0) + field.weight);
          doc.length[channel] += field.weight;
        }
      };
      add('word', a.terms);
      add('char', a.charGrams);
      add('sound', a.soundGrams);
      a.tokens.forEach((t) => doc.words.add(t));
      if (field.anchor > 0) {
        const text = normalize(field.text);
        // From the name itself, not its analysis: synonym expansion must not leak into a name.
        const runs = hanRuns(text);
        const sound = ` ${runs.map((run) => soundKeys(run).join(' ')).join(' , ')} `;
        const chars = [...text];
        const grams = new Set(chars.slice(1).map((c, i) => `${chars[i]}${c}`));
        const han = runs.join('').length;
        // Numbers and amounts (3600元, 3岁以下), generic nouns (有限公司) and places (梧州) never name an
        // entry alone; an FAQ's phrasings are whole questions and stay.
        const namesAlone = entry.kind === 'faq' || (!/\d/.test(text) && !generic.has(text) && !places.has(text) && !placeAndAction(text) && han >= 2);
        if (chars.length >= 2 && namesAlone) {
          const syllables = [...new Set(sound.slice(1, -1).split(' '))];
          doc.anchors.push({ text, chars, sound, syllables, han, grams, strength: field.anchor });
          // 经营范围变更 → 经营范围 + 改/加/换 …: a thing of two or more Chinese characters, generic ones
          // included (公司迁移 → 公司 + 迁到: the action makes it specific), never a place (迁出梧州).
          for (const g of normalizedActions) {
            if (g.verbs.length === 0) continue;
            for (const w of g.words) {
              const thing = text.startsWith(w) ? text.slice(w.length) : text.endsWith(w) ? text.slice(0, -w.length) : null;
              if (thing && /^\p{Script=Han}{2,}$/u.test(thing) && !places.has(thing) && !analyzer.isFiller(thing))
                doc.verbForms.push({ thing, verbs: g.verbs, group: g.name, strength: field.anchor, name: text });
            }
          }
        }
      }
    }
    for (const channel of CHANNELS) {
      for (const [term, n] of tf[channel]) {
        let list = lists[channel].get(term);
        if (!list) lists[channel].set(term, (list = []));
        list.push({ doc: docIdx, tf: n });
      }
    }
    docs.push(doc);
  });
  const { k1, b } = o.bm25;
  const n = docs.length;
  const packed = (channel: Channel): Postings => {
    const avgLength = Math.max(1, docs.reduce((s, d) => s + d.length[channel], 0) / Math.max(1, n));
    const byTerm = lists[channel];
    let total = 0;
    for (const list of byTerm.values()) total += list.length;
    const p: Postings = {
      terms: new Map(),
      start: new Int32Array(byTerm.size + 1),
      docs: new Int32Array(total),
      norms: new Float64Array(total),
      idf: new Float64Array(byTerm.size),
    };
    let t = 0;
    let at = 0;
    for (const [term, list] of byTerm) {
      p.terms.set(term, t);
      p.start[t] = at;
      p.idf[t] = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { doc, tf } of list) {
        p.docs[at] = doc;
        p.norms[at] = (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docs[doc]!.length[channel]) / avgLength));
        at++;
      }
      t++;
    }
    p.start[t] = at;
    return p;
  };
  const postings: SearchIndex['postings'] = { word: packed('word'), char: packed('char'), sound: packed('sound') };
  return {
    docs,
    gate: options.gate ?? null,
    postings,
    byId: new Map(docs.map((d, i) => [d.entry.id, i])),
    analyzer,
    actions: normalizedActions,
    places: [...places].sort((a, b) => b.length - a.length),
    options: o,
    examples: options.examples ?? null,
  };
}

/**
 * A built index as plain data (everything but the analyzer, which holds functions and is rebuilt
 * from the knowledge base), for keeping it on disk between starts. Every other field of
 * SearchIndex is kept as it is, so a field added to the index is kept without a change here; the
 * round-trip test (test/knowledge/index-snapshot.test.ts) compares search results on the eval
 * questions, and a field that cannot be stored as data (a function) makes storing fail loudly.
 */
export type IndexData = Omit<SearchIndex, 'analyzer' | 'examples'>;

/** The example bank is not part of it: it is the gate's data, not the knowledge base's (engine.ts passes it back). */
export function indexData(index: SearchIndex): IndexData {
  const { analyzer: _analyzer, examples: _examples, ...data } = index;
  return data;
}

/**
 * The index again from its data, the analyzer it was built with and the entries it was built from
 * (the same ids in the same order), so that results hold the knowledge base's own entry objects.
 */
export function restoreIndex(data: IndexData, analyzer: Analyzer, entries: readonly Entry[], examples: ExampleBank | null = null): SearchIndex {
  if (entries.length !== data.docs.length || data.docs.some((d, i) => d.entry.id !== entries[i]!.id)) throw new Error('restoreIndex: the index was built from other entries');
  return { ...data, docs: data.docs.map((d, i) => (d.entry === entries[i] ? d : { ...d, entry: entries[i]! })), analyzer, examples };
}

/** BM25 of every entry (0 for those sharing no term with the question) and the entries that score above 0. */
function bm25(index: SearchIndex, q: Analyzed): { scores: Float64Array; hits: number[] } {
  const n = index.docs.length;
  const scores = new Float64Array(n);
  const hits: number[] = [];
  const hit = new Uint8Array(n);
  const { channelWeight, commonTermShare } = index.options;
  const terms: Record<Channel, string[]> = { word: q.terms, char: q.charGrams, sound: q.soundGrams };
  for (const channel of CHANNELS) {
    const seen = new Set<string>();
    for (const term of terms[channel]) {
      if (seen.has(term)) continue;
      seen.add(term);
      const p = index.postings[channel];
      const t = p.terms.get(term);
      if (t === undefined) continue;
      const from = p.start[t]!;
      const to = p.start[t + 1]!;
      // A character or sound pair found in most entries says almost nothing (idf near 0) and
      // costs the most to score. Words are always scored: they are what finds candidates.
      if (channel !== 'word' && to - from > commonTermShare * n) continue;
      const weight = channelWeight[channel] * p.idf[t]!;
      const { docs, norms } = p;
      for (let i = from; i < to; i++) {
        const doc = docs[i]!;
        if (hit[doc] === 0) {
          hit[doc] = 1;
          hits.push(doc);
        }
        scores[doc]! += weight * norms[i]!;
      }
    }
  }
  return { scores, hits };
}

/**
 * The first `k` entries by BM25, highest first; equal scores in entry order (as a stable sort of
 * all entries would give), without sorting every entry that shares a term with the question.
 */
function firstByScore(scores: Float64Array, hits: readonly number[], k: number): number[] {
  const before = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
  const top: number[] = [];
  for (const doc of hits) {
    if (!(scores[doc]! > 0)) continue;
    if (top.length === k && !before(doc, top[k - 1]!)) continue;
    let at = top.length === k ? k - 1 : top.length;
    while (at > 0 && before(doc, top[at - 1]!)) {
      top[at] = top[at - 1]!;
      at--;
    }
    top[at] = doc;
  }
  return top;
}

/**
 * Are the name's characters in the question in order, with at most a few others between them
 * (开办民营医院 for 开民营医院, 开个小卖部 for 开小卖部; `RetrievalOptions.gapped`)? First and last must match.
 */
function gappedMatch(text: string, name: readonly string[], g: RetrievalOptions['gapped']): boolean {
  if (name.length < g.minChars) return false;
  const allowed = name.length <= g.shortMaxChars ? g.shortAllowance : g.longAllowance;
  for (let start = text.indexOf(name[0]!); start >= 0; start = text.indexOf(name[0]!, start + 1)) {
    let at = start + name[0]!.length;
    let inserted = 0;
    let ok = true;
    for (let i = 1; i < name.length && ok; i++) {
      while (at < text.length && text[at] !== name[i] && inserted <= allowed) {
        at++;
        inserted++;
      }
      if (at >= text.length || inserted > allowed) ok = false;
      else at++;
    }
    if (ok) return true;
  }
  return false;
}

/**
 * Is a name of a one-character verb and its thing (领发票) in the question with the thing first and
 * the verb at most `maxBetween` characters after it, only a how or a where between them
 * (发票怎么领)? Only names of three or more characters: the thing must be two or more, so that it
 * names something on its own.
 */
/** What may stand between a name's two halves said the other way round (社保可以自己交): a modal or a how. */
const MODAL_BETWEEN = /^(?:也|还|都)?(?:可以|能|能不能|可不可以|要|要不要|需要|该|应该|怎么|怎样|如何)$/u;

/**
 * A name of two words said the other way round, the thing first, a modal or a how between them
 * (社保可以自己交 for 自己交社保): each half two or more characters. Without one the words may say
 * another thing (外地迁到梧州 is no 迁到外地).
 */
function swappedMatch(text: string, name: readonly string[]): boolean {
  if (name.length < 4 || name.length > 6) return false;
  for (let k = 2; k <= name.length - 2; k++) {
    const head = name.slice(0, k).join('');
    const tail = name.slice(k).join('');
    for (let at = text.indexOf(tail); at >= 0; at = text.indexOf(tail, at + 1)) {
      const end = at + tail.length;
      const h = text.indexOf(head, end);
      if (h >= 0 && h - end <= 4 && MODAL_BETWEEN.test(text.slice(end, h))) return true;
    }
  }
  return false;
}

function invertedMatch(text: string, name: readonly string[], maxBetween: number): boolean {
  if (swappedMatch(text, name)) return true;
  if (name.length < 3) return false;
  const verb = name[0]!;
  const thing = name.slice(1).join('');
  for (let at = text.indexOf(thing); at >= 0; at = text.indexOf(thing, at + 1)) {
    const end = at + thing.length;
    const v = text.indexOf(verb, end);
    if (v >= 0 && v - end <= maxBetween && (HOW_OR_WHERE.test(text.slice(end, v)) || (v === end && OPENING.test(text.slice(v))))) return true;
  }
  return false;
}

/**
 * What stands between the thing and its verb when the thing is said first: how or where (发票怎么领,
 * 饭店去哪开). Anything else is another sentence — 「医院办执业登记」 is the hospital doing something,
 * 「户口本上」 is no 上户口.
 */
/** A place said to open right after it (诊所开业, 饭店开张): 开 and the place, the other way round. */
const OPENING = /^开(?:业|张)/u;

/** Modal words before a how (要怎么, 可以怎样) and the hows themselves: shared by the two patterns below. */
const MODALS = '要|该|应该|需要|可以';
const HOWS = '怎么|怎样|咋|如何';
const HOW_OR_WHERE = new RegExp(`^(?:${MODALS})?(?:${HOWS}|去哪|去哪里|在哪|在哪里|到哪|到哪里|哪里|哪儿)$`, 'u');

/**
 * What of the question a name must find in it to be named by it: a name's first and last
 * characters (`Analyzed.text`, which `original` begins) whether it is found verbatim, through a
 * synonym or with a gap, each of its syllables (`soundText`) when it is found by sound. Most names
 * are ruled out by these lookups without searching the question's text.
 */
interface Present {
  chars: ReadonlySet<string>;
  syllables: ReadonlySet<string>;
  /**
   * The question without the city's places (能在梧州领证 → 能在领证), 的 (医院的设置审批), 了 or a
   * number and measure word (报到了要不要办) and a how (要怎么) between characters: else null. For
   * gapped names.
   */
  unplaced: string | null;
}

/** A how, with a modal before it, between two characters (就业…怎么登记, 消防要怎么检查): no gap in a name. */
const HOW_BETWEEN = new RegExp(`(?<=\\p{Script=Han})(?:${MODALS}|能)?(?:${HOWS})(?=\\p{Script=Han})`, 'gu');

const presentIn = (q: Analyzed, places: readonly string[]): Present => {
  const named = places.filter((p) => q.text.includes(p));
  let unplaced: string | null = null;
  if (named.length > 0) {
    unplaced = q.text;
    for (const p of named) unplaced = unplaced.split(p).join('');
  }
  const compact = (unplaced ?? q.text).replace(LOOSE_WORDS, '').replace(HOW_BETWEEN, '');
  if (compact !== q.text) unplaced = compact;
  return { chars: new Set(q.text), syllables: new Set(q.soundText.split(' ')), unplaced };
};

/** How strongly the question names the entry (1 = one of its names appears verbatim), by which name and how. */
function anchorMatch(doc: Doc, q: Analyzed, present: Present, o: RetrievalOptions): { strength: number; name: string | null; kind: MatchKind } {
  const s = o.matchStrength;
  let best = 0;
  let name: string | null = null;
  let kind: MatchKind = 'none';
  for (const a of doc.anchors) {
    let m = 0;
    let k: MatchKind = 'none';
    const spelled = present.chars.has(a.chars[0]!) && present.chars.has(a.chars[a.chars.length - 1]!);
    if (spelled && q.original.includes(a.text)) [m, k] = [s.exact, 'exact'];
    // Named only through a synonym's canonical word (执照 → 营业执照, 商店 → 小卖部): weaker evidence.
    else if (spelled && q.text.includes(a.text)) [m, k] = [s.synonym, 'synonym'];
    // Sound-alike names (社报卡 for 社保卡). Names of one or two syllables are left out: too many words share them.
    else if (a.han >= o.soundMinSyllables && a.syllables.every((x) => present.syllables.has(x)) && q.soundText.includes(a.sound)) [m, k] = [s.sound, 'sound'];
    else if (spelled && a.han === a.chars.length && (gappedMatch(q.text, a.chars, o.gapped) || (present.unplaced !== null && gappedMatch(present.unplaced, a.chars, o.gapped))))
      [m, k] = [s.gapped, 'gapped'];
    else if (spelled && a.han === a.chars.length && invertedMatch(q.text, a.chars, o.inverted.maxBetween)) [m, k] = [s.gapped, 'gapped'];
    if (m * a.strength > best) {
      best = m * a.strength;
      name = a.text;
      kind = k;
    }
  }
  return { strength: best, name, kind };
}

interface VerbHit {
  strength: number;
  name: string;
  group: string;
  /** The verb as typed (搬到): other groups may have it too. */
  verb: string;
}

/** Joined on after a one-character verb by the segmenter (加个, 改下, 换了). */
const VERB_TAIL = new Set(['个', '下', '了']);

/**
 * Where each word of the question starts and ends in `Analyzed.text`; a word of a function
 * character and a verb (去销, 要改) counts as the verb.
 */
function tokenSpans(q: Analyzed, isFiller: (w: string) => boolean): { token: string; start: number; end: number }[] {
  const out: { token: string; start: number; end: number }[] = [];
  let at = 0;
  for (const t of q.tokens) {
    const i = q.text.indexOf(t, at);
    if (i < 0) continue;
    at = i + t.length;
    const chars = [...t];
    if (chars.length === 2 && isFiller(chars[0]!) && !isFiller(t)) out.push({ token: chars[1]!, start: i + chars[0]!.length, end: at });
    // A verb with a measure or aspect word joined on (加个, 改下, 换了) is the verb.
    else if (chars.length === 2 && VERB_TAIL.has(chars[1]!)) out.push({ token: chars[0]!, start: i, end: i + chars[0]!.length });
    else out.push({ token: t, start: i, end: at });
  }
  return out;
}

/** The strongest of the entry's names found as its thing with one of its action's verbs close by. */
function verbMatch(doc: Doc, text: string, spans: ReturnType<typeof tokenSpans>, o: RetrievalOptions): VerbHit | null {
  let best: VerbHit | null = null;
  for (const f of doc.verbForms) {
    const strength = o.matchStrength.gapped * f.strength;
    if (best && best.strength >= strength) continue;
    for (let at = text.indexOf(f.thing); at >= 0; at = text.indexOf(f.thing, at + 1)) {
      const end = at + f.thing.length;
      const near = spans.find(
        (s) => f.verbs.includes(s.token) && ((s.start >= end && s.start - end <= o.verbWindow.after) || (s.end <= at && at - s.end <= o.verbWindow.before)),
      );
      if (near) {
        best = { strength, name: f.name, group: f.group, verb: near.token };
        break;
      }
    }
  }
  return best;
}

/**
 * An FAQ is named when the question is asked much the same way (Dice overlap of character
 * pairs with one of its phrasings) and names the FAQ's subject — one of its keywords or a name
 * of an entry it relates to. Without the subject, 「那要多少钱」 would match every fee FAQ.
 */
function questionSimilarity(doc: Doc, q: Analyzed, qGrams: Set<string>, index: SearchIndex): number {
  const { similarity, subjectBonus, minPairs } = index.options.faq;
  if (qGrams.size < minPairs) return 0;
  // The subject first: a few substring tests, where counting the phrasings' shared pairs is the cost.
  const named =
    doc.subjects.some((t) => q.text.includes(t)) ||
    (doc.entry.kind === 'faq' ? doc.entry.related : []).some((id) => {
      const i = index.byId.get(id);
      return i !== undefined && index.docs[i]!.anchors.some((x) => q.text.includes(x.text));
    });
  if (!named) return 0;
  let best = 0;
  for (const a of doc.anchors) {
    const grams = a.grams;
    if (grams.size === 0) continue;
    let shared = 0;
    for (const g of grams) if (qGrams.has(g)) shared++;
    best = Math.max(best, (2 * shared) / (grams.size + qGrams.size));
  }
  return best < similarity ? 0 : Math.min(1, best + subjectBonus);
}

/**
 * 0 when the question asks for another action on the same thing (注销 a licence rather than
 * register it, 补领 a certificate rather than apply for it) or names a nearby matter the
 * knowledge base does not cover: a group of words (knowledge/lexicon.yaml › actions) that the
 * entry's names and keywords never mention. An action asked only by a verb that several groups
 * share is satisfied by any of them (搬到 is a verb of 变更 and of 迁移: a business moving is a
 * change of address or a relocation, and an entry of either fits). 1 otherwise.
 */
function actionFit(doc: Doc, asked: readonly ActionGroup[], verbAsked: readonly (readonly string[])[] = []): number {
  return asked.every((g) => doc.actionGroups.has(g.name)) && verbAsked.every((gs) => gs.some((g) => doc.actionGroups.has(g))) ? 1 : 0;
}

interface QueryWord {
  len: number;
  word: string;
  chars: string[];
  sounds: string[];
}

function queryWords(q: Analyzed): QueryWord[] {
  return q.content.map((word) => {
    const chars = [...word];
    const keys = soundKeys(word);
    const pairs = (xs: string[], sep: string) => xs.slice(1).map((x, i) => `${xs[i]}${sep}${x}`);
    return { word, len: chars.length, chars: pairs(chars, ''), sounds: pairs(keys, '|') };
  });
}

/** Share of the question's informative words that the entry explains (words, typos, sound-alikes). */
function coverage(index: SearchIndex, doc: Doc, words: QueryWord[]): number {
  let total = 0;
  let covered = 0;
  for (const w of words) {
    total += w.len;
    if (doc.words.has(w.word)) {
      covered += w.len;
      continue;
    }
    if (w.chars.length === 0) continue;
    const viaChars = countHeld(w.chars, index.postings.char, doc.at) / w.chars.length;
    const viaSound = countHeld(w.sounds, index.postings.sound, doc.at) / w.sounds.length;
    covered += w.len * Math.max(viaChars, viaSound);
  }
  return total === 0 ? 0 : covered / total;
}

function countHeld(xs: readonly string[], p: Postings, doc: number): number {
  let n = 0;
  for (const x of xs) if (holds(p, x, doc)) n++;
  return n;
}

/**
 * Similarity of a short question to the entry's names, for typos that are not homophones. A
 * mistyped name still shares characters or sounds with the entry, so it ranks among the first few
 * by BM25; longer questions are sentences, not mistyped names (`RetrievalOptions.fuzzy`).
 */
function fuzzyNameSimilarity(candidates: Doc[], query: string, o: RetrievalOptions['fuzzy']): Map<Doc, number> {
  const out = new Map<Doc, number>();
  if (query.length === 0 || query.length > o.maxLength) return out;
  const items = candidates
    .filter((doc) => doc.entry.kind !== 'faq')
    .flatMap((doc) => doc.anchors.filter((a) => withinReach(query, a.text, o.threshold)).map((a) => ({ doc, name: a.text })));
  if (items.length === 0) return out;
  const fuse = new Fuse(items, { keys: ['name'], includeScore: true, threshold: o.threshold, ignoreLocation: true });
  for (const r of fuse.search(query)) {
    const sim = 1 - (r.score ?? 1);
    if (sim >= o.min && sim > (out.get(r.item.doc) ?? 0)) out.set(r.item.doc, sim);
  }
  return out;
}

/**
 * Could fuse.js match the query to this name at all? Each character of the query that the name
 * lacks costs its bitap search an error, and fuse.js drops a name matched with more errors than
 * `threshold` × the query's length (compared in its case-folded code units, as fuse.js does). A
 * name out of reach would not be among fuse.js's results, so leaving it out changes none of them.
 * (fuse.js searches a query of more than 32 code units in pieces: those are always kept.)
 */
function withinReach(query: string, name: string, threshold: number): boolean {
  const pattern = query.toLowerCase();
  if (pattern.length > 32) return true;
  const text = name.toLowerCase();
  let missing = 0;
  for (let i = 0; i < pattern.length; i++) if (!text.includes(pattern[i]!)) missing++;
  return missing / pattern.length <= threshold;
}

interface Scored {
  doc: Doc;
  entry: Entry;
  score: number;
  rank: number;
  kind: MatchKind;
  anchor: number;
  coverage: number;
  fit: number;
  raw: number;
  /** Length of the name matched, in characters. */
  nameLength: number;
}

export function search(index: SearchIndex, query: string, k: number): SearchResult {
  const o = index.options;
  const message = classifyMessage(query, o.longMessage);
  const result = searchAsk(index, query, message, k);
  // A letter of several questions (「请问赠与过户需提交哪些材料？是否必须先办理赠与公证？」) whose first
  // result is barred only by a side question's action or neighbouring matter (公证, which no entry
  // covers): the questions without it are searched, for the matter the letter is about.
  const best = result.results[0];
  if (message.long && !message.appeal && message.asks.length >= 2 && result.band !== 'answer' && best && result.features[FEATURES.indexOf('actionFit')] === 0) {
    const covered = index.docs[index.byId.get(best.entry.id)!]!.actionGroups;
    const covers = (s: string) => {
      const text = index.analyzer.analyze(s).text;
      return index.actions.every((g) => !asksAction(g, text) || covered.has(g.name));
    };
    const kept = message.asks.filter(covers);
    if (kept.length > 0 && kept.length < message.asks.length) {
      const again = searchAsk(index, query, { ...message, ask: kept.join(''), asks: kept }, k);
      // The message as read stays the letter's questions (the example bank and the dialogue read it).
      if (again.band === 'answer') return { ...again, analyzed: result.analyzed };
    }
  }
  // A story whose question names nothing (「…想给她办个残疾证。请问要先去哪家医院做评定？」): the
  // matter may be in the story, so the whole message is searched when its question alone finds no
  // name, and the story's nearest matters are offered (您是不是想问), never answered — a story's
  // other words can name a matter it only mentions (storyOffer, retrieval-options.ts). Not a story
  // that reads as a 诉求 on the weaker evidence a refused message is read with (「…来回跑了两次都
  // 没办成…这种窗口能不能中午安排人轮班？」).
  if (message.long && !message.appeal && message.asks.length > 0 && result.band !== 'answer' && !(result.features[FEATURES.indexOf('anchor')]! > 0)) {
    const whole = searchAsk(index, query, { ...message, ask: query.normalize('NFKC').trim() }, k, true);
    // The message as read stays its question sentences (the aspects asked are there).
    if (whole.band === 'suggest' && whole.probability >= o.storyOffer && appealWhenRefused(query) === null) return { ...whole, analyzed: result.analyzed };
  }
  return result;
}

/** `offerOnly`: what would be answered is offered (the suggest band) instead. */
function searchAsk(index: SearchIndex, query: string, message: MessageKind, k: number, offerOnly = false): SearchResult {
  const o = index.options;
  const q = index.analyzer.analyze(message.ask);
  const { scores: raw, hits } = bm25(index, q);
  const order = firstByScore(raw, hits, Math.max(1, o.candidates));
  const candidates = order.slice(0, o.candidates).map((i) => index.docs[i]!);
  const top = order.length > 0 ? raw[order[0]!]! : 0;
  // Every character pair of the question, function words included: an FAQ is matched by how it is asked.
  const qGrams = new Set(
    hanRuns(q.text).flatMap((run) => {
      const chars = [...run];
      return chars.slice(1).map((c, i) => `${chars[i]}${c}`);
    }),
  );
  const present = presentIn(q, index.places);
  const matches = new Map<Doc, ReturnType<typeof anchorMatch>>();
  const matchOf = (d: Doc) => {
    let m = matches.get(d);
    if (!m) {
      m = anchorMatch(d, q, present, o);
      // A matter said to be done already (营业执照拿到了，公章去哪里刻) or lacking (没领结婚证…能落户吗) is what the question starts from.
      if (m.name && (m.kind === 'exact' || m.kind === 'synonym') && saidDone(q.original, m.name)) m = { ...m, strength: m.strength * o.matchStrength.gapped };
      matches.set(d, m);
    }
    return m;
  };
  // fuse.js is the fallback for names with a typo: not needed when the question names an entry exactly.
  const namedExactly = candidates.some((d) => d.entry.kind !== 'faq' && matchOf(d).strength >= o.namedStrength);
  // Nor when nothing in it could be a name (「那要多少钱」 is all function words).
  const fuzzy =
    namedExactly || q.content.length === 0
      ? new Map<Doc, number>()
      : fuzzyNameSimilarity(candidates.slice(0, o.fuzzy.candidates), q.text, o.fuzzy);
  // The question's words split into pairs, for coverage: only worked out when an entry is named.
  let words: QueryWord[] | null = null;
  const coverageOf = (doc: Doc) => coverage(index, doc, (words ??= queryWords(q)));

  const asksForBundle = q.text.includes(BUNDLE_WORD) || q.soundText.includes(BUNDLE_SOUND);
  // Names found as a thing and a verb (经营范围怎么加): the action counts as asked.
  const spans = tokenSpans(q, index.analyzer.isFiller);
  const verbHits = new Map<Doc, VerbHit>();
  for (const d of candidates) {
    const h = d.verbForms.length > 0 ? verbMatch(d, q.text, spans, o) : null;
    if (h) verbHits.set(d, h);
  }
  // A verb asks for its action — for one of its actions when several groups have it (搬到: 变更 or 迁移).
  const verbAsked = [...new Set([...verbHits.values()].map((h) => h.verb))].map((v) =>
    index.actions.filter((g) => (g.verbs ?? []).includes(v) || g.words.includes(v)).map((g) => g.name),
  );
  const asked = index.actions.filter((g) => asksAction(g, q.text) || asksApart(g, q, present.chars, o.gapped));
  /**
   * The name by which the question names an item, if it does at least `min` strongly: one of its
   * names, or its thing said with a verb (换了法人 for 法定代表人变更).
   */
  const nameOf = (id: string, min = o.namedStrength): string | null => {
    const i = index.byId.get(id);
    if (i === undefined) return null;
    const d = index.docs[i]!;
    const m = matchOf(d);
    if (m.strength >= min) return m.name;
    const v = verbHits.get(d);
    return v && v.strength >= min ? v.name : null;
  };
  // Verbatim names of the candidates (not FAQs) found in the question, for telling a name said on
  // its own from one said only inside a longer name.
  let exactNames: string[] | null = null;
  const insideLonger = (name: string): boolean => {
    exactNames ??= candidates.flatMap((d) => {
      if (d.entry.kind === 'faq') return [];
      const m = matchOf(d);
      return m.kind === 'exact' && m.name ? [m.name] : [];
    });
    const longer = exactNames.filter((n) => n.length > name.length && n.includes(name));
    if (longer.length === 0) return false;
    const text = q.original;
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      const covered = longer.some((n) => {
        for (let p = text.indexOf(n); p >= 0; p = text.indexOf(n, p + 1)) if (p <= at && p + n.length >= at + name.length) return true;
        return false;
      });
      if (!covered) return false;
    }
    return true;
  };
  // Items whose relation an FAQ named above answers (只卖预包装食品要不要办食品经营许可证).
  const relatedByFaq = new Set<string>();
  // Bundles named beside one of their items where the item is what is asked.
  const yields = new Set<string>();
  /** Named at least this strongly (with a gap, or by a keyword) is enough where other words say the rest. */
  const weakly = o.matchStrength.gapped * o.keywordAnchor;
  const scored: Scored[] = candidates.map((doc) => {
    let kind: MatchKind = 'none';
    let nameLength = 0;
    let named = 0;
    if (doc.entry.kind === 'faq') {
      named = questionSimilarity(doc, q, qGrams, index);
      if (named > 0) kind = 'faq';
      // Asked much as it is and naming two of the matters it relates (只卖预包装食品要不要办食品经营许可证):
      // the FAQ about how they relate says more than either.
      if (named > 0 && named < 1) {
        const matters = doc.entry.related.filter((id) => {
          const kind = index.docs[index.byId.get(id) ?? -1]?.entry.kind;
          return kind === 'item' || kind === 'policy';
        });
        const both = [...new Set(matters.map((id) => nameOf(id, weakly)).filter((n) => n !== null))];
        // Two names said apart: 个体营业执照 names one item and holds another's 营业执照, which is one name said.
        if (both.some((a) => both.some((b) => !a.includes(b) && !b.includes(a)))) {
          named = 1;
          // The items it relates are what the question starts from: the FAQ answers how they relate.
          for (const id of matters) relatedByFaq.add(id);
        }
      }
    } else {
      const m = matchOf(doc);
      named = m.strength;
      kind = m.kind;
      nameLength = m.name ? [...m.name].length : 0;
      // A name said only inside another entry's longer name (退休 in 延迟退休) names that one.
      if (m.kind === 'exact' && m.name && insideLonger(m.name)) [named, kind] = [named * o.matchStrength.gapped, 'gapped'];
      const v = verbHits.get(doc);
      if (v && v.strength > named) [named, kind, nameLength] = [v.strength, 'gapped', [...v.name].length];
    }
    const fuzzySim = o.fuzzy.weight * (fuzzy.get(doc) ?? 0);
    if (fuzzySim > named) [named, kind] = [fuzzySim, 'fuzzy'];
    let anchor = named;
    // Naming two or more items of a bundle, by different names, names the bundle (出生证、户口、医保一起办);
    // so does naming one of its items and asking for it as 一件事 (注销公司一件事, 社保卡一件事).
    // So does naming one of its items and two or more of the other offices or records it joins up
    // (公司改名了，税务、社保、公积金要一个个去改吗).
    if (doc.entry.kind === 'bundle') {
      const names = new Set(doc.entry.items.map((id) => nameOf(id)).filter((n) => n !== null));
      // Asked for as 一件事, one of its items named even with a gap or a keyword is enough (船员证一站办).
      const weakNamed = asksForBundle && names.size === 0 && doc.entry.items.some((id) => nameOf(id, weakly) !== null);
      if ((names.size >= 2 && namedApart([...names], q.original)) || (names.size === 1 && asksForBundle) || weakNamed) [anchor, kind] = [1, 'bundle'];
      else if (names.size === 1 && anchor > 0 && (kind === 'exact' || kind === 'synonym' || kind === 'gapped')) {
        // Named itself (饭店, or with a gap: 开一家民营医院) and one of its items by another name (招牌,
        // 设置审批): the item is what is asked, and the bundle never ranks before it on the weight of
        // its longer text. Not when both are asked, joined by 和, 同, 跟, 还有 … (退休手续和领养老金要怎么办)
        // or asked to be done together (二手房过户，水电气能一起过户吗), or when the question also names
        // an office or record the bundle joins up (二手房过户后水电户名怎么改: 水电 is the bundle's). The item
        // may be named by another word (领退休金 for 领养老金): then where it stands is not known, and
        // any joining word in the question keeps both (开小吃店，营业执照和食品许可能不能一起办); nor
        // is it another name when the bundle's own name says it (企业注销 is 注销公司).
        const item = [...names][0]!;
        const own = matchOf(doc).name ?? '';
        if ((q.original.includes(item) || (q.text.includes(item) && !ANY_JOINER.test(q.original) && !index.analyzer.analyze(own).text.includes(item))) && !own.includes(item) && !item.includes(own) && !joinedByAnd(q.original, own, item) && !TOGETHER.test(q.original) && joinsUp(doc, q.original, item) === 0) {
          anchor *= o.matchStrength.gapped;
          yields.add(doc.entry.id);
        }
      }
      else if (doc.joins.length > 0) {
        // Named with a gap or through a keyword is enough here: the offices say the rest.
        const weak = doc.entry.items.map((id) => nameOf(id, weakly)).filter((n) => n !== null);
        if (weak.length === 1 && joinsUp(doc, q.original, weak[0]!) >= 2) [anchor, kind] = [1, 'bundle'];
      }
    }
    // Coverage only tells named entries apart: one that names nothing has no confidence whatever
    // it covers (the first result's coverage, a gate feature, is filled in after sorting).
    const cov = anchor > 0 ? coverageOf(doc) : 0;
    const fit = actionFit(doc, asked, verbAsked);
    const confidence = anchor > 0 ? anchor * fit * (1 - o.coverageWeight + o.coverageWeight * cov) : 0;
    const r = raw[index.byId.get(doc.entry.id)!]!;
    const rel = top > 0 ? r / top : 0;
    return { doc, entry: doc.entry, score: round(confidence), rank: confidence + o.rankBm25Weight * rel, kind, anchor, coverage: cov, fit, raw: r, nameLength };
  });
  for (const x of scored) {
    if (!relatedByFaq.has(x.entry.id)) continue;
    const c = x.score * o.matchStrength.gapped;
    x.rank += c - x.score;
    x.score = round(c);
  }
  scored.sort((a, b) => b.rank - a.rank || b.score - a.score);
  // A bundle that yields to its item (above) comes after it.
  for (const id of yields) {
    const b = scored.findIndex((x) => x.entry.id === id);
    const bundle = scored[b]!;
    const i = scored.findIndex((x, at) => at > b && x.anchor > 0 && x.entry.kind === 'item' && bundle.entry.kind === 'bundle' && bundle.entry.items.includes(x.entry.id));
    if (i > b) scored.splice(b, 0, scored.splice(i, 1)[0]!);
  }
  // The labelled questions nearest to this one (example-bank.ts): gate features, and a second
  // opinion on the order when the first result is one they are never about.
  const near = index.examples ? index.examples.nearest(qGrams) : null;
  // Not over a name found outright (confidence ≥ namedStrength: 去民政局扯证 names the marriage
  // registration, however many questions worded with 去民政局 were about divorce).
  if (near && near.length > 0 && scored.length > 1 && scored[0]!.score < o.namedStrength && scored[0]!.nameLength <= o.examples.nameAtMost) preferExamples(scored, near, index.examples!, o);
  if (near && near.length > 0 && scored.length > 1) preferInFamily(scored, near, index.examples!, o);
  if (scored[0] && scored[0].anchor === 0) scored[0].coverage = coverageOf(scored[0].doc);

  const results = scored.slice(0, Math.max(1, k)).map(({ entry, score }) => ({ entry, score }));
  const best = scored[0];
  const features = gateFeatures(scored, q, message.long, near, index);
  const probability = !best ? 0 : index.gate ? predict(index.gate, features) : best.score >= o.answerThreshold ? 1 : 0;
  let band: Band = 'refuse';
  if (best && !message.appeal) {
    // The gate decides; a question that names no entry can still be answered on what the words say
    // (BM25, coverage) — requiring a name was measured to cost the fit sets 2–5 points of
    // answered-right (docs/benchmarks.md). A 诉求 is never answered.
    // An entry that does not cover the action asked (actionFit 0: 补办 of an entry that never says
    // 补) is answered only when the gate is all but sure on everything else (actionMismatchAnswer).
    if ((index.gate ? probability >= index.gate.answer : best.score >= o.answerThreshold) && (best.fit > 0 || (index.gate !== null && probability >= o.actionMismatchAnswer))) band = 'answer';
    else if (index.gate && probability >= index.gate.suggest) band = 'suggest';
    if (offerOnly && band === 'answer') band = 'suggest';
  }
  const answerable = band === 'answer';
  let ambiguous: ScoredEntry[] | null = null;
  if (answerable && best) {
    // A question that says no more than the name found (营业执照怎么办: 个体户 or a company?) is a
    // real choice, however the labelled questions worded like it lean.
    const name = matchOf(best.doc).name ?? '';
    const saysMore = q.content.some((w) => !name.includes(w));
    const rivals = scored.filter(
      (s) =>
        s !== best &&
        s.score >= o.answerThreshold &&
        best.score - s.score <= o.ambiguityMargin &&
        s.raw >= o.ambiguityBm25Share * best.raw &&
        !related(best.entry, s.entry) &&
        !(saysMore && settledByExamples(best.entry, s.entry, near, index.examples, o)),
    );
    if (rivals.length > 0) ambiguous = [best, ...rivals.slice(0, 2)].map(({ entry, score }) => ({ entry, score }));
  }
  const suggestions = band === 'suggest' ? nearest(scored, o.suggestions) : [];
  return { query, analyzed: q, answerable, band, probability: round(probability), appeal: message.appeal, ambiguous, suggestions, results, features };
}

/**
 * The nouns of a question that one entry says nothing about (neither the word nor any pair of its
 * characters is in it), for the dialogue to tell a follow-up about the entry under discussion
 * (「那烟草证要多少钱」, 「要带什么材料」) from a question about something else (「婚假有几天」).
 * The whole message is read, not only the question `search` finds inside a long one: a letter's
 * other nouns say it is about something else too (passing search's analysis instead answered 3 more
 * of the negatives' 4,413 as follow-ups).
 */
export function unexplainedNouns(index: SearchIndex, entryId: string, query: string): string[] {
  const i = index.byId.get(entryId);
  const q = index.analyzer.analyze(query);
  const nouns = index.analyzer.nouns(q.original);
  if (i === undefined) return nouns;
  const doc = index.docs[i]!;
  return nouns.filter((w) => !says(index, doc, w));
}

/** Does the entry hold the word, or one of its character pairs? */
function says(index: SearchIndex, doc: Doc, w: string): boolean {
  if (doc.words.has(w)) return true;
  const chars = [...w];
  for (let j = 1; j < chars.length; j++) if (holds(index.postings.char, `${chars[j - 1]}${chars[j]}`, doc.at)) return true;
  return false;
}

/**
 * The informative words of a short question that say something the entry does not: neither the
 * word nor one of its character pairs is in the entry, few entries use it, and citizens do not
 * ask about many matters with it (RetrievalOptions.followUp). Empty when the question could be
 * about this entry: 「老人家能办吗」 after 开小卖部 (老人家 comes with questions about many matters), not
 * 「明天几度」 (几度 is in no entry and no labelled question about one). Unlike `unexplainedNouns`,
 * every informative word counts, not only the nouns (停电 and 减肥 are tagged as verbs).
 */
export function unexplainedWords(index: SearchIndex, entryId: string, query: string): string[] {
  const i = index.byId.get(entryId);
  const doc = i === undefined ? undefined : index.docs[i]!;
  const o = index.options.followUp;
  const n = index.docs.length;
  return index.analyzer.analyze(query).content.filter((w) => {
    if (doc && says(index, doc, w)) return false;
    if (postingLength(index.postings.word, w) >= o.commonShare * n) return false;
    const u = index.examples?.usage(w);
    return !(u && u.entries >= o.minEntries && u.inScope >= o.inScopeRatio * u.outside);
  });
}

/**
 * The entries to offer when unsure: the first few by rank that named something or share much
 * with the question, one per matter (an FAQ whose subject is already offered is left out).
 */
function nearest(scored: readonly Scored[], o: RetrievalOptions['suggestions']): ScoredEntry[] {
  const out: Scored[] = [];
  const topRaw = scored.reduce((m, s) => Math.max(m, s.raw), 0);
  for (const s of scored) {
    if (out.length >= o.max) break;
    if (s.anchor === 0 && s.raw < o.minBm25Share * topRaw) continue;
    if (out.some((o) => related(o.entry, s.entry))) continue;
    out.push(s);
  }
  return out.map(({ entry, score }) => ({ entry, score }));
}

/**
 * When the nearest labelled questions are (almost) never about the first result but mostly about
 * the second or third, that one comes first: 「女工人原来50岁退休，现在推迟到几岁」 is worded like the
 * questions about the retirement age, whatever its words name. Thresholds in RetrievalOptions.examples.
 */
function preferExamples(scored: Scored[], near: Nearest, bank: ExampleBank, o: RetrievalOptions): void {
  const first = bank.evidence(near, scored[0]!.entry);
  if (!first || first.agree > o.examples.firstAtMost) return;
  for (let j = 1; j <= Math.min(2, scored.length - 1); j++) {
    const other = bank.evidence(near, scored[j]!.entry);
    if (other && other.agree >= o.examples.otherAtLeast) {
      scored.unshift(scored.splice(j, 1)[0]!);
      return;
    }
  }
}

/** Do the labelled questions about exactly one of the two clearly lean to `first` (`ambiguityExamples`)? */
function settledByExamples(first: Entry, other: Entry, near: Nearest | null, bank: ExampleBank | null | undefined, o: RetrievalOptions): boolean {
  if (!near || near.length === 0 || !bank) return false;
  const w = bank.contrast(near, first, other, o.ambiguityExamples.within);
  return w.a >= o.ambiguityExamples.atLeast && w.a >= o.ambiguityExamples.share * (w.a + w.b);
}

/** Is one of the two a bundle and the other one of its items? */
const family = (a: Entry, b: Entry): boolean =>
  (a.kind === 'bundle' && b.kind === 'item' && a.items.includes(b.id)) || (b.kind === 'bundle' && a.kind === 'item' && b.items.includes(a.id));

/**
 * A bundle and one of its items both named: the whole chain or one step? The labelled questions
 * worded like this one decide, when they clearly lean to the other one (`family` options).
 */
function preferInFamily(scored: Scored[], near: Nearest, bank: ExampleBank, o: RetrievalOptions): void {
  const first = scored[0]!;
  // Never over a name found outright (开小卖部, 企业注销: the citizen said the bundle's own name).
  if (first.score >= o.namedStrength) return;
  for (let j = 1; j <= Math.min(2, scored.length - 1); j++) {
    const other = scored[j]!;
    if (!family(first.entry, other.entry)) continue;
    const w = bank.contrast(near, first.entry, other.entry, o.family.within);
    if (w.b >= o.family.otherAtLeast && w.b >= o.family.share * (w.a + w.b)) {
      scored.unshift(scored.splice(j, 1)[0]!);
      return;
    }
  }
}

/** The gate's inputs, in the order of FEATURES (answer-gate.ts). */
function gateFeatures(scored: readonly Scored[], q: Analyzed, long: boolean, near: Nearest | null, index: SearchIndex): number[] {
  const words = q.content.length;
  const [best, second] = scored;
  const han = hanRuns(q.text).join('').length;
  // The strongest other reading: a bundle and its item, or an FAQ and its subject, agree rather than compete.
  let rival = 0;
  if (best) for (const s of scored) if (s.raw > rival && !related(best.entry, s.entry)) rival = s.raw;
  const values: Record<(typeof FEATURES)[number], number> = {
    anchor: best?.anchor ?? 0,
    exact: best?.kind === 'exact' ? 1 : 0,
    synonym: best?.kind === 'synonym' ? 1 : 0,
    sound: best?.kind === 'sound' ? 1 : 0,
    gapped: best?.kind === 'gapped' ? 1 : 0,
    fuzzy: best?.kind === 'fuzzy' ? 1 : 0,
    faq: best?.kind === 'faq' ? 1 : 0,
    bundleByItems: best?.kind === 'bundle' ? 1 : 0,
    coverage: best?.coverage ?? 0,
    actionFit: best?.fit ?? 0,
    confidence: best?.score ?? 0,
    margin: (best?.score ?? 0) - (second?.score ?? 0),
    runnerUp: best && best.raw > 0 ? (second?.raw ?? 0) / best.raw : 0,
    rivalBm25: best && best.raw > 0 ? rival / best.raw : 0,
    bm25: Math.log1p(best?.raw ?? 0),
    length: Math.log1p(han),
    words: Math.log1p(words),
    uncovered: Math.log1p(Math.round(words * (1 - (best?.coverage ?? 0)))),
    nameShare: han > 0 ? Math.min(1, (best?.nameLength ?? 0) / han) : 0,
    kindFaq: best?.entry.kind === 'faq' ? 1 : 0,
    kindBundle: best?.entry.kind === 'bundle' ? 1 : 0,
    kindPolicy: best?.entry.kind === 'policy' ? 1 : 0,
    long: long ? 1 : 0,
    exampleAgree: 0,
    exampleNearest: 0,
    exampleOutside: 0,
  };
  if (best) {
    const evidence = index.examples && near ? index.examples.evidence(near, best.entry) : null;
    if (evidence) {
      values.exampleAgree = evidence.agree;
      values.exampleNearest = evidence.nearest;
      values.exampleOutside = evidence.outside;
    } else {
      // No bank, or no example about this entry (added since the bank was written): neither for nor
      // against — the features read as the fit's average, so the rest of the gate decides.
      for (const f of EXAMPLE_FEATURES) {
        const j = FEATURES.indexOf(f);
        values[f] = index.gate?.mean[j] ?? 0;
      }
    }
  }
  return FEATURES.map((f) => values[f]);
}

/** A bundle and one of its items, or an FAQ and its subject, are not rival readings. */
export function related(a: Entry, b: Entry): boolean {
  if (a.id === b.id) return true;
  const links = (x: Entry): string[] =>
    x.kind === 'bundle' ? x.items : x.kind === 'faq' || x.kind === 'policy' ? x.related : [];
  return links(a).includes(b.id) || links(b).includes(a.id);
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
