/**
 * Retrieval over the knowledge base. Pure: built from parsed entries and an analyzer.
 *
 * Ranking combines BM25 over three term channels — segmented words, Chinese character pairs
 * (typo tolerance) and folded-pinyin pairs (homophones) — with evidence that the question
 * names the matter: one of the entry's names (title, aliases, keywords) found in the question
 * exactly, by sound, or mostly (fuse.js fuzzy match for short questions).
 *
 * Confidence is deliberately conservative: an entry is only "answerable" when the question
 * names it. Sharing generic words (补办, 丢了, 证) is never enough, so 「驾驶证丢了怎么补」
 * does not get an ID-card answer.
 */
import Fuse from 'fuse.js';
import type { Analyzed, Analyzer } from '../nlp/analyze.js';
import { hanRuns, normalize } from '../nlp/normalize.js';
import { soundKeys } from '../nlp/pinyin.js';
import type { Entry } from './schema.js';

type Channel = 'word' | 'char' | 'sound';
const CHANNELS: readonly Channel[] = ['word', 'char', 'sound'];
const CHANNEL_WEIGHT: Record<Channel, number> = { word: 1, char: 0.6, sound: 0.4 };
const K1 = 1.2;
const COMMON_TERM_SHARE = 0.5;
const B = 0.5;

/** Field weights: names count most, the summary some, details little. */
const WEIGHT = { name: 3, keyword: 2, summary: 1, detail: 0.3 } as const;

/** What citizens call a bundle; the lexicon maps 一件是, 一次办, 一起办 … to it. */
const BUNDLE_WORD = '一件事';

/** The confidence an entry must reach to be answered. */
export const ANSWER_THRESHOLD = 0.5;
/** Two answerable entries whose confidences are closer than this are offered as a choice. */
export const AMBIGUITY_MARGIN = 0.04;

interface Anchor {
  text: string;
  sound: string;
  grams: Set<string>;
  /** 1 for a name (title, alias), less for a keyword that merely leads here. */
  strength: number;
}

interface Doc {
  entry: Entry;
  anchors: Anchor[];
  /** Every word, character pair and sound pair of the entry, for judging coverage of a question. */
  words: Set<string>;
  chars: Set<string>;
  sounds: Set<string>;
  length: Record<Channel, number>;
  /** Names and keywords, normalised: what the entry is about. */
  gist: string;
  /** Normalised keywords (for an FAQ: the subjects it is about). */
  subjects: string[];
  /** Action groups (lexicon) that the entry's names and keywords mention. */
  actionGroups: Set<string>;
}

export interface SearchIndex {
  docs: Doc[];
  postings: Record<Channel, Map<string, { doc: number; tf: number }[]>>;
  avgLength: Record<Channel, number>;
  byId: Map<string, number>;
  analyzer: Analyzer;
  actions: readonly ActionGroup[];
}

/** Words for one kind of action (注销, 补领, 变更 …); see `actions` in knowledge/lexicon.yaml. */
export interface ActionGroup {
  name: string;
  words: readonly string[];
}

export interface ScoredEntry {
  entry: Entry;
  /** Calibrated confidence in [0, 1]; `answerable` when ≥ ANSWER_THRESHOLD. */
  score: number;
}

export interface SearchResult {
  query: string;
  analyzed: Analyzed;
  answerable: boolean;
  /** When several entries fit about equally well, the ones to offer as a choice. */
  ambiguous: ScoredEntry[] | null;
  results: ScoredEntry[];
}

/** A field's text, its weight in BM25, and how strongly it names the entry (0 = not a name). */
interface Field {
  text: string;
  weight: number;
  anchor: number;
}

/** Strength of a keyword compared with a name: a keyword leads here, a name says exactly this. */
const KEYWORD_ANCHOR = 0.9;

