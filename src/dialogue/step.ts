/**
 * The dialogue core: `step(state, input, ctx) → {state, replies, events, match}`.
 * Channel-independent and pure: state is plain JSON, the engine is passed in, time comes in ctx.
 */
import type { Choice, Match, Mode, Reply, UserInput } from '../core/types.js';
import { typedPosition } from '../core/typed-position.js';
import { FEATURES } from '../knowledge/answer-gate.js';
import { askWhich } from '../knowledge/ask-which.js';
import type { Engine } from '../knowledge/engine.js';
import { ANSWER_THRESHOLD, related } from '../knowledge/search-index.js';
import type { Entry } from '../knowledge/schema.js';
import type { AppealKind } from '../nlp/appeal.js';
import { readRefusedAppeal } from './appeal-reading.js';
import type { Aspect } from '../nlp/aspects.js';
import { ASPECTS } from '../nlp/aspects.js';
import { normalize } from '../nlp/normalize.js';
import { asksForPersonInWords, asksToLookUp, needsHelp, type HelpNeed } from '../nlp/needs-help.js';
import { readingsOf } from './negation.js';
import type { Checklist } from '../knowledge/compute-checklist.js';
import { CAUTION, cardToText, composeAnswer } from './compose-answer.js';
import { centreQuestion, type CentreAsk } from './centre-question.js';
import { asksAboutProxy, bundleProxyLead, proxyLead, readProxy } from './proxy-question.js';
import { SELDOM_IN_GUIDES, PLACE_WORDS, WHO_WORDS, isLightToken } from './follow-up-words.js';
import {
  FLOW_CHOICE,
  advance,
  isBareReply,
  UNSURE,
  answerFlow,
  backFlow,
  pendingAnswerType,
  readAnswer,
  noteSituation,
  prefill,
  restartFlow,
  startFlow,
  type FlowOutcome,
  type FlowState,
} from './flow-engine.js';
import type { Flow } from './parse-flows.js';

export interface ConversationState {
  mode: Mode;
  /** The entry under discussion, so 「那要多少钱？」 is about it. */
  currentEntryId: string | null;
  lastAspect: Aspect | null;
  /** Questions in a row the bot could not answer. */
  failures: number;
  /** Buttons on offer; a citizen may also type their label. */
  pendingChoices: Choice[];
  turns: number;
  /** The walkthrough under way or last finished (kept so 「上一步」 works after the checklist). */
  flow?: FlowState | null;
  /** Set by the handoff dialogue (handoff-dialogue.ts) while it waits for a call-back number. */
  awaiting?: 'callback_phone' | null;
}

export type DialogueEvent =
  | { type: 'answered'; entryId: string; aspect: Aspect; score: number; followUp: boolean }
  /** `about`: the matter under discussion, whose guide does not say what a follow-up asks. */
  | { type: 'unanswered'; text: string; nearest: { id: string; score: number }[]; about?: string }
  | { type: 'clarification_asked'; candidates: string[] }
  /** 您是不是想问: the nearest entries offered as buttons (recorded for the editors). */
  | { type: 'suggested'; text: string; candidates: string[]; probability: number }
  | { type: 'suggestion_chosen'; entryId: string }
  /** A complaint, report, suggestion or thanks (诉求): pointed to 12345 or a person, not answered. */
  | { type: 'appeal'; kind: AppealKind }
  | { type: 'handoff_requested'; reason: 'asked' | 'repeated_failure' | 'complaint' }
  | { type: 'smalltalk'; intent: 'greeting' | 'thanks' | 'goodbye' | 'help' | 'ack' }
  /** A question about the service centre itself (its hours, address, phone), answered from the settings. */
  | { type: 'centre_info'; asked: CentreAsk[] }
  /** The citizen cannot use the chat, does not follow it, or says it failed them: a person offered (nlp/needs-help.ts). */
  | { type: 'help_offered'; need: HelpNeed }
  | { type: 'flow_started'; flowId: string; prefilled: string[] }
  | { type: 'flow_answered'; flowId: string; step: string }
  | { type: 'checklist_created'; checklist: Checklist }
  | { type: 'flow_error'; flowId: string; error: string };

export interface StepResult {
  state: ConversationState;
  replies: Reply[];
  events: DialogueEvent[];
  match: Match | null;
}

export interface StepContext {
  engine: Engine;
  /** Walkthroughs, validated (flows/*.yaml). */
  flows?: readonly Flow[];
  now?: () => Date;
  /** Ids for checklists; random in production, predictable in tests. */
  newId?: () => string;
  /**
   * Whether a person can be asked online (a handoff desk runs). Then a request for a person ends
   * the turn with the `handoff_requested` event and no word of its own on the matter: the desk
   * answers (queue, office hours, call-back). Without one the reply gives the hotline and the centre.
   */
  onlineHandoff?: boolean;
}

export const initialState = (): ConversationState => ({
  mode: 'bot',
  currentEntryId: null,
  lastAspect: null,
  failures: 0,
  pendingChoices: [],
  turns: 0,
  flow: null,
});

/** Button values understood by the core. */
export const CHOICE = {
  handoff: 'handoff',
  help: 'help',
  none: 'none',
  entry: (id: string) => `entry:${id}`,
  /** An entry picked from the 您是不是想问 buttons. */
  suggested: (id: string) => `suggest:${id}`,
  aspect: (a: Aspect) => `aspect:${a}`,
} as const;

/** Asking for a person, wherever it stands in the message: 「帮我转人工」. */
const HANDOFF_PHRASES = ['转人工', '转接人工', '人工客服', '人工服务', '人工坐席', '找人工', '要人工', '接人工', '真人客服', '找真人', '转真人'];
/**
 * Words that ask for a person only when they are (nearly) the whole message: 「工作人员」 is a
 * request, 「需要工作人员上门核查吗」 and 「人工授精生的孩子怎么上户口」 are questions.
 */
const HANDOFF_WORDS = ['人工', '真人', '工作人员', '客服', '坐席', '人'];
/** What may stand around a handoff word in a plain request: 「我要找工作人员」「请帮我接客服」. */
const REQUEST_FILLER = /[我要想请帮找转接给叫联系麻烦你能可以让一个位下吗呢吧啊呀的了在不有没]/g;

/** Does the citizen ask for a person (rather than ask a question that mentions one)? */
export function asksForPerson(norm: string): boolean {
  if (norm.length <= 20 && HANDOFF_PHRASES.some((w) => norm.includes(w))) return true;
  for (const w of HANDOFF_WORDS) {
    if (w.length < 2 && norm !== w) continue;
    if (!norm.includes(w)) continue;
    const rest = norm.split(w).join('').replace(REQUEST_FILLER, '');
    if (rest.length === 0) return true;
  }
  return false;
}

const GREETINGS = ['你好', '您好', '在吗', '在不在', '哈喽', 'hello', 'hi', '嗨', '早上好', '下午好', '晚上好', '有人吗'];
const THANKS = ['谢谢', '多谢', '感谢', '谢了', '好的谢谢', 'thanks', 'thank you', '辛苦了', '唔该', '唔该晒', '多谢晒'];
const GOODBYES = ['再见', '拜拜', 'bye', '没有了', '没事了'];
/** 「好的」「嗯」「知道了」 after an answer: nothing asked, nothing to refuse. Matched whole (「好贵」 and 「行不行」 are not these). */
const ACKS = ['好', '嗯', '嗯嗯', '好滴', '知道', '明白', '懂', '清楚', '收到', '了解', '行', 'ok', 'okay'];
/**
 * 「你好，我想咨询一下」「我想问个问题」「喂」「？」: a question announced, not yet asked. Greeted and asked
 * what it is, rather than refused — which would count as a failure and offer a person too soon.
 */
const PREAMBLE = /^(?:你好|您好|喂|哈喽|hello|hi)*(?:我|我们|想|要|请|麻烦|麻烦你|那个|打扰)*(?:问|咨询|请教)?(?:一下|个问题|一个问题|个事|件事)?$/u;
/** A short message without its particles and punctuation, for matching courtesies and preambles whole. */
const bare = (norm: string): string => norm.replace(/[啊呀吧呢哦噢嘛哈的了,.!?，。！？、~～…\s]/gu, '');
const isPreamble = (norm: string): boolean => PREAMBLE.test(bare(norm));

