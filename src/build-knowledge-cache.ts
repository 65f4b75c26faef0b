/**
 * Child-process entry (server/build-apart.ts): reads a BuildJob as JSON on stdin, parses and
 * validates the knowledge files and the walkthroughs, builds the engine, writes the knowledge
 * cache under the job's key, and exits. Exit codes: BUILD_EXIT.
 */
import { createKnowledgeCache } from './adapters/knowledge-cache.js';
import { createJiebaTokenizer } from './adapters/jieba-tokenizer.js';
import { parseFlows } from './dialogue/parse-flows.js';
import { parseKnowledge } from './knowledge/parse-knowledge.js';
import { BUILD_EXIT, type BuildJob } from './server/build-apart.js';
import { buildServed, cacheKeyOf } from './server/live-knowledge.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  const job = JSON.parse(await readStdin()) as BuildJob;
  const cache = createKnowledgeCache(job.cacheDir);
  if (cacheKeyOf(cache, job.files, job.flowFiles) !== job.key) return BUILD_EXIT.otherKey;
  const parsed = parseKnowledge(job.files);
  if (!parsed.ok) return BUILD_EXIT.invalid;
  const flows = parseFlows(job.flowFiles, parsed.kb);
  if (!flows.ok) return BUILD_EXIT.invalid;
  const engine = buildServed(parsed.kb, createJiebaTokenizer(), job.today);
  await cache.save(job.key, { kb: parsed.kb, snapshot: engine.snapshot(), flows: flows.flows });
  return BUILD_EXIT.ok;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
