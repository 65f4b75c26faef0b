/**
 * Runs a walkthrough: asks one question at a time (with 「为什么问这个」), skips what the first
 * message already said, goes back and restarts, and ends in a checklist or a hand-off.
 * Pure: the flow, the knowledge lookups, the clock and id generator are passed in.
 */
import type { Choice, Reply } from '../core/types.js';
import { checklistNames, computeChecklist, type Checklist } from '../knowledge/compute-checklist.js';
import type { Entry, ItemEntry } from '../knowledge/schema.js';
import { normalize } from '../nlp/normalize.js';
import { CAUTION } from './compose-answer.js';
import { evaluate, type Value } from './condition.js';
import { prepareGroups, readGroups, readingsOf, type PreparedGroups } from './negation.js';
import type { AskStep, Flow } from './parse-flows.js';

export interface FlowState {
  id: string;
  /** The ask step waiting for an answer; null when the walkthrough has ended. */
  at: string | null;
  slots: Record<string, Value>;
  /** Ask steps answered by the citizen, in order (for 「上一步」). */
  asked: string[];
  /** Slots filled from the first message. */
  prefilled: string[];
  /** Materials of the last checklist, to say what changed when an answer changes. */
  lastMaterials: string[] | null;
  lastChecklistId: string | null;
}

export interface FlowContext {
  entry(id: string): Entry | undefined;
  now(): Date;
  newId(): string;
}

export type FlowOutcome =
  | { kind: 'asking'; state: FlowState; replies: Reply[] }
  | { kind: 'checklist'; state: FlowState; replies: Reply[]; checklist: Checklist }
  | { kind: 'handoff'; state: FlowState; replies: Reply[]; reason: string }
  | { kind: 'error'; state: FlowState; replies: Reply[]; error: string };

/** Most steps a single turn may pass through before stopping: a safety cap against loops. */
export const MAX_STEPS_PER_TURN = 25;

export const FLOW_CHOICE = {
  answer: (v: string) => `flow:answer:${v}`,
  back: 'flow:back',
  restart: 'flow:restart',
  exit: 'flow:exit',
  start: (flowId: string) => `flow:start:${flowId}`,
} as const;

const YES = ['是', '是的', '对', '对的', '要', '需要', '有', '会', '卖', '嗯', '好', 'yes', 'y', '可以', '没错'];
const NO = ['不', '不是', '否', '不要', '不需要', '没有', '没', '不会', '不卖', '无', 'no', 'n', '不用'];

/** Marks of a question rather than an answer. */
const ASKING = /[？?吗呢]|多少|怎么|什么|哪里|哪儿|为什么|多久/u;

const valueLabel = (flow: Flow, step: AskStep, value: Value): string => {
  if (typeof value === 'boolean') return value ? '是' : '否';
  return step.choices?.find((c) => c.value === value)?.label ?? String(value);
};

function questionReplies(flow: Flow, step: AskStep, state: FlowState): Reply[] {
  const def = flow.slots[step.slot]!;
  const options: Choice[] =
    def.type === 'choice'
      ? (step.choices ?? []).map((c) => ({ label: c.label, value: FLOW_CHOICE.answer(c.value) }))
      : def.type === 'boolean'
        ? [
            { label: '是', value: FLOW_CHOICE.answer('yes') },
            { label: '否', value: FLOW_CHOICE.answer('no') },
          ]
        : [];
  const nav: Choice[] = [
    ...(state.asked.length > 0 ? [{ label: '上一步', value: FLOW_CHOICE.back }] : []),
    { label: '重新开始', value: FLOW_CHOICE.restart },
  ];
  return [{ type: 'choices', text: `${step.ask}\n（为什么问这个：${step.why}）`, choices: [...options, ...nav] }];
}

/**
 * The prefill rules of each flow as word groups, normalised once per flow object (flows are
 * immutable once parsed; a reload makes new objects, and the old entries go with them).
 */
