import { createEngine, type Engine } from '../../src/knowledge/engine.js';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { fixtureKb } from './fixture-kb.js';

let cached: Engine | undefined;
/**
 * One engine over the fixture corpus per test process. Without the answer gate: the shipped gate
 * is fitted on the real knowledge base's statistics, not on this corpus of a dozen entries; these
 * tests are about the ranking and the dialogue, and the gate has its own (test/knowledge/answer-gate.test.ts).
 */
export const fixtureEngine = (): Engine => (cached ??= createEngine(fixtureKb(), createJiebaTokenizer(), { gate: null }));
