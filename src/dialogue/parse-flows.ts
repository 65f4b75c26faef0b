/**
 * Guided walkthroughs (情形引导) as data: flows/*.yaml, validated against the knowledge base.
 * Problems read `file › flow › step: what is wrong — how to fix`, like knowledge problems.
 * Pure: takes file contents and the parsed knowledge base.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { KnowledgeBase, KnowledgeProblem, SourceFile } from '../knowledge/parse-knowledge.js';
import { ConditionError, parseCondition, slotsOf, type Expr } from './condition.js';

const text = z.string().trim().min(1, { message: 'must not be empty' });
const stepId = z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'step ids are lower-case kebab-case' });
const slotName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'slot names are letters, digits and _' });

const slotSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('choice'), values: z.array(text).min(2) }),
  z.strictObject({ type: z.literal('boolean') }),
  z.strictObject({ type: z.literal('number'), min: z.number().optional(), max: z.number().optional() }),
  z.strictObject({ type: z.literal('text') }),
]);

const choiceSchema = z.strictObject({ label: text, value: text, next: stepId.optional() });

const askStep = z.strictObject({
  ask: text,
  /** A short name of what is asked, for summaries (「是否卖烟」); the question is used without it. */
  label: text.optional(),
  /** One line: why we ask (「为什么问这个」). */
  why: text,
  slot: slotName,
  choices: z.array(choiceSchema).optional(),
  next: stepId.optional(),
});
const sayStep = z.strictObject({ say: text, next: stepId });
const branchStep = z.strictObject({
  branch: z
    .array(z.union([z.strictObject({ when: text, goto: stepId }), z.strictObject({ else: stepId })]))
    .min(1),
});
const checklistStep = z.strictObject({
  checklist: z.strictObject({
    title: text,
    items: z.array(z.strictObject({ id: text, when: text.optional() })).min(1),
    /** Materials to leave out in some situations, by material ref or by a part of their name. */
    exclude: z
      .array(
        z.union([
          z.strictObject({ ref: text, when: text, reason: text }),
          z.strictObject({ nameIncludes: text, when: text, reason: text }),
        ]),
      )
      .default([]),
  }),
});
const handoffStep = z.strictObject({ handoff: text });

const stepSchema = z.union([askStep, sayStep, branchStep, checklistStep, handoffStep]);

export const flowSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'flow ids are lower-case kebab-case' }),
  title: text,
  /** The knowledge entry this walkthrough is for: a question about it can start the walkthrough. */
  entry: text,
  intro: text,
  slots: z.record(slotName, slotSchema),
  /**
   * Answers taken from the first message: if any of `words` is said, `set` these slots; if one is
   * denied (「不卖烟」) and none is said, set `negated` instead (when the rule has it).
   */
  prefill: z
    .array(
      z.strictObject({
        words: z.array(text).min(1),
        set: z.record(slotName, z.union([z.string(), z.number(), z.boolean()])).default({}),
        negated: z.record(slotName, z.union([z.string(), z.number(), z.boolean()])).optional(),
      }),
    )
    .default([]),
  start: stepId,
  steps: z.record(stepId, stepSchema),
});

export type FlowFile = z.infer<typeof flowSchema>;
export type Step = z.infer<typeof stepSchema>;
export type AskStep = z.infer<typeof askStep>;
export type ChecklistSpec = z.infer<typeof checklistStep>['checklist'];

/** A validated flow with its conditions parsed once. */
export interface Flow extends FlowFile {
  file: string;
  conditions: Map<string, Expr>;
}

export type FlowsResult = { ok: true; flows: Flow[] } | { ok: false; problems: KnowledgeProblem[] };

const successors = (step: Step): string[] => {
  if ('ask' in step) return [...(step.choices ?? []).flatMap((c) => (c.next ? [c.next] : [])), ...(step.next ? [step.next] : [])];
  if ('say' in step) return [step.next];
  if ('branch' in step) return step.branch.map((b) => ('goto' in b ? b.goto : b.else));
  return [];
};