const preparedPrefill = new WeakMap<Flow, PreparedGroups>();
const prefillGroups = (flow: Flow): PreparedGroups => {
  let prepared = preparedPrefill.get(flow);
  if (!prepared) {
    prepared = prepareGroups(flow.prefill.map((r) => ({ words: r.words, slots: [...Object.keys(r.set), ...Object.keys(r.negated ?? {})] })));
    preparedPrefill.set(flow, prepared);
  }
  return prepared;
};

/**
 * Words of the first message that answer questions in advance. A word that is denied
 * (「不卖烟」「散装的不卖」, see negation.ts) does not count as said; where the rule declares
 * `negated`, a denial answers with that instead. Later rules win, so a specific rule listed after
 * a general one overrides it (卤味 after 预包装: selling both needs the licence).
 */
export function prefill(flow: Flow, message: string): { slots: Record<string, Value>; filled: string[] } {
  const all = readGroups(message, prefillGroups(flow));
  const slots: Record<string, Value> = {};
  for (const [i, rule] of flow.prefill.entries()) {
    const readings = all[i]!;
    if (readings.includes('said')) Object.assign(slots, rule.set);
    else if (readings.includes('denied') && rule.negated) Object.assign(slots, rule.negated);
  }
  return { slots, filled: Object.keys(slots) };
}

export function startFlow(flow: Flow, firstMessage: string, ctx: FlowContext): FlowOutcome {
  const { slots, filled } = prefill(flow, firstMessage);
  const state: FlowState = { id: flow.id, at: null, slots, asked: [], prefilled: filled, lastMaterials: null, lastChecklistId: null };
  const known = knownLabels(flow, slots, filled);
  const lead: Reply[] = [{ type: 'text', text: flow.intro + (known.length > 0 ? `\n您已经告诉我：${known.join('；')}。` : '') }];
  const out = advance(flow, state, flow.start, ctx);
  return { ...out, replies: [...lead, ...out.replies] };
}

/** 「经营主体：个体户」 for each of `names` that a question of the walkthrough asks. */
function knownLabels(flow: Flow, slots: Record<string, Value>, names: readonly string[]): string[] {
  return names.flatMap((s) => {
    const step = Object.values(flow.steps).find((x): x is AskStep => 'ask' in x && x.slot === s);
    return step ? [`${step.label ?? step.ask.replace(/[？?]$/, '')}：${valueLabel(flow, step, slots[s] ?? null)}`] : [];
  });
}

/**
 * What a typed text tells questions not answered yet (the prefill rules; not `except`, the one
 * being answered), kept as prefilled answers are. `told`: the slots it set. A question tells nothing.
 */
function keepTold(flow: Flow, state: FlowState, text: string, except?: string): { state: FlowState; told: string[] } {
  if (ASKING.test(text)) return { state, told: [] };
  const slots = prefill(flow, text).slots;
  const told = Object.keys(slots).filter((s) => s !== except && (state.slots[s] === undefined || state.slots[s] === null));
  if (told.length === 0) return { state, told };
  const next: FlowState = { ...state, slots: { ...state.slots }, prefilled: [...state.prefilled, ...told] };
  for (const s of told) next.slots[s] = slots[s]!;
  return { state: next, told };
}

/**
 * A statement typed while a question is pending that answers later questions instead (「不卖烟」
 * while asked 个体户还是公司): kept (keepTold), and the pending question is asked again. Null when
 * it asks something or tells nothing new.
 */
export function noteSituation(flow: Flow, state: FlowState, text: string, ctx: FlowContext): FlowOutcome | null {
  if (!state.at) return null;
  const { state: next, told } = keepTold(flow, state, text);
  if (told.length === 0) return null;
  const known = knownLabels(flow, next.slots, told);
  const out = advance(flow, next, state.at, ctx);
  return known.length > 0 ? { ...out, replies: [{ type: 'text', text: `好的，记下了：${known.join('；')}。` }, ...out.replies] } : out;
}

