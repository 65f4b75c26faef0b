/**
 * The answer engine's knowledge side: a parsed knowledge base, its search index and lookups.
 * Pure apart from the tokenizer that is passed in.
 */
import { createAnalyzer, type SoundTables } from '../nlp/analyze.js';
import { createAspectDetector, type AspectDetector } from '../nlp/aspects.js';
import type { Tokenizer } from '../nlp/tokenizer.js';
import type { GateModel } from './answer-gate.js';
import { SHIPPED_GATE } from './gate-model.js';
import { createExampleBank, type Example, type ExampleBank } from './example-bank.js';
import { SHIPPED_EXAMPLES } from './gate-examples.js';
import type { KnowledgeBase } from './parse-knowledge.js';
import type { RetrievalOverrides } from './retrieval-options.js';
import type { Entry } from './schema.js';
import { buildIndex, dictionaryWords, indexData, restoreIndex, search, type IndexData, type SearchIndex, type SearchResult, unexplainedNouns, unexplainedWords } from './search-index.js';

export interface Engine {
  readonly kb: KnowledgeBase;
  readonly aspects: AspectDetector;
  /** The answer gate in use (null: the ranking's own threshold). */
  readonly gate: GateModel | null;
  search(query: string, k?: number): SearchResult;
  /** The question's nouns (what it is about) that this entry says nothing about. */
  unexplained(entryId: string, query: string): string[];
  /**
   * The question's informative words that say something this entry does not — words many entries
   * or many citizens' questions use say nothing of their own (search-index.ts › unexplainedWords).
   */
  unexplainedWords(entryId: string, query: string): string[];
  entry(id: string): Entry | undefined;
  /** A short fingerprint of an entry's content, recorded with feedback so it points at what was shown. */
  version(id: string): string | undefined;
  /** Segment a text the way the engine does (for aspect detection and logs). */
  words(text: string): string[];
  /** The informative words of a text (no function or aspect words), e.g. for grouping questions. */
  contentWords(text: string): string[];
  /** What was derived from the knowledge base, as data: passed back as `EngineOptions.snapshot`, it saves rebuilding it. */
  snapshot(): EngineSnapshot;
  /**
   * The same engine with another example bank (the evaluation leaves out the set it measures, so
   * that no question is compared with itself); the index is shared, not rebuilt.
   */
  withExamples(examples: readonly Example[] | null): Engine;
  /** How many labelled questions the gate compares with (0 without a bank). */
  readonly exampleCount: number;
}

/**
 * An engine's work on its knowledge base (the served entries' ids, the segmenter's extra words,
 * the search index) as plain data. It is only valid for the same knowledge base, tokenizer, gate
 * and retrieval options: whoever keeps it (adapters/knowledge-cache.ts) keys it by all of them.
 */
export interface EngineSnapshot {
  /** The ids of the entries served (in effect on `today`), in order. */
  served: string[];
  vocabulary: string[];
  index: IndexData;
  /** The analyzer's sound tables (nlp/analyze.ts › SoundTables); absent in a snapshot kept without them. */
  sounds?: SoundTables;
}

/** Is the entry in effect on this day (YYYY-MM-DD)? An expired entry is not served as current. */
export const inEffect = (e: Entry, today: string): boolean =>
  (!e.effectiveFrom || e.effectiveFrom <= today) && (!e.expiresOn || e.expiresOn > today);

export interface EngineOptions {
  /** Serve only entries in effect on this day (YYYY-MM-DD). */
  today?: string;
  /** The answer gate; the shipped model (gate-model.ts) by default, null for the ranking's own threshold. */
  gate?: GateModel | null;
  /** Overrides of the retrieval constants (DEFAULT_RETRIEVAL_OPTIONS in retrieval-options.ts), e.g. to measure one. */
  retrieval?: RetrievalOverrides;
  /**
   * Labelled questions the gate compares a question with (example-bank.ts): the shipped bank
   * (gate-examples.ts) by default; null for none (the example features then read as neutral).
   */
  examples?: readonly Example[] | null;
  /**
   * A snapshot of an engine built from this knowledge base with the same tokenizer and options:
   * used instead of building, when it serves the same entries (an entry taking or leaving effect
   * since makes it stale, and the engine is built as usual).
   */
  snapshot?: EngineSnapshot;
}

