import { createEngine, type Engine } from '../../src/knowledge/engine.js';
import { createJiebaTokenizer } from '../../src/nlp/jieba-tokenizer.js';
import { fixtureKb } from './fixture-kb.js';

let cached: Engine | undefined;
/** One engine over the fixture corpus per test process. */
export const fixtureEngine = (): Engine => (cached ??= createEngine(fixtureKb(), createJiebaTokenizer()));