/** Walks from `from` until a question needs an answer, or the walkthrough ends. */
export function advance(flow: Flow, previous: FlowState, from: string, ctx: FlowContext): FlowOutcome {
  const state: FlowState = { ...previous, slots: { ...previous.slots }, asked: [...previous.asked] };
  const replies: Reply[] = [];
  let id: string | undefined = from;
  for (let n = 0; n < MAX_STEPS_PER_TURN && id; n++) {
    const step = flow.steps[id];
    if (!step) return fail(state, replies, `step ${id} does not exist`);
    if ('ask' in step) {
      const value = state.slots[step.slot];
      if (value === undefined || value === null) {
        state.at = id;
        return { kind: 'asking', state, replies: [...replies, ...questionReplies(flow, step, state)] };
      }
      id = nextAfter(step, value);
      continue;
    }
    if ('say' in step) {
      replies.push({ type: 'text', text: step.say });
      id = step.next;
      continue;
    }
    if ('branch' in step) {
      id = undefined;
      for (const b of step.branch) {
        if ('else' in b) {
          id = b.else;
          break;
        }
        const r = evaluate(flow.conditions.get(b.when)!, state.slots);
        if (!r.ok) return fail(state, replies, `${flow.id} › ${Object.keys(flow.steps).find((k) => flow.steps[k] === step)}: ${r.error}`);
        if (r.value) {
          id = b.goto;
          break;
        }
      }
      continue;
    }
    if ('handoff' in step) {
      state.at = null;
      return { kind: 'handoff', state, replies, reason: step.handoff };
    }
    // A checklist ends the walkthrough.
    return finish(flow, state, replies, step.checklist, ctx);
  }
  return fail(state, replies, `${flow.id}: more than ${MAX_STEPS_PER_TURN} steps in one turn`);
}

function nextAfter(step: AskStep, value: Value): string | undefined {
  const choice = step.choices?.find((c) => c.value === value);
  return choice?.next ?? step.next;
}

function fail(state: FlowState, replies: Reply[], error: string): FlowOutcome {
  state.at = null;
  return { kind: 'error', state, replies, error };
}

function finish(flow: Flow, state: FlowState, replies: Reply[], spec: Flow['steps'][string] extends infer S ? (S extends { checklist: infer C } ? C : never) : never, ctx: FlowContext): FlowOutcome {
  const items: ItemEntry[] = [];
  for (const it of spec.items) {
    if (it.when) {
      const r = evaluate(flow.conditions.get(it.when)!, state.slots);
      if (!r.ok) return fail(state, replies, `${flow.id} › checklist: ${r.error}`);
      if (!r.value) continue;
    }
    const e = ctx.entry(it.id);
    if (e?.kind === 'item') items.push(e);
  }
  const exclude = [];
  for (const x of spec.exclude) {
    const r = evaluate(flow.conditions.get(x.when)!, state.slots);
    if (!r.ok) return fail(state, replies, `${flow.id} › checklist: ${r.error}`);
    if (r.value) exclude.push(x);
  }
  const entry = ctx.entry(flow.entry)!;
  const answers = Object.values(flow.steps)
    .filter((s): s is AskStep => 'ask' in s && state.slots[s.slot] !== undefined && state.slots[s.slot] !== null)
    .map((s) => ({ question: s.label ?? s.ask, answer: valueLabel(flow, s, state.slots[s.slot]!) }));
  const checklist = computeChecklist({
    id: ctx.newId(),
    title: spec.title,
    entry,
    items,
    createdAt: ctx.now().toISOString(),
    answers,
    exclude,
    caution: `部分信息来自其他地区的办事指南或非官方来源，尚未经梧州本地核实，${CAUTION}。`,
  });
  const names = checklistNames(checklist);
  const change: string[] = [];
  if (state.lastMaterials) {
    const added = names.filter((n) => !state.lastMaterials!.includes(n));
    const removed = state.lastMaterials.filter((n) => !names.includes(n));
    if (added.length) change.push(`新增：${added.join('、')}`);
    if (removed.length) change.push(`不再需要：${removed.join('、')}`);
    if (!added.length && !removed.length) change.push('材料没有变化');
  }
  state.at = null;
  state.lastMaterials = names;
  state.lastChecklistId = checklist.id;
  const url = `/checklist/${checklist.id}`;
  const out: Reply[] = [
    ...replies,
    {
      type: 'text',
      text:
        `好了，这是您要办的事和一份材料清单（共 ${checklist.materials.length} 项必带材料` +
        `${checklist.situational.length ? `，另有 ${checklist.situational.length} 项视情况提供` : ''}` +
        `${checklist.replaced.length ? `，${checklist.replaced.length} 项可免交` : ''}）。` +
        (change.length ? `\n和上次相比：${change.join('；')}。` : ''),
    },
    {
      type: 'checklist',
      id: checklist.id,
      url,
      title: checklist.title,
      materials: [
        ...checklist.materials,
        ...checklist.situational.map((m) => ({ ...m, note: [`${m.when}需要`, m.note].filter(Boolean).join('；') })),
        ...checklist.replaced.map((m) => ({ ...m, note: [`可免交（${m.how}）`, m.note].filter(Boolean).join('；') })),
      ].map(({ name, originals, copies, usedBy, note }) => ({ name, originals, copies, usedBy, ...(note ? { note } : {}) })),
    },
    {
      type: 'choices',
      text: '可以打开清单打印或用手机扫码保存；想改某个回答，点「上一步」。',
      choices: [
        { label: '上一步', value: FLOW_CHOICE.back },
        { label: '重新开始', value: FLOW_CHOICE.restart },
        { label: '转人工', value: 'handoff' },
      ],
    },
  ];
  return { kind: 'checklist', state, replies: out, checklist };
}