/** 「没问题了」「就这样」: nothing more to ask. */
const CLOSINGS = ['没问题', '没有问题', '没别的', '没有别的', '就这样', '没什么了', '没其他的'];
const COURTESY_CHARS = new Set([...ACKS, ...THANKS, ...GOODBYES, ...CLOSINGS].flatMap((w) => [...w]));

/**
 * 「好的」 → ack; 「知道了，谢谢」 and 「好的，没问题了，谢谢」 → thanks: every clause an acknowledgement, a
 * thanks, a goodbye or a closing. Anything that asks or says more → null.
 */
function courtesy(text: string, norm: string): 'ack' | 'thanks' | null {
  const t = bare(norm);
  if (ACKS.includes(t)) return 'ack';
  if (ACKS.some((a) => t.startsWith(a) && THANKS.includes(t.slice(a.length)))) return 'thanks';
  // Clauses of the message as typed (normalising drops the punctuation between them) — only for a
  // message made of courtesy characters: every question is asked this, and most stop here.
  if (![...t].every((c) => COURTESY_CHARS.has(c))) return null;
  const clauses = text.split(/[,.!?，。！？、;；~～…\s]+/u).map((c) => bare(normalize(c))).filter((c) => c.length > 0);
  if (clauses.length < 2) return null;
  const kinds = clauses.map((c) => (THANKS.includes(c) ? 'thanks' : ACKS.includes(c) || GOODBYES.includes(c) || CLOSINGS.includes(c) ? 'ack' : null));
  if (kinds.some((k) => k === null)) return null;
  return kinds.includes('thanks') ? 'thanks' : 'ack';
}

const HELP = ['帮助', '菜单', '你能做什么', '你会什么', '能问什么', '可以问什么', '能问啥', '可以问啥', '功能', '能做什么', '会做什么', '能干什么', '怎么用', '使用说明'];

/** Is the whole message (give or take politeness) one of these phrases? */
function isOnly(text: string, phrases: string[]): boolean {
  const t = text.replace(/[啊呀吧呢哦嘛哈的了 ]/g, '');
  return t.length > 0 && t.length <= 8 && phrases.some((p) => t === p || (t.startsWith(p) && t.length - p.length <= 2));
}

/** At most this many related matters get a button of their own under an FAQ or policy answer. */
const RELATED_BUTTONS = 4;
/** Entries offered when a follow-up names something the entry under discussion does not: it and the nearest others. */
const SUGGESTIONS_WITH_CURRENT = 3;

/**
 * A short question read in the context of the matter under discussion (questionTurn): at most
 * `maxChars` characters; answered about that matter when the gate's probability for the question
 * with the matter's title before it is at least `minProbability`, and the question alone is not
 * nearer than `maxOutside` to a labelled question about nothing covered. Chosen on the fit
 * follow-ups and topic changes of eval/follow-ups.yaml (docs/retrieval.md › Follow-ups read in context).
 */
const IN_CONTEXT = { maxChars: 25, minProbability: 0.5, maxOutside: 0.3 } as const;
/** The gate feature: the nearest labelled question about nothing covered. */
const EXAMPLE_OUTSIDE = FEATURES.indexOf('exampleOutside');

const NEXT_STEPS = (entry: Entry, flow?: Flow, titleOf: (id: string) => string | undefined = () => undefined): Choice[] => {
  if (flow) {
    return [
      { label: '帮我列材料清单', value: FLOW_CHOICE.start(flow.id) },
      { label: '办理流程', value: CHOICE.aspect('steps') },
      { label: '转人工', value: CHOICE.handoff },
    ];
  }
  if (entry.kind === 'faq' || entry.kind === 'policy') {
    // One related matter: 查看相关事项. Several (e.g. which pension scheme): one button each, by title,
    // so the citizen picks the one that applies instead of being sent to the first.
    const related = entry.related.filter((id) => titleOf(id) !== undefined || entry.related.length === 1).slice(0, RELATED_BUTTONS);
    const buttons = related.length > 1 ? related.map((id) => ({ label: `查看：${titleOf(id)}`, value: CHOICE.entry(id) })) : related.map((id) => ({ label: '查看相关事项', value: CHOICE.entry(id) }));
    return [...buttons, { label: '转人工', value: CHOICE.handoff }];
  }
  return [
    { label: '材料清单', value: CHOICE.aspect('materials') },
    { label: '办理流程', value: CHOICE.aspect('steps') },
    { label: '转人工', value: CHOICE.handoff },
  ];
};

const toMatch = (entry: Entry, score: number): Match => ({ id: entry.id, title: entry.title, kind: entry.kind, score });

/** The button at a typed place (「2」, 「第二个」) — unless the walkthrough's pending question takes a number or text (「2」 is then the answer). */
function byPosition(state: ConversationState, typed: string, ctx: StepContext): Choice | undefined {
  const n = typedPosition(typed);
  if (n === null || n < 1 || state.pendingChoices.length === 0) return undefined;
  const active = activeFlow(state, ctx);
  const answerType = active && state.flow ? pendingAnswerType(active, state.flow) : null;
  if (answerType === 'number' || answerType === 'text') return undefined;
  return state.pendingChoices[n - 1];
}

export function step(previous: ConversationState, input: UserInput, ctx: StepContext): StepResult {
  const state: ConversationState = { ...previous, flow: previous.flow ?? null, turns: previous.turns + 1 };

  // A pressed button, or a typed label of one on offer.
  let choice = 'choice' in input ? input.choice : null;
  const text = 'text' in input ? input.text : '';
  if (choice === null) {
    const typed = normalize(text);
    const hit = state.pendingChoices.find((c) => normalize(c.label) === typed) ?? byPosition(state, typed, ctx);
    if (hit) choice = hit.value;
  }
  if (choice !== null && choice.startsWith('flow:')) return onFlowChoice(state, choice, ctx);
  if (choice !== null) return onChoice(state, choice, ctx);

  // Inside a walkthrough: an answer to the question asked, a navigation word, or a side question.
  const active = activeFlow(state, ctx);
  if (active && state.flow?.at) {
    const value = readAnswer(active, state.flow, { text });
    if (value !== null) {
      const step = state.flow.at;
      return flowResult(state, active, answerFlow(active, state.flow, value, flowCtx(ctx), text), ctx, [
        { type: 'flow_answered', flowId: active.id, step },
      ]);
    }
    const nav = normalize(text);
    if (['上一步', '返回', '改一下', '改答案'].includes(nav)) return onFlowChoice(state, FLOW_CHOICE.back, ctx);
    if (['重新开始', '重来', '从头开始'].includes(nav)) return onFlowChoice(state, FLOW_CHOICE.restart, ctx);
    if (['退出', '不办了', '退出引导', '结束'].includes(nav)) return onFlowChoice(state, FLOW_CHOICE.exit, ctx);
    // 「不知道」: all right — a person can help decide, and 上一步 changes an answer later.
    if (UNSURE.test(nav)) {
      const again = restate(active, state, ctx);
      return { state: { ...state, mode: 'flow' }, replies: [{ type: 'text', text: '没关系。拿不准的话，可以打「转人工」请工作人员帮您判断；也可以先选最可能的一项，之后点「上一步」还能改。' }, ...again], events: [], match: null };
    }
    // Not an answer to this question, but to later ones (「不卖烟」 while asked 个体户还是公司): kept.
    const noted = noteSituation(active, state.flow, text, flowCtx(ctx));
    if (noted) return flowResult(state, active, noted, ctx, []);
    // 「还没有」 to a question whose two choices both start so: asked again, not taken for a side question.
    if (isBareReply(text)) {
      const again = restate(active, state, ctx);
      return { state: { ...state, mode: 'flow' }, replies: [{ type: 'text', text: '请从下面选一项，直接点按钮就行：' }, ...again], events: [], match: null };
    }
    // A side question: answer it, then come back to the question that was asked — unless it went
    // to the handoff desk, which answers instead.
    const side = questionTurn(state, text, ctx, false);
    if (ctx.onlineHandoff && side.events.some((e) => e.type === 'handoff_requested')) return { ...side, state: { ...side.state, mode: 'flow' } };
    const again = restate(active, side.state, ctx);
    // The step's own buttons follow, so the side answer's are dropped — but a 您是不是想问 is said in words.
    const sideReplies = side.replies.flatMap((r): Reply[] => (r.type !== 'choices' ? [r] : r.kind === 'suggest' ? [suggestionInWords(r.choices)] : []));
    return { ...side, state: { ...side.state, mode: 'flow' }, replies: [...sideReplies, ...again] };
  }
  return questionTurn(state, text, ctx, true);
}

