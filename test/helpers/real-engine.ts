import { resolve } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../../src/knowledge/engine.js';
import { loadKnowledge } from '../../src/adapters/load-knowledge.js';
import type { KnowledgeBase } from '../../src/knowledge/parse-knowledge.js';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';

export const root = resolve(import.meta.dirname, '../..');

/** The shipped knowledge base, parsed. */
export async function realKb(): Promise<KnowledgeBase> {
  const loaded = await loadKnowledge(resolve(root, 'knowledge'));
  if (!loaded.ok) throw new Error('knowledge base does not validate');
  return loaded.kb;
}

/** An engine over the shipped knowledge base with the shipped answer gate. */
export async function realEngine(options: EngineOptions = {}): Promise<Engine> {
  return createEngine(await realKb(), createJiebaTokenizer(), options);
}