/** The kind of answer the walkthrough's pending question takes (null when none is pending). */
export function pendingAnswerType(flow: Flow, state: FlowState): Flow['slots'][string]['type'] | null {
  const step = state.at ? flow.steps[state.at] : undefined;
  return step && 'ask' in step ? (flow.slots[step.slot]?.type ?? null) : null;
}

/** Reads an answer to the question being asked, typed or pressed; null if the input is not one. */
export function readAnswer(flow: Flow, state: FlowState, input: { text?: string; choice?: string }): Value | null {
  const step = state.at ? flow.steps[state.at] : undefined;
  if (!step || !('ask' in step)) return null;
  const def = flow.slots[step.slot]!;
  const pressed = input.choice?.startsWith('flow:answer:') ? input.choice.slice('flow:answer:'.length) : null;
  const typed = input.text !== undefined ? normalize(input.text).replace(/[吧呢啊呀的了哦嘛]+$/u, '') : null;
  // A typed sentence that is not a button label is read like a first message (「只卖预包装的，不卖散装」
  // for the food question, 「不卖烟」 for yes/no); a question (「…要多少钱？」) stays a side question.
  const sentence = (): Value | undefined =>
    input.text !== undefined && !ASKING.test(input.text) ? prefill(flow, input.text).slots[step.slot] : undefined;
  switch (def.type) {
    case 'choice': {
      if (pressed && def.values.includes(pressed)) return pressed;
      if (typed === null) return null;
      const hit = (step.choices ?? []).find((c) => normalize(c.label) === typed || c.value === typed);
      if (hit) return hit.value;
      const read = sentence();
      if (typeof read === 'string' && def.values.includes(read)) return read;
      // A bare 「不卖」「有了」「不知道」: the one choice that says so.
      const bare = typed !== null && !ASKING.test(input.text ?? '') ? (denialChoice(step.choices ?? [], typed) ?? affirmChoice(step.choices ?? [], typed, step.ask) ?? unsureChoice(step.choices ?? [], typed)) : null;
      if (bare) return bare;
      return input.text !== undefined && !ASKING.test(input.text) ? choiceNamed(step.choices ?? [], input.text) : null;
    }
    case 'boolean': {
      if (pressed === 'yes' || (typed !== null && (YES.includes(typed) || echoesAsk(typed, step.ask)))) return true;
      if (pressed === 'no' || (typed !== null && !ASKING.test(input.text ?? '') && isBareDenial(typed))) return false;
      const read = typed !== null ? sentence() : undefined;
      return typeof read === 'boolean' ? read : null;
    }
    case 'number': {
      const n = typed !== null ? Number(typed.replace(/[^\d.]/g, '')) : NaN;
      if (typed === null || !/\d/.test(typed) || Number.isNaN(n)) return null;
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) return null;
      return n;
    }
    case 'text':
      return typed && typed.length > 0 ? (input.text ?? '').trim().slice(0, 200) : null;
  }
}