/** 您是不是想问 without its buttons, for a side question in a walkthrough: the step's buttons come next. */
function suggestionInWords(choices: readonly Choice[]): Reply {
  const titles = choices.filter((c) => c.value.startsWith('suggest:')).map((c) => `「${c.label}」`);
  return { type: 'text', text: `我不太确定您问的是哪一项${titles.length > 0 ? `，可能是${titles.join('、')}` : ''}。先回答下面这一步，之后可以直接问那一项。` };
}

/** A question outside any walkthrough step (or a side question inside one). */
function questionTurn(state: ConversationState, text: string, ctx: StepContext, mayStartFlow: boolean): StepResult {
  const { engine } = ctx;
  const norm = normalize(text);
  if (asksForPerson(norm)) return handoff(state, 'asked', ctx);
  if (isOnly(norm, GREETINGS) || isPreamble(norm)) return smalltalk(state, 'greeting', ctx);
  if (isOnly(norm, THANKS)) return smalltalk(state, 'thanks', ctx);
  if (isOnly(norm, GOODBYES)) return smalltalk(state, 'goodbye', ctx);
  const courteous = courtesy(text, norm);
  if (courteous) return smalltalk(state, courteous, ctx);
  // 「我能问什么」 does what the button of that name does.
  if (isOnly(norm.replace(/^(请问|我们|我)+/, ''), HELP)) return smalltalk(state, 'help', ctx);

  const result = engine.search(text, 3);
  const aspect = engine.aspects.detect(result.analyzed.tokens);
  if (result.appeal) return appeal(state, result.appeal, ctx);
  // Asked to look up the citizen's own records or progress (「帮我查下社保交了几年」): where to look
  // them up — no guide holds them, whatever words one shares with the message.
  if (asksToLookUp(norm) || asksToLookUp(result.analyzed.original)) return helpOffered(state, 'lookup', ctx);

  // A short statement of the citizen's situation after a 一件事 that has a walkthrough (「不卖烟」
  // 「只卖零食饮料」): the walkthrough reads it — denials included — and goes on from there, rather
  // than answering the one item its words name, which may be the very item just said not to apply.
  const bundle = state.currentEntryId ? engine.entry(state.currentEntryId) : undefined;
  if (mayStartFlow && bundle?.kind === 'bundle' && [...norm].length <= SITUATION_MAX_CHARS && !asks(text, norm)) {
    const flow = flowFor(bundle.id, ctx);
    if (flow && prefill(flow, text).filled.length > 0) return beginFlow(state, flow, text, bundle, 1, ctx);
  }

  if (result.answerable && result.ambiguous) {
    const candidates = result.ambiguous;
    const choices = [
      ...candidates.map((c) => ({ label: c.entry.title, value: CHOICE.entry(c.entry.id) })),
      { label: '都不是', value: CHOICE.none },
    ];
    state.pendingChoices = choices;
    state.lastAspect = aspect;
    return {
      state,
      replies: [{ type: 'choices', text: '您问的是下面哪一项？请点选：', choices }],
      events: [{ type: 'clarification_asked', candidates: candidates.map((c) => c.entry.id) }],
      match: null,
    };
  }

  const ranked = result.results[0];
  // An answer the gate gives on the words alone (the question names no entry: score 0) about another
  // matter than the one under discussion, to a short question all of whose nouns that matter
  // explains, is taken as a follow-up about it: 「要户口本吗」 after 义务教育入学 asks about school,
  // not the FAQ on marriage and the household register.
  const current = state.currentEntryId ? engine.entry(state.currentEntryId) : undefined;
  const informative = result.analyzed.content.length;
  // Whether the matter under discussion explains every noun of the question: asked by up to three
  // of the checks below, worked out (a segmentation and a tagging) at most once.
  let currentExplains: boolean | undefined;
  const explainedByCurrent = (): boolean => (currentExplains ??= current !== undefined && engine.unexplained(current.id, text).length === 0);
  // 「要带结婚证吗」「户口本要带原件吗」 after 出生登记: whether to bring a material the matter under
  // discussion lists — its materials — not the matter of applying for that certificate (结婚登记).
  if (current && bringsListedMaterial(current, norm, result.analyzed.content, ctx)) {
    return answer(state, matterOf(current, engine), 'materials', 1, true, ctx);
  }
  // 「没有身份证可以吗」 after 出生登记: whether it can be done without a listed material — its
  // materials, and that the guide does not say what happens without one (no guess).
  if (current && lacksListedMaterial(current, text, norm, result.analyzed.original, result.analyzed.content, ctx)) {
    return withoutListedMaterial(state, matterOf(current, engine), ctx);
  }
  // 「可以代办吗」「能让我老婆去办吗」「一定要本人去吗」 about an item the question names or under
  // discussion: what the item's data says of doing it for someone else (proxy-question.ts).
  if (asksAboutProxy(norm)) {
    const named = result.answerable && ranked && ranked.score > 0 && !result.ambiguous ? ranked.entry : undefined;
    const target = named ?? (current && informative <= 3 ? matterOf(current, engine) : undefined);
    if (target?.kind === 'item') return proxyAnswered(state, target, named === undefined, named ? ranked!.score : 1, ctx);
    if (target?.kind === 'bundle') return proxyBundleAnswered(state, target, named === undefined, named ? ranked!.score : 1, ctx);
    // No matter named or under discussion: which one? (Whether it may be done for someone differs by matter.)
    // A 诉求 that mentions 代办 (「建议允许家属代办…」) is read as one below.
    if (!target && !current && !result.answerable && asks(text, norm) && !readRefusedAppeal(text)) return proxyWhich(state);
  }
  if (
    result.answerable &&
    ranked &&
    ranked.score === 0 &&
    current &&
    !sameMatter(current, ranked.entry, engine) &&
    informative <= 2 &&
    explainedByCurrent()
  ) {
    return answer(state, current, aspect, 1, true, ctx);
  }
  // The same for a short question in nothing but words of going to do it, or of who may
  // (「智桂通上能搞吗」 after 社保卡 is not the FAQ on school enrolment online): the matter under
  // discussion's section, or that its guide does not say. (「3岁以下的孩子每年补贴多少钱」 says more: 育儿补贴.)
  if (result.answerable && ranked && ranked.score === 0 && current && !sameMatter(current, ranked.entry, engine)) {
    const atCounter = counterFollowUp(state, text, norm, result, current, ctx, true);
    if (atCounter) return atCounter;
  }
  // 「我不卖烟」「我们不开公司」: the citizen says they will not do what the entry is for. Answering it
  // would present the very licence they have just said they do not need.
  if (result.answerable && ranked && declines(text, norm, ranked.entry)) return declined(state, ranked.entry, ctx);
  if (result.answerable && ranked) {
    // A matter that comes in kinds the question does not name (which pension scheme?): ask which.
    const which = askWhich(engine.kb.settings.askWhich, ranked.entry.id, norm, state.currentEntryId ?? undefined);
    const chosen = which.type === 'keep' ? undefined : engine.entry(which.entryId);
    if (which.type === 'ask' && chosen) return answer(state, chosen, aspect, ranked.score, false, ctx);
    const best = chosen ? { entry: chosen, score: ranked.score } : ranked;
    const wantsList = mayStartFlow && (aspect === 'general' || aspect === 'materials');
    const flow = wantsList ? flowFor(best.entry.id, ctx) : undefined;
    if (flow) return beginFlow(state, flow, text, best.entry, best.score, ctx);
    // 「我想开个饭店，要办什么证」 is asked almost as an FAQ is, but the question also names a matter
    // with a walkthrough that answers it for this citizen's situation: walk through it instead.
    if (wantsList && best.entry.kind === 'faq') {
      const faq = best.entry;
      const named = result.results.find((r) => r.entry.kind !== 'faq' && faq.related.includes(r.entry.id) && r.score >= ANSWER_THRESHOLD && flowFor(r.entry.id, ctx));
      const relatedFlow = named ? flowFor(named.entry.id, ctx) : undefined;
      if (named && relatedFlow) return beginFlow(state, relatedFlow, text, named.entry, named.score, ctx);
    }
    return answer(state, best.entry, aspect, best.score, false, ctx);
  }

  // No entry answers it, and it asks where the service centre is, when it is open or its phone number
  // (「政务中心几点下班」「你们在哪里」): the city's settings say, whatever matter is under discussion.
  const centreAsked = centreQuestion(norm, current === undefined);
  if (centreAsked) return centreInfo(state, centreAsked, ctx);

  // Unsure, but the first is the entry that explains a matter's kinds and the question names one
  // (「以前在工厂交过职工养老保险，现在70岁怎么领」): that kind is answered when it is among the
  // nearest — the citizen said which, and the gate only doubted between the kinds' entries.
  if (!result.answerable && result.band === 'suggest' && ranked && !result.appeal) {
    const which = askWhich(engine.kb.settings.askWhich, ranked.entry.id, norm, state.currentEntryId ?? undefined);
    const chosen = which.type === 'switch' && which.group.ask === ranked.entry.id ? engine.entry(which.entryId) : undefined;
    if (chosen && result.results.some((r) => r.entry.id === chosen.id)) return answer(state, chosen, aspect, ranked.score, false, ctx);
  }

  // A follow-up about the entry under discussion: 「那要多少钱？」
  // Answered as one only when what it names, if anything, is that entry's: 「那烟草证要多少钱」 after
  // 开小卖部. A noun the entry says nothing about may be another matter (「婚假有几天」) or still this
  // one (「户口本要带吗」): the entry is offered among the nearest, and nothing asserted.
  let offerCurrent: Entry | undefined;
  // The classifier reads 「能…吗」「可以…吗」 as a question of conditions; words of the counter say
  // better what is asked (「办好了能寄到家里吗」 asks about post, not who may apply).
  if (current && aspect === 'conditions') {
    const atCounter = counterFollowUp(state, text, norm, result, current, ctx);
    if (atCounter) return atCounter;
  }
  if (current && aspect !== 'general' && informative <= 2) {
    // After an FAQ, the follow-up asks something that one answer did not (「一年交多少」 after 「没交过养老保险
    // 还能领吗」): the matter it belongs to answers it, by the section asked for.
    const target = matterOf(current, engine);
    if (explainedByCurrent() || (target !== current && engine.unexplained(target.id, text).length === 0)) {
      return answer(state, target, aspect, 1, true, ctx);
    }
    offerCurrent = target;
  }
  // A short question that asks no aspect the classifier knows, about nothing the matter under
  // discussion leaves unexplained (「可以寄过来吗」 after 社保卡): the section of that matter that
  // mentions what it asks answers it (邮寄 is in 在哪里办). When none does, the matter is offered
  // first, and nothing asserted.
  if (current && aspect === 'general' && informative > 0 && informative <= 2 && asks(text, norm) && explainedByCurrent()) {
    const target = matterOf(current, engine);
    const section = sectionMentioning(target, result.analyzed.content, ctx);
    if (section) return answer(state, target, section, 1, true, ctx);
    offerCurrent = target;
  }
  // A short question that asks no aspect (「要登报吗」 after 企业注销) while other entries are near
  // enough to offer may still be about the matter under discussion: it is offered first among them.
  if (current && aspect === 'general' && informative <= 2 && result.band === 'suggest') offerCurrent ??= current;
  // Any other short question left unanswered, all of whose words the matter under discussion
  // explains or say nothing of their own (「本人必须到场？」, 「老人家能办吗」 after 开小卖部):
  // read in context — asked again with the matter's title before it — it is a follow-up when the gate
  // answers that matter confidently and the question alone is not worded like the labelled questions
  // about nothing covered. A word of its own (「明天几度」, 「停电一整天了」) keeps it a question of its own.
  // Nor is a citizen who does not follow the answer or wants a person (「看不懂」「找个人帮我」) asking
  // about the matter, however confidently its title and those words read together (personNeeded, below).
  if (current && !result.answerable && [...norm].length <= IN_CONTEXT.maxChars && !needsPerson(norm, result.analyzed.original)) {
    const target = matterOf(current, engine);
    if (engine.unexplainedWords(target.id, text).length === 0 && (result.features[EXAMPLE_OUTSIDE] ?? 0) <= IN_CONTEXT.maxOutside) {
      const inContext = engine.search(`${target.title} ${text}`, 3);
      const first = inContext.results[0];
      if (inContext.answerable && first && sameMatter(first.entry, target, engine) && inContext.probability >= IN_CONTEXT.minProbability) {
        const section = aspect === 'general' ? sectionMentioning(target, result.analyzed.content, ctx) : null;
        return answer(state, target, section ?? aspect, 1, true, ctx);
      }
    }
  }

  // A short second question about going to do the matter under discussion (「中午休息吗」「微信上能办不」
  // 「能加急不」「逾期会罚款吗」): its 在哪里办, the section that mentions what it asks, or — when the guide
  // says nothing of it — that it does not, rather than 「换个说法再问」 (follow-up-words.ts).
  // Only where nothing above answered: it offers or refuses instead.
  const atCounter = current ? counterFollowUp(state, text, norm, result, current, ctx) : null;
  if (atCounter) return atCounter;

  // Unsure, and the message asks for a person in other words or says the chat is no use to the
  // citizen, or reads as a 诉求 or thanks (below): no 您是不是想问 for it either.
  if (result.band === 'suggest' && !offerCurrent) {
    const person = personNeeded(state, text, norm, result.analyzed.original, ctx);
    if (person) return person;
    const unsureAppeal = readRefusedAppeal(text);
    if (unsureAppeal === 'courtesy') return smalltalk(state, 'thanks', ctx);
    if (unsureAppeal) return appeal(state, unsureAppeal, ctx);
  }
  // Unsure: offer the nearest entries and assert nothing until one is chosen.
  const nearest = result.band === 'suggest' ? result.suggestions.map((c) => c.entry) : [];
  const offered = offerCurrent ? [offerCurrent, ...nearest.filter((e) => e.id !== offerCurrent.id)].slice(0, SUGGESTIONS_WITH_CURRENT) : nearest;
  if (offered.length > 0) {
    const choices = [
      ...offered.map((e) => ({ label: e.title, value: CHOICE.suggested(e.id) })),
      { label: '都不是', value: CHOICE.none },
      { label: '转人工', value: CHOICE.handoff },
    ];
    state.pendingChoices = choices;
    state.lastAspect = aspect;
    return {
      state,
      replies: [{ type: 'choices', kind: 'suggest', text: '我不太确定您问的是哪一项。您是不是想问：', choices }],
      events: [{ type: 'suggested', text, candidates: offered.map((e) => e.id), probability: result.probability }],
      match: null,
    };
  }

  // Nothing to answer or offer: a message that describes a problem, asks for someone to act, thanks
  // or suggests is a 诉求 after all (nlp/appeal.ts › appealWhenRefused), pointed where it belongs
  // rather than asked to be said another way.
  const person = personNeeded(state, text, norm, result.analyzed.original, ctx);
  if (person) return person;
  const refusedAppeal = readRefusedAppeal(text);
  if (refusedAppeal === 'courtesy') return smalltalk(state, 'thanks', ctx);
  if (refusedAppeal) return appeal(state, refusedAppeal, ctx);
  return noAnswer(state, text, result.results.map((r) => ({ id: r.entry.id, score: r.score })), ctx);
}

