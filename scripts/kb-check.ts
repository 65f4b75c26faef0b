/** `npm run kb:check`: the same validation the server runs at start-up. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlows } from '../src/dialogue/parse-flows.js';
import { loadKnowledge, readYamlFiles } from '../src/adapters/load-knowledge.js';
import { formatProblem } from '../src/knowledge/parse-knowledge.js';
import { riskyNames } from '../src/knowledge/risky-names.js';

const dir = resolve(process.argv[2] ?? process.env.KNOWLEDGE_DIR ?? 'knowledge');
const flowsDir = resolve(process.argv[3] ?? process.env.FLOWS_DIR ?? 'flows');
const result = await loadKnowledge(dir);
if (!result.ok) {
  for (const p of result.problems) console.error(formatProblem(p));
  console.error(`\n${result.problems.length} problem(s) in ${dir}`);
  process.exit(1);
}
const counts: Record<string, number> = {};
for (const e of result.kb.entries) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
const unverified = result.kb.entries.filter((e) => !e.verified || e.unverified.length > 0).length;
console.log(
  `knowledge base OK: ${result.kb.entries.length} entries (${Object.entries(counts)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}), ${unverified} with unverified facts, ${result.kb.lexicon.synonyms.length} synonym groups`,
);

const flows = parseFlows(await readYamlFiles(flowsDir), result.kb);
if (!flows.ok) {
  for (const p of flows.problems) console.error(formatProblem(p));
  console.error(`\n${flows.problems.length} problem(s) in ${flowsDir}`);
  process.exit(1);
}
console.log(`walkthroughs OK: ${flows.flows.length} (${flows.flows.map((f) => f.id).join(', ')})`);

// Warnings, not errors: names that could name an entry by accident (see docs/retrieval.md).
const realText = await readFile(resolve('eval/negatives/negatives.tsv'), 'utf8')
  .then((t) => t.split('\n').map((l) => l.split('\t')[1] ?? '').filter(Boolean))
  .catch(() => [] as string[]);
const risky = riskyNames(result.kb.entries, result.kb.lexicon.generic, realText, result.kb.lexicon.places);
for (const r of risky) console.warn(`warning: ${result.kb.fileOf[r.entryId] ?? r.entryId} › ${r.entryId} › ${r.field}: 「${r.name}」${r.why}`);
if (risky.length > 0) console.warn(`${risky.length} warning(s) about names and keywords`);