export function createEngine(kb: KnowledgeBase, tokenizer: Tokenizer, options: EngineOptions = {}): Engine {
  const served = options.today ? kb.entries.filter((e) => inEffect(e, options.today!)) : kb.entries;
  const ready = options.snapshot && sameIds(options.snapshot.served, served) ? options.snapshot : undefined;
  const vocabulary = ready ? ready.vocabulary : dictionaryWords(served, [...kb.lexicon.words, ...kb.lexicon.places]);
  // Set once the index is built; the analyzer below asks for its words only after that.
  const built: { index?: SearchIndex } = {};
  // This engine's own words: the tokenizer passed in is left unchanged (see dictionary-tokenizer.ts).
  const analyzer = createAnalyzer(tokenizer.withWords(vocabulary), kb.lexicon.synonyms, {
    dialect: kb.lexicon.dialect,
    vocabulary,
    // Typed pinyin may also spell the knowledge base's other words, most common first; read from
    // the index once it is built (entry texts analysed while building it are not pinyin questions).
    readingWords: () => (built.index ? indexWords(built.index) : []),
    ...(ready?.sounds ? { tables: ready.sounds } : {}),
  });
  const examples = bankOf(options.examples === undefined ? SHIPPED_EXAMPLES : options.examples);
  const index = (built.index = ready
    ? restoreIndex(ready.index, analyzer, served, examples)
    : buildIndex(served, analyzer, {
        actions: kb.lexicon.actions,
        generic: kb.lexicon.generic,
        places: kb.lexicon.places,
        agencies: kb.lexicon.agencies,
        gate: options.gate === undefined ? SHIPPED_GATE : options.gate,
        examples,
        retrieval: options.retrieval,
      }));
  // Built here, with the engine, rather than by a citizen's first pinyin question.
  analyzer.prepare();
  const byId = new Map(kb.entries.map((e) => [e.id, e]));
  // Worked out on the first feedback, not at start-up (it encodes every entry).
  let versions: Map<string, string> | null = null;
  const aspects = createAspectDetector();
  const engine = (index: SearchIndex): Engine => ({
    kb,
    gate: index.gate,
    aspects,
    search: (query, k = 5) => search(index, query, k),
    unexplained: (entryId, query) => unexplainedNouns(index, entryId, query),
    unexplainedWords: (entryId, query) => unexplainedWords(index, entryId, query),
    entry: (id) => byId.get(id),
    version: (id) => (versions ??= new Map(kb.entries.map((e) => [e.id, fingerprint(JSON.stringify(e))]))).get(id),
    words: (text) => analyzer.analyze(text).tokens,
    contentWords: (text) => analyzer.analyze(text).content,
    snapshot: () => ({ served: served.map((e) => e.id), vocabulary, index: indexData(index), sounds: analyzer.tables() }),
    withExamples: (other) => engine({ ...index, examples: bankOf(other) }),
    exampleCount: index.examples?.size ?? 0,
  });
  return engine(index);
}

/** The shipped bank is built once per process, however many engines use it. */
let shippedBank: ExampleBank | null = null;
const bankOf = (examples: readonly Example[] | null): ExampleBank | null =>
  examples === null ? null : examples === SHIPPED_EXAMPLES ? (shippedBank ??= createExampleBank(SHIPPED_EXAMPLES)) : createExampleBank(examples);

const sameIds = (ids: readonly string[], entries: readonly Entry[]): boolean =>
  ids.length === entries.length && entries.every((e, i) => e.id === ids[i]);

/** The index's words, in the most entries first. */
function indexWords(index: SearchIndex): string[] {
  const { terms, start } = index.postings.word;
  const count = (t: number) => start[t + 1]! - start[t]!;
  return [...terms]
    .sort((a, b) => count(b[1]) - count(a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([word]) => word);
}

/** FNV-1a over the text, as 8 hex digits: pure and fast; identifies a version, not a secret. */
function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