/** The item's answer to 「可以代办吗」: what its data says first, then its materials (or steps, when it must be done in person). */
function proxyAnswered(state: ConversationState, item: Extract<Entry, { kind: 'item' }>, followUp: boolean, score: number, ctx: StepContext): StepResult {
  const { hotline } = ctx.engine.kb.settings;
  const reading = readProxy(item);
  const aspect: Aspect = reading.proxyMaterials.length === 0 && reading.inPerson.length > 0 ? 'steps' : 'materials';
  const out = answer(state, item, aspect, score, followUp, ctx);
  return { ...out, replies: [{ type: 'text', text: proxyLead(item, reading, `${hotline.name} ${hotline.number}`) }, ...out.replies] };
}

/** The same for a 一件事: a line for each of its items, then the bundle's materials. */
function proxyBundleAnswered(state: ConversationState, bundle: Extract<Entry, { kind: 'bundle' }>, followUp: boolean, score: number, ctx: StepContext): StepResult {
  const { hotline } = ctx.engine.kb.settings;
  const items = bundle.items.map((id) => ctx.engine.entry(id)).filter((e): e is Extract<Entry, { kind: 'item' }> => e?.kind === 'item');
  const out = answer(state, bundle, 'materials', score, followUp, ctx);
  return { ...out, replies: [{ type: 'text', text: bundleProxyLead(bundle, items, `${hotline.name} ${hotline.number}`) }, ...out.replies] };
}