/** A bare denial typed as the answer: 「不卖」「不」「没有」「都不卖」「不想」. */
const BARE_DENIAL = /^(?:都|也|就|我|我们)?(?:不|没|没有)\p{Script=Han}{0,2}$/u;
/** Not denials: 「不知道」「没想好」「不一定」「不对」 say the citizen is unsure, or object. */
const NOT_DENIAL = /知道|清楚|确定|晓得|懂|明白|记得|一定|想好|好说|对|行吗/u;
const isBareDenial = (typed: string): boolean => NO.includes(typed) || (BARE_DENIAL.test(typed) && !NOT_DENIAL.test(typed));

/**
 * 「不卖」 to 「店里卖不卖吃的、喝的？卖的话，是…还是…？」: a bare denial answers with the one choice
 * that is itself a denial (its label starts with 不 or 没: 「不卖食品（或只卖蔬菜水果）」). Null when
 * no choice or several are (「还没有，办个体户」 and 「还没有，办公司」 start otherwise).
 */
function denialChoice(choices: readonly { label: string; value: string }[], typed: string): string | null {
  if (!isBareDenial(typed)) return null;
  const denials = choices.filter((c) => /^[不没]/u.test(normalize(c.label)));
  return denials.length === 1 ? denials[0]!.value : null;
}

/**
 * 「领了」 to 「领了结婚证吗？」, 「有」 to 「附近有没有学校？」: a short answer that repeats the question's
 * verb, without a denial, says yes. At most three characters once 了/的/过 are dropped.
 */
function echoesAsk(typed: string, ask: string): boolean {
  const stem = typed.replace(/^(?:已经|已|都|也|我|我们)/u, '').replace(/[了的过]+$/u, '');
  if (stem.length === 0 || [...stem].length > 3 || /^[不没未别]/u.test(stem) || !/^\p{Script=Han}+$/u.test(stem)) return false;
  return normalize(ask).includes(stem);
}

/** An affirmation typed as the answer: 「有了」「办好了」「已经有了」「是的」. */
const isAffirmation = (typed: string, ask: string): boolean => YES.includes(typed) || echoesAsk(typed, ask) || /^(?:已经|已)?(?:有|办好|办了|拿到|领了)(?:了)?$/u.test(typed);

/**
 * 「有了」 to 「您的店办好营业执照了吗？还没办的话，…」: an affirmation answers with the one choice that
 * says it is done or there (its label starts with 已 or 有: 「已经有营业执照」). Null when none or several do.
 */
function affirmChoice(choices: readonly { label: string; value: string }[], typed: string, ask: string): string | null {
  if (!isAffirmation(typed, ask)) return null;
  const yes = choices.filter((c) => /^(?:已|有)/u.test(normalize(c.label)));
  return yes.length === 1 ? yes[0]!.value : null;
}

/**
 * A bare yes or no (「还没有」「有的」「不」) that answered nothing — it fits several choices or none:
 * the question is asked again rather than the message taken for a side question.
 */
export function isBareReply(text: string): boolean {
  const typed = normalize(text).replace(/[吧呢啊呀的了哦嘛]+$/u, '');
  return typed.length > 0 && (YES.includes(typed) || isBareDenial(typed) || /^(?:还|已经|已)?(?:有|没有|没|不是)$/u.test(typed));
}