/** Validates every flow file; all problems are reported at once. */
export function parseFlows(files: SourceFile[], kb: KnowledgeBase): FlowsResult {
  const problems: KnowledgeProblem[] = [];
  const flows: Flow[] = [];
  const byId = new Map(kb.entries.map((e) => [e.id, e]));
  const seen = new Map<string, string>();

  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const doc = parseDocument(file.content, { uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        problems.push({
          file: file.path,
          entry: `line ${err.linePos?.[0]?.line ?? '?'}`,
          field: '(yaml)',
          problem: err.message.split('\n')[0] ?? 'YAML syntax error',
          fix: 'fix the YAML syntax (indentation, quotes, a missing colon)',
        });
      }
      continue;
    }
    const raw = doc.toJS() as { id?: unknown } | null;
    const label = raw && typeof raw.id === 'string' ? raw.id : '(flow)';
    const parsed = flowSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [head, second, ...rest] = issue.path.map(String);
        const step = head === 'steps' && second ? second : issue.path.join('.') || '(whole flow)';
        problems.push({
          file: file.path,
          entry: label,
          field: head === 'steps' && second ? [step, ...rest].join('.') : step,
          problem: issue.message,
          fix:
            issue.code === 'invalid_union' && head === 'steps'
              ? 'a step is exactly one of: ask (with why, slot), say (with next), branch, checklist, handoff'
              : issue.code === 'unrecognized_keys'
                ? `remove ${issue.keys.join(', ')}`
                : 'correct the value (see src/dialogue/parse-flows.ts)',
        });
      }
      continue;
    }
    const flow = parsed.data;
    const p = (step: string, problem: string, fix: string) => problems.push({ file: file.path, entry: flow.id, field: step, problem, fix });
    const before = problems.length;

    if (seen.has(flow.id)) p('id', `the id is already used in ${seen.get(flow.id)}`, 'give this flow a different id');
    seen.set(flow.id, file.path);
    if (!byId.has(flow.entry)) p('entry', `no knowledge entry has the id ${flow.entry}`, 'name an existing item or bundle id');

    const stepIds = new Set(Object.keys(flow.steps));
    const slotIds = new Set(Object.keys(flow.slots));
    const conditions = new Map<string, Expr>();
    const condition = (step: string, src: string) => {
      try {
        const expr = parseCondition(src);
        for (const s of slotsOf(expr)) if (!slotIds.has(s)) p(step, `the condition "${src}" reads the unknown slot ${s}`, `declare ${s} under slots or fix the name`);
        conditions.set(src, expr);
      } catch (err) {
        if (!(err instanceof ConditionError)) throw err;
        p(step, `the condition "${src}" does not parse: ${err.message}`, 'write it like: entity == "company" and not tobacco');
      }
    };
    const target = (step: string, id: string) => {
      if (!stepIds.has(id)) p(step, `goes to the unknown step ${id}`, `add a step ${id} or point to one of: ${[...stepIds].join(', ')}`);
    };

    if (!stepIds.has(flow.start)) p('start', `the start step ${flow.start} does not exist`, 'name one of the steps');
    for (const rule of flow.prefill) {
      if (Object.keys(rule.set).length === 0 && Object.keys(rule.negated ?? {}).length === 0) {
        p('prefill', `the rule for ${rule.words.join('、')} sets nothing`, 'add set (what the words say) or negated (what denying them says)');
      }
      for (const [slot, value] of [...Object.entries(rule.set), ...Object.entries(rule.negated ?? {})]) {
        const def = flow.slots[slot];
        if (!def) p('prefill', `sets the unknown slot ${slot}`, 'declare it under slots');
        else if (def.type === 'choice' && !def.values.includes(String(value))) p('prefill', `sets ${slot} to ${value}, which is not one of its values`, `use one of: ${def.values.join(', ')}`);
        else if (def.type === 'boolean' && typeof value !== 'boolean') p('prefill', `sets the yes/no slot ${slot} to ${JSON.stringify(value)}`, 'use true or false');
      }
    }
    for (const [id, step] of Object.entries(flow.steps)) {
      if ('ask' in step) {
        const def = flow.slots[step.slot];
        if (!def) p(id, `asks for the unknown slot ${step.slot}`, 'declare it under slots');
        if (def?.type === 'choice') {
          const values = (step.choices ?? []).map((c) => c.value);
          if (values.length === 0) p(id, `asks for the choice slot ${step.slot} without choices`, 'list the choices with label and value');
          for (const v of values) if (!def.values.includes(v)) p(id, `offers the value ${v}, which ${step.slot} does not have`, `use one of: ${def.values.join(', ')}`);
          for (const v of def.values) if (!values.includes(v)) p(id, `offers no choice for the value ${v} of ${step.slot}`, 'add a choice for it or remove the value');
        }
        if (def && def.type !== 'choice' && step.choices) p(id, `offers choices for the ${def.type} slot ${step.slot}`, 'remove choices (yes/no buttons are added for a boolean slot)');
        const open = (step.choices ?? []).some((c) => !c.next);
        if (!step.next && (open || !step.choices?.length)) p(id, 'has no next step for some answers', 'add next, or next on every choice');
      }
      if ('branch' in step) {
        const last = step.branch.at(-1);
        if (!last || !('else' in last)) p(id, 'the branch has no else: some answers lead nowhere', 'end the branch with - else: STEP');
        step.branch.slice(0, -1).forEach((b) => 'else' in b && p(id, 'else must be the last case of a branch', 'move the else case to the end'));
        for (const b of step.branch) if ('when' in b) condition(id, b.when);
      }
      if ('checklist' in step) {
        for (const item of step.checklist.items) {
          const e = byId.get(item.id);
          if (!e || e.kind !== 'item') p(id, e ? `${item.id} is a ${e.kind}, not an item` : `no item has the id ${item.id}`, 'list ids of existing items');
          if (item.when) condition(id, item.when);
        }
        for (const x of step.checklist.exclude) condition(id, x.when);
      }
      for (const next of successors(step)) target(id, next);
    }

    // Every step must be reachable from the start.
    const reached = new Set<string>();
    const stack = [flow.start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (reached.has(id) || !flow.steps[id]) continue;
      reached.add(id);
      stack.push(...successors(flow.steps[id]!));
    }
    for (const id of stepIds) if (!reached.has(id)) p(id, 'cannot be reached from the start', 'point a next or goto at it, or remove it');
    if (![...reached].some((id) => { const s = flow.steps[id]!; return 'checklist' in s || 'handoff' in s; })) {
      p(flow.start, 'the walkthrough never reaches a checklist or a hand-off', 'end it with a checklist step');
    }

    if (problems.length === before) flows.push({ ...flow, file: file.path, conditions });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, flows };
}