/** 「可以代办吗」 with no matter named or under discussion: ask which, asserting nothing. */
function proxyWhich(state: ConversationState): StepResult {
  const choices: Choice[] = [{ label: '我能问什么', value: CHOICE.help }];
  state.pendingChoices = choices;
  return {
    state,
    replies: [
      { type: 'text', text: '能不能请别人代办、要不要本人到场，每个事项不一样。请告诉我是办什么事，比如「社保卡可以代办吗」「离婚一定要本人去吗」。' },
      { type: 'choices', text: '或者：', choices },
    ],
    events: [{ type: 'clarification_asked', candidates: [] }],
    match: null,
  };
}

function answer(
  state: ConversationState,
  entry: Entry,
  aspect: Aspect,
  score: number,
  followUp: boolean,
  ctx: StepContext,
): StepResult {
  const card = composeAnswer(entry, aspect, { entry: ctx.engine.entry, settings: ctx.engine.kb.settings });
  const choices = NEXT_STEPS(entry, flowFor(entry.id, ctx), (id) => ctx.engine.entry(id)?.title).filter((c) => c.value !== CHOICE.aspect(aspect));
  state.currentEntryId = entry.id;
  state.lastAspect = aspect;
  state.failures = 0;
  state.pendingChoices = choices;
  return {
    state,
    replies: [
      { type: 'text', text: cardToText(card), card },
      { type: 'choices', text: '您还可以：', choices },
    ],
    events: [{ type: 'answered', entryId: entry.id, aspect, score, followUp }],
    match: toMatch(entry, score),
  };
}

/**
 * Without a material the matter lists: the list (whose notes may say what to bring instead: 非婚生育的
 * 提交非婚生育说明), after a word that what the guide does not say the counter decides
 * (以窗口最新告知为准), and that a person can be asked.
 */
function withoutListedMaterial(state: ConversationState, entry: Entry, ctx: StepContext): StepResult {
  const listed = answer(state, entry, 'materials', 1, true, ctx);
  const lead: Reply = {
    type: 'text',
    text: `「${entry.title}」要准备的材料如下，请看您问的那一样后面的说明。指南没有写到的——缺了它能不能办、可以用什么代替——以窗口最新告知为准，也可以转人工问工作人员。`,
  };
  return { ...listed, replies: [lead, ...listed.replies] };
}

function onChoice(state: ConversationState, value: string, ctx: StepContext): StepResult {
  if (value === CHOICE.handoff) return handoff(state, 'asked', ctx);
  if (value === CHOICE.help) return smalltalk(state, 'help', ctx);
  if (value === CHOICE.none) {
    state.pendingChoices = [];
    return {
      state,
      replies: [{ type: 'text', text: '好的，请换个说法再描述一下您要办的事，比如「开小卖部要办什么证」「新生儿怎么上户口」。' }],
      events: [],
      match: null,
    };
  }
  if (value.startsWith('suggest:')) {
    const id = value.slice('suggest:'.length);
    const chosen = onChoice(state, CHOICE.entry(id), ctx);
    return chosen.match ? { ...chosen, events: [{ type: 'suggestion_chosen', entryId: id }, ...chosen.events] } : chosen;
  }
  if (value.startsWith('entry:')) {
    const entry = ctx.engine.entry(value.slice('entry:'.length));
    const aspect = state.lastAspect ?? 'general';
    const flow = aspect === 'general' || aspect === 'materials' ? flowFor(entry?.id ?? '', ctx) : undefined;
    if (entry && flow) return beginFlow(state, flow, '', entry, 1, ctx);
    if (entry) return answer(state, entry, aspect, 1, false, ctx);
  }
  if (value.startsWith('aspect:')) {
    const aspect = value.slice('aspect:'.length) as Aspect;
    const current = state.currentEntryId ? ctx.engine.entry(state.currentEntryId) : undefined;
    if (current && (ASPECTS as readonly string[]).includes(aspect)) return answer(state, current, aspect, 1, true, ctx);
  }
  return staleChoice(state);
}

/** A stale or unknown button (an old message's, or one made up): say so rather than guess. */
function staleChoice(state: ConversationState): StepResult {
  state.pendingChoices = [];
  return { state, replies: [{ type: 'text', text: '这个选项已经失效了，请直接输入您想问的问题。' }], events: [], match: null };
}

function handoff(state: ConversationState, reason: 'asked' | 'repeated_failure' | 'complaint', ctx: StepContext): StepResult {
  const { hotline, centre } = ctx.engine.kb.settings;
  state.pendingChoices = [];
  if (ctx.onlineHandoff) return { state, replies: [], events: [{ type: 'handoff_requested', reason }], match: null };
  return {
    state,
    replies: [
      {
        type: 'handoff',
        status: 'unavailable',
        text:
          `在线人工服务暂未开通。您可以拨打${hotline.name} ${hotline.number} 咨询，` +
          `或在办公时间（${centre.hours}）到${centre.name}咨询台找工作人员。`,
      },
    ],
    events: [{ type: 'handoff_requested', reason }],
    match: null,
  };
}

/**
 * Where the service centre is, when it is open and its phone number, from the city's settings —
 * what was asked first. Values the city has not confirmed (settings.yaml › unconfirmed) carry the
 * caution. The matter under discussion stays as it was.
 */
function centreInfo(state: ConversationState, asked: CentreAsk[], ctx: StepContext): StepResult {
  const { centre, hotline, onlinePortal, unconfirmed, sources } = ctx.engine.kb.settings;
  const lines: Record<CentreAsk, string> = {
    hours: `${centre.name}办公时间：${centre.hours}。`,
    place: `${centre.name}地址：${centre.address}。`,
    phone: centre.phone ? `${centre.name}电话：${centre.phone}；也可以拨打${hotline.name} ${hotline.number}。` : `咨询电话：${hotline.name} ${hotline.number}。`,
  };
  const order = [...asked, ...(['hours', 'place', 'phone'] as const).filter((k) => !asked.includes(k))];
  const unsure = [
    ...(unconfirmed.includes('centre.address') ? ['地址'] : []),
    ...(unconfirmed.includes('centre.hours') || unconfirmed.includes('officeHours') ? ['办公时间'] : []),
    ...(unconfirmed.includes('hotline.number') || (centre.phone && unconfirmed.includes('centre.phone')) ? ['电话'] : []),
  ];
  const text = [
    ...order.map((k) => lines[k]),
    ...(centre.note ? [centre.note] : []),
    ...(onlinePortal ? [`不少事项也可以在${onlinePortal.name}网上办理。`] : []),
    ...(sources.length > 0 ? [`来源：${sources.map((s) => s.title).join('；')}`] : []),
    ...(unsure.length > 0 ? [`以上${unsure.join('、')}尚待本地确认，${CAUTION}。`] : []),
  ].join('\n');
  const choices: Choice[] = [{ label: '我能问什么', value: CHOICE.help }];
  state.pendingChoices = choices;
  return {
    state,
    replies: [
      { type: 'text', text },
      { type: 'choices', text: '您想办什么事？直接说就行，或者：', choices },
    ],
    events: [{ type: 'centre_info', asked }],
    match: null,
  };
}

/** What the bot says to a complaint, a report, a suggestion or thanks: where it belongs. */
function appeal(state: ConversationState, kind: AppealKind, ctx: StepContext): StepResult {
  const { hotline } = ctx.engine.kb.settings;
  const lead = {
    complaint: '您反映的是投诉或求助类诉求，我这里只能解答办事指南，没法受理或处理投诉。',
    report: '您反映的是举报类诉求，我这里只能解答办事指南，没法受理举报。',
    suggestion: '谢谢您的建议！我这里只能解答办事指南，没法登记建议。',
    thanks: '谢谢您的肯定，我们会转达给相关的同事！',
  }[kind];
  const where =
    kind === 'thanks'
      ? `如需表扬或致谢，也可以拨打${hotline.name} ${hotline.number}。`
      : `请拨打${hotline.name} ${hotline.number} 反映，由相关部门受理并答复；也可以转人工咨询。`;
  return pointedToPerson(state, `${lead}${where}`, { type: 'appeal', kind });
}