function fieldsOf(entry: Entry, itemsById: ReadonlyMap<string, Entry>): Field[] {
  // An FAQ is named by its question and the other phrasings of it; its keywords only help ranking.
  const isFaq = entry.kind === 'faq';
  const f: Field[] = [
    { text: entry.title, weight: WEIGHT.name, anchor: 1 },
    ...entry.aliases.map((a) => ({ text: a, weight: WEIGHT.name, anchor: 1 })),
    ...entry.keywords.map((k) => ({ text: k, weight: WEIGHT.keyword, anchor: isFaq ? 0 : KEYWORD_ANCHOR })),
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

export function buildIndex(
  entries: readonly Entry[],
  analyzer: Analyzer,
  actions: readonly ActionGroup[] = [],
): SearchIndex {
  const postings: SearchIndex['postings'] = { word: new Map(), char: new Map(), sound: new Map() };
  const docs: Doc[] = [];
  const byId = new Map(entries.map((e) => [e.id, e]));
  const normalizedActions = actions.map((g) => ({ name: g.name, words: g.words.map(normalize) }));
  entries.forEach((entry, docIdx) => {
    const tf: Record<Channel, Map<string, number>> = { word: new Map(), char: new Map(), sound: new Map() };
    const doc: Doc = {
      entry,
      anchors: [],
      words: new Set(),
      chars: new Set(),
      sounds: new Set(),
      length: { word: 0, char: 0, sound: 0 },
      gist: normalize([entry.title, ...entry.aliases, ...entry.keywords].join(' ')),
      subjects: entry.keywords.map(normalize).filter((k) => k.length >= 2),
      actionGroups: new Set(),
    };
    for (const g of normalizedActions) if (g.words.some((w) => doc.gist.includes(w))) doc.actionGroups.add(g.name);
    for (const field of fieldsOf(entry, byId)) {
      const a = analyzer.analyze(field.text);
      const add = (channel: Channel, terms: string[]) => {
        for (const t of terms) {
          tf[channel].set(t, (tf[channel].get(t) ?? 0) + field.weight);
          doc.length[channel] += field.weight;
        }
      };
      add('word', a.content);
      add('char', a.charGrams);
      add('sound', a.soundGrams);
      a.tokens.forEach((t) => doc.words.add(t));
      a.charGrams.forEach((t) => doc.chars.add(t));
      a.soundGrams.forEach((t) => doc.sounds.add(t));
      if (field.anchor > 0) {
        const text = normalize(field.text);
        // From the name itself, not its analysis: synonym expansion must not leak into a name.
        const sound = hanRuns(text).map((run) => soundKeys(run).join(' ')).join(' , ');
        const chars = [...text];
        const grams = new Set(chars.slice(1).map((c, i) => `${chars[i]}${c}`));
        if (text.length >= 2) doc.anchors.push({ text, sound, grams, strength: field.anchor });
      }
    }
    for (const channel of CHANNELS) {
      for (const [term, n] of tf[channel]) {
        let list = postings[channel].get(term);
        if (!list) postings[channel].set(term, (list = []));
        list.push({ doc: docIdx, tf: n });
      }
    }
    docs.push(doc);
  });
  const avgLength = { word: 1, char: 1, sound: 1 };
  for (const channel of CHANNELS) {
    avgLength[channel] = Math.max(1, docs.reduce((s, d) => s + d.length[channel], 0) / Math.max(1, docs.length));
  }
  return {
    docs,
    postings,
    avgLength,
    byId: new Map(docs.map((d, i) => [d.entry.id, i])),
    analyzer,
    actions: normalizedActions,
  };
}

function bm25(index: SearchIndex, q: Analyzed): Float64Array {
  const scores = new Float64Array(index.docs.length);
  const n = index.docs.length;
  const terms: Record<Channel, string[]> = { word: q.content, char: q.charGrams, sound: q.soundGrams };
  for (const channel of CHANNELS) {
    const seen = new Set<string>();
    for (const term of terms[channel]) {
      if (seen.has(term)) continue;
      seen.add(term);
      const list = index.postings[channel].get(term);
      // A character or sound pair found in most entries says almost nothing (idf near 0) and
      // costs the most to score. Words are always scored: they are what finds candidates.
      if (!list || (channel !== 'word' && list.length > COMMON_TERM_SHARE * n)) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { doc, tf } of list) {
        const len = index.docs[doc]!.length[channel];
        const norm = tf * (K1 + 1) / (tf + K1 * (1 - B + (B * len) / index.avgLength[channel]));
        scores[doc]! += CHANNEL_WEIGHT[channel] * idf * norm;
      }
    }
  }
  return scores;
}

/** How strongly the question names the entry (1 = one of its names appears verbatim), and by which name. */
function anchorMatch(doc: Doc, q: Analyzed): { strength: number; name: string | null } {
  let best = 0;
  let name: string | null = null;
  for (const a of doc.anchors) {
    let m = 0;
    if (q.text.includes(a.text)) m = 1;
    // Sound-alike names (社报卡 for 社保卡). Two-syllable names are left out: too many words share them.
    else if (a.text.length >= 3 && q.soundText.includes(` ${a.sound} `)) m = 0.9;
    if (m * a.strength > best) {
      best = m * a.strength;
      name = a.text;
    }
  }
  return { strength: best, name };
}

/**
 * An FAQ is named when the question is asked much the same way (Dice overlap of character
 * pairs with one of its phrasings) and names the FAQ's subject — one of its keywords or a name
 * of an entry it relates to. Without the subject, 「那要多少钱」 would match every fee FAQ.
 */
function questionSimilarity(doc: Doc, q: Analyzed, qGrams: Set<string>, index: SearchIndex): number {
  if (qGrams.size < 3) return 0;
  let best = 0;
  for (const a of doc.anchors) {
    const grams = a.grams;
    if (grams.size === 0) continue;
    let shared = 0;
    for (const g of grams) if (qGrams.has(g)) shared++;
    best = Math.max(best, (2 * shared) / (grams.size + qGrams.size));
  }
  if (best < FAQ_SIMILARITY) return 0;
  const subjects = [
    ...doc.subjects,
    ...(doc.entry.kind === 'faq' ? doc.entry.related : []).flatMap((id) => {
      const i = index.byId.get(id);
      return i === undefined ? [] : index.docs[i]!.anchors.map((x) => x.text);
    }),
  ];
  const named = subjects.some((t) => q.text.includes(t));
  return named ? Math.min(1, best + 0.2) : 0;
}

/** How alike a question and an FAQ's phrasing must be (Dice over character pairs) to count as asked. */
const FAQ_SIMILARITY = 0.55;

/**
 * 0 when the question asks for another action on the same thing (注销 a licence rather than
 * register it, 补领 a certificate rather than apply for it) or names a nearby matter the
 * knowledge base does not cover: a group of words (knowledge/lexicon.yaml › actions) that the
 * entry's names and keywords never mention. 1 otherwise.
 */
function actionFit(doc: Doc, asked: readonly ActionGroup[]): number {
  return asked.every((g) => doc.actionGroups.has(g.name)) ? 1 : 0;
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
function coverage(doc: Doc, words: QueryWord[]): number {
  let total = 0;
  let covered = 0;
  for (const w of words) {
    total += w.len;
    if (doc.words.has(w.word)) {
      covered += w.len;
      continue;
    }
    if (w.chars.length === 0) continue;
    const viaChars = w.chars.filter((g) => doc.chars.has(g)).length / w.chars.length;
    const viaSound = w.sounds.filter((g) => doc.sounds.has(g)).length / w.sounds.length;
    covered += w.len * Math.max(viaChars, viaSound);
  }
  return total === 0 ? 0 : covered / total;
}

/** A mistyped name still shares characters or sounds with the entry, so it ranks among the first few by BM25. */
const FUZZY_CANDIDATES = 12;

/** Longer questions are sentences, not mistyped names; fuse.js does not help them. */
const FUZZY_MAX_LENGTH = 10;

/** Below this fuse.js similarity a name is not taken as meant (a typo, not a different word). */
const FUZZY_MIN = 0.6;

/** Similarity of a short question to the entry's names, for typos that are not homophones. */
function fuzzyNameSimilarity(candidates: Doc[], query: string): Map<Doc, number> {
  const out = new Map<Doc, number>();
  if (query.length === 0 || query.length > FUZZY_MAX_LENGTH) return out;
  const items = candidates
    .filter((doc) => doc.entry.kind !== 'faq')
    .flatMap((doc) => doc.anchors.map((a) => ({ doc, name: a.text })));
  const fuse = new Fuse(items, { keys: ['name'], includeScore: true, threshold: 0.45, ignoreLocation: true });
  for (const r of fuse.search(query)) {
    const sim = 1 - (r.score ?? 1);
    if (sim >= FUZZY_MIN && sim > (out.get(r.item.doc) ?? 0)) out.set(r.item.doc, sim);
  }
  return out;
}

const CANDIDATES = 40;

export function search(index: SearchIndex, query: string, k = 5): SearchResult {
  const q = index.analyzer.analyze(query);
  const raw = bm25(index, q);
  const order = [...raw.keys()].filter((i) => raw[i]! > 0).sort((a, b) => raw[b]! - raw[a]!);
  const candidates = order.slice(0, CANDIDATES).map((i) => index.docs[i]!);
  const top = order.length > 0 ? raw[order[0]!]! : 0;
  const qGrams = new Set(q.charGrams);
  const matches = new Map<Doc, { strength: number; name: string | null }>();
  const matchOf = (d: Doc) => {
    let m = matches.get(d);
    if (!m) matches.set(d, (m = anchorMatch(d, q)));
    return m;
  };
  // fuse.js is the fallback for names with a typo: not needed when the question names an entry exactly.
  const namedExactly = candidates.some((d) => d.entry.kind !== 'faq' && matchOf(d).strength >= 0.9);
  // Nor when nothing in it could be a name (「那要多少钱」 is all function words).
  const fuzzy =
    namedExactly || q.content.length === 0
      ? new Map<Doc, number>()
      : fuzzyNameSimilarity(candidates.slice(0, FUZZY_CANDIDATES), q.text);
  const words = queryWords(q);

  const asksForBundle = q.text.includes(BUNDLE_WORD);
  const asked = index.actions.filter((g) => g.words.some((w) => q.text.includes(w)));
  /** The name by which the question names an item, if it does. */
  const nameOf = (id: string): string | null => {
    const i = index.byId.get(id);
    const m = i === undefined ? null : matchOf(index.docs[i]!);
    return m && m.strength >= 0.9 ? m.name : null;
  };
  const scored = candidates.map((doc) => {
    const named = doc.entry.kind === 'faq' ? questionSimilarity(doc, q, qGrams, index) : matchOf(doc).strength;
    let anchor = Math.max(named, 0.8 * (fuzzy.get(doc) ?? 0));
    // Naming two or more items of a bundle, by different names, names the bundle (出生证、户口、医保一起办);
    // so does naming one of its items and asking for it as 一件事 (注销公司一件事, 社保卡一件事).
    if (doc.entry.kind === 'bundle') {
      const names = new Set(doc.entry.items.map(nameOf).filter((n) => n !== null));
      if (names.size >= 2 || (names.size === 1 && asksForBundle)) anchor = 1;
    }
    const confidence = anchor > 0 ? anchor * actionFit(doc, asked) * (0.6 + 0.4 * coverage(doc, words)) : 0;
    const rel = top > 0 ? raw[index.byId.get(doc.entry.id)!]! / top : 0;
    return { entry: doc.entry, score: round(confidence), rank: confidence + 0.1 * rel };
  });
  scored.sort((a, b) => b.rank - a.rank || b.score - a.score);

  const results = scored.slice(0, Math.max(1, k)).map(({ entry, score }) => ({ entry, score }));
  const best = scored[0];
  const answerable = !!best && best.score >= ANSWER_THRESHOLD;
  let ambiguous: ScoredEntry[] | null = null;
  if (answerable) {
    const rivals = scored.filter(
      (s) => s !== best && s.score >= ANSWER_THRESHOLD && best.score - s.score <= AMBIGUITY_MARGIN && !related(best.entry, s.entry),
    );
    if (rivals.length > 0) ambiguous = [best, ...rivals.slice(0, 2)].map(({ entry, score }) => ({ entry, score }));
  }
  return { query, analyzed: q, answerable, ambiguous, results };
}

/** A bundle and one of its items, or an FAQ and its subject, are not rival readings. */
function related(a: Entry, b: Entry): boolean {
  if (a.id === b.id) return true;
  const links = (x: Entry): string[] =>
    x.kind === 'bundle' ? x.items : x.kind === 'faq' || x.kind === 'policy' ? x.related : [];
  return links(a).includes(b.id) || links(b).includes(a.id);
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