/** 「不知道」 where a choice is 「还没想好」: that choice. */
function unsureChoice(choices: readonly { label: string; value: string }[], typed: string): string | null {
  if (!UNSURE.test(typed)) return null;
  const unsure = choices.filter((c) => /^(?:还没想好|没想好|不确定|不清楚|不知道)/u.test(normalize(c.label)));
  return unsure.length === 1 ? unsure[0]!.value : null;
}

/** 「不知道」「还没想好」: the citizen cannot answer the question yet (the dialogue says that is all right). */
export const UNSURE = /^(?:我|我也|也|还)?(?:不知道|不清楚|不确定|不晓得|没想好|还没想好|没想过|说不准|不好说|不太清楚|不太确定|搞不清|唔知|唔清楚)(?:啊|呀|哦|呢|诶|耶)?$/u;

/** Characters that say how something is said, not what: a pair with one of them names no choice. */
const FUNCTION_CHARS = new Set([...'我你他她它们是的了在有要和就都也还吗呢吧啊呀哦这那个些么什怎哪不没以上比如只或并已由来去一把被给对让从到自己']);

/**
 * The one choice whose label has a pair of characters the typed sentence says (「我是辞职了」 for
 * 「以上都不是（比如只是辞职、换工作）」), not denied (negation.ts); null when none or several do.
 */
function choiceNamed(choices: readonly { label: string; value: string }[], text: string): string | null {
  const said = normalize(text);
  const pairs = new Set<string>();
  const chars = [...said];
  for (let i = 1; i < chars.length; i++) {
    const pair = `${chars[i - 1]}${chars[i]}`;
    if (/^\p{Script=Han}{2}$/u.test(pair) && !FUNCTION_CHARS.has(chars[i - 1]!) && !FUNCTION_CHARS.has(chars[i]!)) pairs.add(pair);
  }
  const named = choices.filter((c) => {
    const label = normalize(c.label);
    return [...pairs].some((p) => label.includes(p) && readingsOf(text, p).every((r) => r === 'said'));
  });
  return named.length === 1 ? named[0]!.value : null;
}

/**
 * Records an answer and moves on. `text`: the typed answer, when it was typed — what else it tells
 * later questions is kept as well (「个体户，不卖烟」 answers 经营主体 and, later, 卖香烟).
 */
export function answerFlow(flow: Flow, state: FlowState, value: Value, ctx: FlowContext, text?: string): FlowOutcome {
  const step = flow.steps[state.at!] as AskStep;
  const kept = text !== undefined ? keepTold(flow, state, text, step.slot).state : state;
  const next: FlowState = { ...kept, slots: { ...kept.slots, [step.slot]: value }, asked: [...state.asked, state.at!] };
  const to = nextAfter(step, value);
  return to ? advance(flow, next, to, ctx) : fail(next, [], `${flow.id} › ${state.at}: no next step`);
}

/** 「上一步」: forget the last answer the citizen gave and ask it again. */
export function backFlow(flow: Flow, state: FlowState, ctx: FlowContext): FlowOutcome {
  const last = state.asked.at(-1);
  if (!last) return advance(flow, { ...state, slots: {}, asked: [], prefilled: [] }, flow.start, ctx);
  const step = flow.steps[last] as AskStep;
  const slots = { ...state.slots };
  delete slots[step.slot];
  // Answers given after this question depend on it; they are asked again too.
  const keep = state.asked.slice(0, -1);
  for (const later of Object.keys(slots)) {
    const owner = Object.entries(flow.steps).find(([, s]) => 'ask' in s && s.slot === later)?.[0];
    if (owner && !keep.includes(owner) && !state.prefilled.includes(later)) delete slots[later];
  }
  return advance(flow, { ...state, slots, asked: keep }, last, ctx);
}

/** 「重新开始」: every answer forgotten, including what the first message said. */
export function restartFlow(flow: Flow, state: FlowState, ctx: FlowContext): FlowOutcome {
  return advance(flow, { ...state, slots: {}, asked: [], prefilled: [] }, flow.start, ctx);
}