/** A text that points the citizen to a person or the hotline, with 转人工 and 我能问什么 as buttons. */
function pointedToPerson(state: ConversationState, text: string, event: DialogueEvent): StepResult {
  const choices: Choice[] = [
    { label: '转人工', value: CHOICE.handoff },
    { label: '我能问什么', value: CHOICE.help },
  ];
  state.pendingChoices = choices;
  return {
    state,
    replies: [
      { type: 'text', text },
      { type: 'choices', text: '您可以：', choices },
    ],
    events: [event],
    match: null,
  };
}

/** Bring, or bring a copy of: 「要带…吗」「…要复印吗」「…带原件还是复印件」. */
const BRING = /带|复印|原件/u;
/** Applying for, renewing or replacing something: 「办身份证要带什么」 is about the ID card's own matter. */
const APPLY = /办|申请|申领|领|补|换|开|注销|挂失/u;
/** What to bring, asked about a thing (「出生医学证明要带什么」): that thing's own matter. */
const WHAT = /什么|啥|哪些|哪几样|咩|乜/u;
/** Without it: 「没有身份证可以吗」「结婚证丢了还能办吗」「户口本冇带得唔得」. */
const LACKS = /没有|没带|冇|丢了|丢失|弄丢|不见了|找不到|忘带|忘记带|忘了带|不在身边/u;
/** Replacing it, or asking what to do: the thing's own matter (「身份证丢了怎么补」「结婚证丢了怎么办」). */
const REPLACE = /补|换|挂失|申请|申领|怎么办|咋办|点算|点办|去哪|哪里|在哪/u;

/**
 * Does a short message ask whether to bring something that the matter under discussion lists among
 * its materials (「要带身分证吗」 after 社保卡, 「出生证明要带原件吗」 after 出生登记)? Every informative
 * word must be in that list (a name of three characters or more also with up to three between its
 * first two and its last: 出生证明, 《出生医学证明》) — or be a variant of one there by a character (身分证 / 身份证, 户口本 /
 * 户口簿: the lexicon adds the usual form beside the typed one). A message that asks to apply for
 * the thing (办, 申请, 补 …) or what to bring for it (「出生医学证明要带什么」) is that thing's matter's.
 */
function bringsListedMaterial(current: Entry, norm: string, content: readonly string[], ctx: StepContext): boolean {
  if ([...norm].length > 20 || !BRING.test(norm) || APPLY.test(norm) || WHAT.test(norm)) return false;
  return namesListedMaterial(current, content, ctx);
}

/**
 * Does a short question ask whether the matter under discussion can be done without something its
 * materials list (「没有身份证可以吗」「结婚证丢了还能上户口吗」 after 出生登记)? Then it is about that
 * matter, not about applying for the thing. One that asks to replace the thing (补, 挂失, 怎么办 …) is
 * the thing's own matter's.
 */
function lacksListedMaterial(current: Entry, text: string, norm: string, mandarin: string, content: readonly string[], ctx: StepContext): boolean {
  // As typed, and with Cantonese rewritten (冇 → 没有, 得唔得 → 得不得).
  const said = (re: RegExp) => re.test(norm) || re.test(mandarin);
  if ([...norm].length > 20 || !said(LACKS) || said(REPLACE) || said(WHAT) || !(asks(text, norm) || asks(text, mandarin) || said(/(.)不\1|不$/u))) return false;
  // 「身份证丢了」 is one word; 「行不行」 asks, it names nothing.
  const named = content.map((w) => w.replace(LACKS, '')).filter((w) => w !== '' && !/^不?(?:行|得|成)$/u.test(w));
  return namesListedMaterial(current, named, ctx);
}

/** Whether every informative word names something the materials of the matter under discussion list (see bringsListedMaterial). */
function namesListedMaterial(current: Entry, content: readonly string[], ctx: StepContext): boolean {
  const target = matterOf(current, ctx.engine);
  if (target.kind !== 'item' && target.kind !== 'bundle') return false;
  const words = [...new Set(content.filter((w) => !isLightToken(w) && !SELDOM_IN_GUIDES.has(w)))];
  if (words.length === 0) return false;
  const listed = sectionText(target, 'materials', ctx);
  // As listed, or with words between (出生证明 for 《出生医学证明》).
  const inListed = (w: string) => {
    const c = [...w];
    return listed.includes(w) || (c.length >= 3 && new RegExp(`${c[0]}${c[1]}[^，。；、\n]{0,3}${c[c.length - 1]}`, 'u').test(listed));
  };
  const inList = words.filter(inListed);
  const oneCharApart = (a: string, b: string) => a.length === b.length && [...a].filter((c, i) => c !== b[i]).length === 1;
  // The matter's own name besides (「结婚证丢了还能上户口吗」 after 出生登记, one of whose names is 上户口).
  const ownName = (w: string) => [...w].length >= 2 && [target.title, ...target.aliases].some((n) => n.includes(w));
  return inList.length > 0 && words.every((w) => inList.includes(w) || inList.some((m) => oneCharApart(w, m)) || ownName(w));
}

/** A certificate, licence, register, card or attestation by its name's end: 结婚证, 营业执照, 户口本, 社保卡, 户籍证明. */
const CREDENTIAL = /(?:[证照本卡簿]|证明)$/u;

/**
 * A short second question about going to do the matter under discussion, in words of the counter
 * (follow-up-words.ts) and no word of its own: who may apply by the matter's 办理条件; when, where
 * and through which channel by its 在哪里办; what the guide may mention (邮寄, 挂失) by the section that does; anything
 * else (「能加急不」「逾期会罚款吗」「照片要白底还是蓝底」) by saying the guide does not say it — no
 * guess, and no 「换个说法」. Null for anything else: a message that names something the matter
 * does not (「护照」「豆浆店几点开门」) is a question of its own, and one from a citizen who needs a
 * person gets one (personNeeded).
 */
function counterFollowUp(
  state: ConversationState,
  text: string,
  norm: string,
  result: ReturnType<Engine['search']>,
  current: Entry,
  ctx: StepContext,
  /** Against an answer the gate gave: only when the question says nothing but the counter's words. */
  wordsOfTheCounterOnly = false,
): StepResult | null {
  const mandarin = result.analyzed.original;
  // Asked, also as 「能办不」「开唔开门」「区里办还是市里办」 (A-not-A, a final 不 — of the message or of
  // a clause: 「在镇上能办不，不想跑市区」 — a choice between two).
  const asked = asks(text, norm) || ASKS.test(mandarin) || /(.)不\1|不$|还是/u.test(mandarin) || /不\s*[，,；;。？?]/u.test(text);
  if ([...norm].length > IN_CONTEXT.maxChars || !asked) return null;
  const target = matterOf(current, ctx.engine);
  if (target.kind !== 'item' && target.kind !== 'bundle') return null;
  if (needsPerson(norm, mandarin)) return null;
  const tokens = result.analyzed.tokens;
  const found = (words: ReadonlySet<string>) => [...words].filter((w) => ([...w].length >= 2 ? norm.includes(w) || mandarin.includes(w) : tokens.includes(w)));
  const counter = found(SELDOM_IN_GUIDES);
  const place = found(PLACE_WORDS);
  const who = found(WHO_WORDS);
  if (counter.length === 0 && place.length === 0 && who.length === 0) return null;
  const said = [...counter, ...place, ...who];
  // A number (「中午12点去」) or a glued light token (办行, 点去) is not a word of its own.
  const ofItsOwn = (w: string) => !isLightToken(w) && !/^\d+$/u.test(w) && !said.some((h) => h === w || ([...h].length >= 2 && (h.includes(w) || w.includes(h))));
  if (ctx.engine.unexplainedWords(target.id, text).some(ofItsOwn)) return null;
  // With words of substance besides the counter's, nearest to another matter near enough to offer
  // (「结婚证丢了还能办离婚吗」 after 结婚登记 is nearest to 离婚登记): the nearest are offered. (「能加急不」
  // says nothing else: the FAQs near it are not what it asks.) A certificate or card named that is
  // not the matter's own (「结婚证丢了怎么补领」 after 出生登记, whose materials list 结婚证) is what is asked about.
  const substance = result.analyzed.content.filter(ofItsOwn);
  if (wordsOfTheCounterOnly && substance.length > 0) return null;
  const nearestOther = result.band === 'suggest' ? result.suggestions[0] : undefined;
  if (substance.length > 0 && nearestOther && !sameMatter(nearestOther.entry, target, ctx.engine)) return null;
  const own = [target.title, ...target.aliases].join(' ');
  // (By the tokens: 证明 is an aspect word, not among the informative ones.)
  if (result.analyzed.tokens.some((w) => [...w].length >= 2 && CREDENTIAL.test(w) && !own.includes(w) && ofItsOwn(w))) return null;
  // Who may apply (「我70多岁了还能办吗」「外地户口可以办不」): the matter's conditions, when it lists any.
  if (counter.length === 0 && who.length > 0 && target.conditions.length > 0) return answer(state, target, 'conditions', 1, true, ctx);
  if (counter.length === 0 && place.length > 0) return answer(state, target, 'place', 1, true, ctx);
  // The section must mention every informative word, not only the counter's: 「户口本丢了怎么补」 after
  // 社保卡 asks about the household register, which the card's 卡丢了要先挂失 does not answer.
  const section = sectionMentioning(target, [...new Set([...result.analyzed.content.filter((w) => !isLightToken(w)), ...counter])], ctx);
  if (section) return answer(state, target, section, 1, true, ctx);
  return noAnswer(state, text, result.results.map((r) => ({ id: r.entry.id, score: r.score })), ctx, target);
}

