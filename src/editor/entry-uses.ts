/**
 * Where the editor shows an entry's place in the whole: the bundles and walkthroughs that use it
 * (so an edit or a removal is made knowing what else changes), and a readable name for a
 * walkthrough step in the dashboard. Pure: the knowledge base and the walkthroughs are passed in.
 */
import type { Flow } from '../dialogue/parse-flows.js';
import type { KnowledgeBase } from '../knowledge/parse-knowledge.js';

interface Named {
  id: string;
  title: string;
}

/** The bundles that list the entry, and the walkthroughs that start from it or put it in their checklist. */
export function usesOf(kb: KnowledgeBase, flows: readonly Flow[], entryId: string): { bundles: Named[]; flows: Named[] } {
  const named = ({ id, title }: Named): Named => ({ id, title });
  return {
    bundles: kb.entries.filter((e) => e.kind === 'bundle' && e.items.includes(entryId)).map(named),
    flows: flows.filter((f) => f.entry === entryId || Object.values(f.steps).some((s) => 'checklist' in s && s.checklist.items.some((i) => i.id === entryId))).map(named),
  };
}

/**
 * A walkthrough step key `flowId/stepId` as editors read it: 「开小商店：经营范围」 — the
 * walkthrough's title and the step's label, question or text, cut at 24 characters. An unknown
 * key is shown as it is.
 */
export function stepLabel(flows: readonly Flow[], key: string): string {
  const [flowId, stepId] = key.split('/');
  const flow = flows.find((f) => f.id === flowId);
  const step = flow && stepId ? flow.steps[stepId] : undefined;
  if (!flow || !step) return key;
  const what = 'ask' in step ? (step.label ?? step.ask) : 'say' in step ? step.say : stepId!;
  return `${flow.title}：${what.length > 24 ? `${what.slice(0, 24)}…` : what}`;
}