/** Asks for a person in the citizen's own words, or says the chat is no use to them — as typed or with Cantonese rewritten. */
function needsPerson(norm: string, mandarin: string): boolean {
  return asksForPersonInWords(norm) || asksForPersonInWords(mandarin) || needsHelp(norm) !== null || needsHelp(mandarin) !== null;
}

/**
 * A message nothing answers that asks for a person in the citizen's own words (「找个人帮我」) goes
 * to one; one that says the chat is no use to them (「我不识字」「看不懂」「机器人真没用」) gets a
 * person offered. Asked only where the bot would otherwise refuse or guess: with a matter under
 * discussion, 「我不会上网，可以打电话办吗」 is a question about it, read in context before this.
 */
function personNeeded(state: ConversationState, text: string, norm: string, mandarin: string, ctx: StepContext): StepResult | null {
  // As typed, and with Cantonese rewritten (搵个人帮我 → 找个人帮我, 睇唔明 → 看不明).
  if (asksForPersonInWords(norm) || asksForPersonInWords(mandarin)) return handoff(state, 'asked', ctx);
  const need = needsHelp(norm) ?? needsHelp(mandarin);
  if (!need) return null;
  // 「公交卡充值点关了，老人家不会用手机充」「这个机器人答非所问，能不能改进下」「谢谢帮我查到了进度」
  // are 诉求 that mention it: read as such (below) — unless the citizen says it of themself
  // (「我眼睛不好看不清」「我已经问了三遍了」), which is not a complaint for 12345.
  const ofThemself = /我/u.test(norm) && (need === 'cannot_use' || need === 'bot_failed');
  if (!ofThemself && readRefusedAppeal(text)) return null;
  return helpOffered(state, need, ctx);
}

/**
 * What the bot says to a citizen who cannot use the chat, does not follow it, or says it failed
 * them: no 「换个说法」, a person — online when a desk runs — the hotline and the centre's counter.
 */
function helpOffered(state: ConversationState, need: HelpNeed, ctx: StepContext): StepResult {
  const { hotline, centre } = ctx.engine.kb.settings;
  const lead = {
    cannot_use: '没关系，不方便打字、看字的话，可以请工作人员帮您。',
    not_understood: '抱歉，我没说清楚。可以告诉我哪一句不明白，我换个说法；也可以请工作人员给您讲。',
    bot_failed: '抱歉，没能帮上您。建议直接找工作人员。',
    lookup: '我这里查不了个人的缴费记录、账户余额或办理进度，也请不要在这里发身份证号、银行卡号。查自己的记录，',
  }[need];
  const how = ctx.onlineHandoff
    ? `点「转人工」，工作人员在线为您解答；也可以拨打${hotline.name} ${hotline.number}，`
    : `请拨打${hotline.name} ${hotline.number}，`;
  const counter =
    need === 'lookup'
      ? `问清楚查询的办法，或在办公时间（${centre.hours}）带上身份证到${centre.name}窗口查询。`
      : `或在办公时间（${centre.hours}）到${centre.name}，请窗口工作人员帮您办。`;
  return pointedToPerson(state, `${lead}${how}${counter}`, { type: 'help_offered', need });
}

function smalltalk(
  state: ConversationState,
  intent: 'greeting' | 'thanks' | 'goodbye' | 'help' | 'ack',
  ctx: StepContext,
): StepResult {
  const { city } = ctx.engine.kb.settings;
  const bundles = ctx.engine.kb.entries.filter((e) => e.kind === 'bundle').slice(0, 6);
  const menu = bundles.map((b) => ({ label: b.title, value: CHOICE.entry(b.id) }));
  const texts = {
    greeting: `您好！我是${city}政务服务小助手“一次”。您想办什么事？直接说就行，比如「个体户营业执照怎么办」「新生儿怎么上户口」。`,
    help: `我可以告诉您在${city}办事要带什么材料、去哪里办、要多久、收不收费，以及办事依据。常见的“一件事”有：`,
    thanks: '不客气！还有其他问题随时问我。',
    goodbye: '好的，祝您办事顺利，一次办成！',
    ack: '好的。还有想问的，直接说就行。',
  } as const;
  const replies: Reply[] = [{ type: 'text', text: texts[intent] }];
  if ((intent === 'greeting' || intent === 'help') && menu.length > 0) {
    replies.push({ type: 'choices', text: '常见事项：', choices: menu });
    state.pendingChoices = menu;
  } else if (intent !== 'ack') state.pendingChoices = []; // an acknowledgement leaves the buttons on offer: they are still on the screen
  return { state, replies, events: [{ type: 'smalltalk', intent }], match: null };
}

function noAnswer(
  state: ConversationState,
  text: string,
  nearest: { id: string; score: number }[],
  ctx: StepContext,
  about?: Entry,
): StepResult {
  const { hotline } = ctx.engine.kb.settings;
  state.failures += 1;
  const events: StepResult['events'] = [{ type: 'unanswered', text, nearest, ...(about ? { about: about.id } : {}) }];
  const repeated = state.failures >= 2;
  if (repeated) events.push({ type: 'handoff_requested', reason: 'repeated_failure' });
  const lead = repeated
    ? '抱歉，我还是没能找到答案。建议您转人工，或拨打'
    : about
      ? `「${about.title}」的办事指南里没有写到这一点，我不想给您不准确的信息。建议转人工问工作人员，或拨打`
      : '抱歉，这个问题超出了我能可靠回答的范围，我不想给您不准确的信息。您可以换个说法再问，也可以转人工，或拨打';
  // About the matter under discussion, the guide is silent: the counter's word is what counts; a
  // citizen who meant another matter is told how to ask about it.
  const tail = about && !repeated ? `（以窗口最新告知为准）。问的是别的事的话，直接说事项名称就行。` : '。';
  const replies: Reply[] = [{ type: 'text', text: `${lead}${hotline.name} ${hotline.number}${tail}` }];
  // Asked twice in vain, with a desk online: the desk answers (it queues the citizen) instead of a 「转人工」 button.
  const choices: Choice[] =
    repeated && ctx.onlineHandoff
      ? []
      : [
          { label: '转人工', value: CHOICE.handoff },
          { label: '我能问什么', value: CHOICE.help },
        ];
  if (choices.length > 0) replies.push({ type: 'choices', text: '您可以：', choices });
  state.pendingChoices = choices;
  return { state, replies, events, match: null };
}

// ---- walkthroughs -------------------------------------------------------------------------

const flowFor = (entryId: string, ctx: StepContext): Flow | undefined => ctx.flows?.find((f) => f.entry === entryId);

/** The matter an entry is about: an FAQ's subject (the entry it belongs to), or the entry itself. */
function matterOf(entry: Entry, engine: Engine): Entry {
  const subject = entry.kind === 'faq' && entry.related[0] !== undefined ? engine.entry(entry.related[0]) : undefined;
  return subject && subject.kind !== 'faq' ? subject : entry;
}

/** A question word, or a particle that ends a question, in a normalised text (「好的，没有问题了」 asks nothing). */
const ASKS = /[吗呢么嘛]\s*$|怎|哪|什么|啥|几|多少|多久|是否|能不能|可不可以|可以不|要不要|有没有|是不是/u;
/** Does the message ask something? A question mark counts too (normalising drops punctuation). */
/** Will not (不, 不想, 不打算 …) do (卖, 开, 办 …): what an entry for doing it is not needed for. */
const WONT_DO = /不(?:想|打算|准备|会|再)?(?:卖|开|办|做|经营|搞)/u;

/**
 * A short statement (no question) that says the citizen will not do what `entry` is about: every
 * occurrence of the entry's names and keywords in it is denied (negation.ts) by a 「不…卖/开/办」.
 * 「没上户口」「没交过社保」 say something is still to be done, and are not this.
 */
function declines(text: string, norm: string, entry: Entry): boolean {
  if ([...norm].length > SITUATION_MAX_CHARS || asks(text, norm) || !WONT_DO.test(norm)) return false;
  const words = [entry.title, ...entry.aliases, ...entry.keywords].map((w) => normalize(w)).filter((w) => w.length >= 1 && norm.includes(w));
  const readings = words.flatMap((w) => readingsOf(text, w));
  return readings.length > 0 && readings.every((r) => r === 'denied');
}

/** The reply to 「我不卖烟」: acknowledged, nothing asserted about the entry, the 一件事 it is part of offered. */
function declined(state: ConversationState, entry: Entry, ctx: StepContext): StepResult {
  const bundles = ctx.engine.kb.entries.filter((e) => e.kind === 'bundle' && e.items.includes(entry.id)).slice(0, 3);
  const choices: Choice[] = [...bundles.map((b) => ({ label: b.title, value: CHOICE.entry(b.id) })), { label: '我能问什么', value: CHOICE.help }];
  state.pendingChoices = choices;
  return {
    state,
    replies: [
      { type: 'text', text: `好的，这样的话用不着办「${entry.title}」。您想办的是什么事？直接说就行。` },
      { type: 'choices', text: bundles.length > 0 ? '它属于下面的“一件事”，可以按您的情况一步步列出要办的和要带的：' : '或者：', choices },
    ],
    events: [{ type: 'smalltalk', intent: 'ack' }],
    match: null,
  };
}

/** Longest message (characters, normalised) read as a statement of the citizen's situation after a 一件事. */
const SITUATION_MAX_CHARS = 16;
const asks = (text: string, norm: string): boolean => ASKS.test(norm) || /[?？]/u.test(text);

/** The sections a follow-up may be answered from, most asked first. */
const SECTION_ASPECTS: readonly Aspect[] = ['materials', 'place', 'conditions', 'time', 'fee', 'steps'];

/** The lines an entry's answer shows for one aspect, as one text. */
function sectionText(entry: Entry, aspect: Aspect, ctx: StepContext): string {
  return composeAnswer(entry, aspect, { entry: ctx.engine.entry, settings: ctx.engine.kb.settings })
    .sections.flatMap((x) => x.lines)
    .join('\n');
}

/**
 * The first section of an item or bundle whose text mentions every one of `words` (a word, or
 * for a word of three or more characters one of its character pairs); null when none does, or
 * for an FAQ or a policy (one answer, no sections).
 */
function sectionMentioning(entry: Entry, words: readonly string[], ctx: StepContext): Aspect | null {
  if (entry.kind === 'faq' || entry.kind === 'policy' || words.length === 0) return null;
  const mentions = (text: string, w: string): boolean => {
    if (text.includes(w)) return true;
    const chars = [...w];
    return chars.length >= 3 && chars.slice(1).some((c, i) => text.includes(`${chars[i]}${c}`));
  };
  for (const aspect of SECTION_ASPECTS) {
    const text = sectionText(entry, aspect, ctx);
    if (words.every((w) => mentions(text, w))) return aspect;
  }
  return null;
}

/** The same matter: an entry and its bundle or FAQ, or an FAQ of a matter and that matter's bundle. */
function sameMatter(a: Entry, b: Entry, engine: Engine): boolean {
  if (related(a, b)) return true;
  const via = (faq: Entry, other: Entry) =>
    faq.kind === 'faq' &&
    faq.related.some((id) => {
      const e = engine.entry(id);
      return e !== undefined && related(e, other);
    });
  return via(a, b) || via(b, a);
}

const activeFlow = (state: ConversationState, ctx: StepContext): Flow | undefined =>
  state.flow ? ctx.flows?.find((f) => f.id === state.flow!.id) : undefined;

let fallbackCounter = 0;
const flowCtx = (ctx: StepContext) => ({
  entry: ctx.engine.entry,
  now: ctx.now ?? (() => new Date()),
  newId: ctx.newId ?? (() => `c${Date.now().toString(36)}${(fallbackCounter++).toString(36)}`),
});

function beginFlow(state: ConversationState, flow: Flow, text: string, entry: Entry, score: number, ctx: StepContext): StepResult {
  state.currentEntryId = entry.id;
  state.lastAspect = 'materials';
  state.failures = 0;
  const out = startFlow(flow, text, flowCtx(ctx));
  const result = flowResult(state, flow, out, ctx, [{ type: 'flow_started', flowId: flow.id, prefilled: out.state.prefilled }]);
  return { ...result, match: toMatch(entry, score) };
}

function onFlowChoice(state: ConversationState, value: string, ctx: StepContext): StepResult {
  if (value.startsWith('flow:start:')) {
    const flow = ctx.flows?.find((f) => f.id === value.slice('flow:start:'.length));
    const entry = flow ? ctx.engine.entry(flow.entry) : undefined;
    if (flow && entry) return beginFlow(state, flow, '', entry, 1, ctx);
  }
  const flow = activeFlow(state, ctx);
  if (flow && state.flow) {
    if (value === FLOW_CHOICE.back) return flowResult(state, flow, backFlow(flow, state.flow, flowCtx(ctx)), ctx, []);
    if (value === FLOW_CHOICE.restart) return flowResult(state, flow, restartFlow(flow, state.flow, flowCtx(ctx)), ctx, []);
    if (value === FLOW_CHOICE.exit) {
      state.flow = { ...state.flow, at: null };
      state.mode = 'bot';
      state.pendingChoices = [];
      return { state, replies: [{ type: 'text', text: '好的，已退出引导。您可以继续问我其他问题。' }], events: [], match: null };
    }
    if (value.startsWith('flow:answer:') && state.flow.at) {
      const v = readAnswer(flow, state.flow, { choice: value });
      const step = state.flow.at;
      if (v !== null) {
        return flowResult(state, flow, answerFlow(flow, state.flow, v, flowCtx(ctx)), ctx, [{ type: 'flow_answered', flowId: flow.id, step }]);
      }
    }
  }
  return staleChoice(state);
}

/** Turns a walkthrough outcome into the dialogue's result. */
function flowResult(state: ConversationState, flow: Flow, out: FlowOutcome, ctx: StepContext, events: DialogueEvent[]): StepResult {
  state.flow = out.state;
  state.mode = out.state.at ? 'flow' : 'bot';
  const choicesReply = [...out.replies].reverse().find((r) => r.type === 'choices');
  state.pendingChoices = choicesReply?.type === 'choices' ? choicesReply.choices : [];
  const entry = ctx.engine.entry(flow.entry);
  const match = entry ? toMatch(entry, 1) : null;
  switch (out.kind) {
    case 'asking':
      return { state, replies: out.replies, events, match };
    case 'checklist':
      return { state, replies: out.replies, events: [...events, { type: 'checklist_created', checklist: out.checklist }], match };
    case 'handoff': {
      const h = handoff(state, 'asked', ctx);
      return { ...h, replies: [...out.replies, { type: 'text', text: out.reason }, ...h.replies], events: [...events, ...h.events] };
    }
    case 'error': {
      // A walkthrough that breaks says so and offers a human; it never leaves the citizen with nothing.
      const h = handoff(state, 'repeated_failure', ctx);
      return {
        ...h,
        replies: [{ type: 'text', text: '抱歉，引导出了点问题，没法继续。' }, ...h.replies],
        events: [...events, { type: 'flow_error', flowId: flow.id, error: out.error }, ...h.events],
      };
    }
  }
}

/** The question being asked in a walkthrough, asked again after a side question. */
function restate(flow: Flow, state: ConversationState, ctx: StepContext): Reply[] {
  if (!state.flow?.at) return [];
  // Re-entering the ask step asks it again: its slot is still empty.
  const out = advance(flow, state.flow, state.flow.at, flowCtx(ctx));
  const choices = out.replies.find((r) => r.type === 'choices');
  state.pendingChoices = choices?.type === 'choices' ? choices.choices : [];
  return out.replies.map((r) => (r.type === 'choices' ? { ...r, text: `回到刚才的问题：${r.text}` } : r));
}
