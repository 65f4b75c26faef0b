/**
 * What the editors' dashboard and inbox are made of: one record per turn, the questions nobody
 * answered, 「有帮助 / 没看懂」 on an answer, 「流程走不通」 reports and the end-of-conversation
 * rating — the record types and the one place that writes them. Free text a citizen wrote is
 * masked and cut to 500 characters before it is kept.
 */
import { maskPersonal } from '../core/mask-personal.js';
import type { Match, Reply } from '../core/types.js';
import type { ConversationState, DialogueEvent } from '../dialogue/step.js';
import type { Engine } from '../knowledge/engine.js';
import type { LogAppend, Store, TallyAppend } from '../storage/ports.js';
import { createDashboardTotals, TALLY, type DashboardTotals } from './dashboard-totals.js';

export interface UnansweredRecord {
  at: string;
  sessionId: string;
  text: string;
  nearest: { id: string; score: number }[];
}

export interface FeedbackRecord {
  at: string;
  sessionId: string;
  /** The bot message the feedback is about. */
  seq: number;
  helpful: boolean;
  entryId: string | null;
  /** Fingerprint of the entry as it was when rated. */
  entryVersion: string | null;
  checklistId: string | null;
  comment: string | null;
}

/** One line per turn, for the dashboard (懂不懂 · 通不通 · 好不好). */
export interface TurnRecord {
  at: string;
  sessionId: string;
  /** What the turn was: answered from an entry, could not answer, asked to clarify, went to a person, … */
  kind: 'answered' | 'unanswered' | 'clarified' | 'suggested' | 'appeal' | 'handoff' | 'walkthrough' | 'checklist' | 'smalltalk' | 'other';
  /** The entry answered with; for a handoff, the matter under discussion; for an unanswered follow-up, the matter whose guide does not say it. */
  entryId: string | null;
  /** 您是不是想问: the entries offered as buttons. */
  offered?: string[];
  /** The entry was picked from the 您是不是想问 buttons. */
  fromSuggestion?: boolean;
  /** The walkthrough step answered, for 「流程走不通」 per step. */
  step?: string;
  /** Confidence of an answer, so the inbox can collect weak ones. */
  score?: number;
  /** What the citizen asked (masked), kept for unanswered and weak answers only. */
  text?: string;
  /**
   * The turn also could not answer the question: the second unanswered question in a row, whose
   * turn is a handoff. It counts as unanswered too, and goes to the editors' inbox.
   */
  unanswered?: true;
}

/** 「流程走不通」: where a citizen got stuck, with a reason code and their words. */
export interface ProcessReport {
  at: string;
  sessionId: string;
  entryId: string | null;
  entryVersion: string | null;
  /** The walkthrough step the citizen was at, if any. */
  step: string | null;
  reason: ProcessReason;
  text: string;
}

/** Answers below this confidence go to the editors' inbox with the unanswered questions. */
export const WEAK_ANSWER = 0.65;

export const PROCESS_REASONS = {
  form_unclear: '表格看不懂',
  material_unclear: '材料说不清',
  steps_disconnected: '环节接不上',
  window_refused: '窗口说法不一样',
  online_failed: '网上办不了',
  other: '其他',
} as const;
export type ProcessReason = keyof typeof PROCESS_REASONS;

/** The end-of-conversation rating: 好 / 中 / 差 with an optional comment. */
export interface RatingRecord {
  at: string;
  sessionId: string;
  rating: 'good' | 'fair' | 'poor';
  comment: string | null;
  entryId: string | null;
}

/** A bot message as the transcript keeps it: what feedback is given on. */
interface BotMessage {
  seq: number;
  replies: Reply[];
}

const freeText = (text: string): string => maskPersonal(text).slice(0, 500);

export type Analytics = ReturnType<typeof createAnalytics>;

/**
 * Writes the records to the store's logs, and adds them to the dashboard's running totals
 * (dashboard-totals.ts) at the same time; `engine` gives an entry's version at the time.
 */
export function createAnalytics(store: Store, engine: () => Engine, totals: DashboardTotals = createDashboardTotals(store)) {
  const feedbackLog = store.log<FeedbackRecord>('feedback');
  const reports = store.log<ProcessReport>('process-reports');
  const ratings = store.log<RatingRecord>('ratings');
  const versionOf = (entryId: string | null) => (entryId ? (engine().version(entryId) ?? null) : null);

  /** Adds turn records just appended (by `turn`) to the dashboard's running totals. */
  async function counted(appends: readonly LogAppend[]): Promise<void> {
    await Promise.all(appends.filter((a) => a.log === 'turns').map((a) => totals.count({ log: 'turns', record: a.record as TurnRecord })));
  }

  /** The running totals' counts of these records, for the commit that stores them (both or neither). */
  async function tallyOf(appends: readonly LogAppend[]): Promise<TallyAppend | undefined> {
    const counts = await totals.countsOf(appends.filter((a) => a.log === 'turns').map((a) => ({ log: 'turns', record: a.record as TurnRecord })));
    return counts.length > 0 ? { name: TALLY, counts } : undefined;
  }

  function turnRecords(at: string, sessionId: string, result: { events: DialogueEvent[]; match: Match | null }, userText: string, discussed: string | null = null): LogAppend[] {
    const turn = turnOf(at, sessionId, result, discussed);
    if ((turn.kind === 'answered' && (turn.score ?? 1) < WEAK_ANSWER) || turn.kind === 'unanswered' || turn.unanswered || turn.kind === 'suggested') turn.text = userText;
    return [
      ...result.events.flatMap((e) => (e.type === 'unanswered' ? [{ log: 'unanswered', record: { at, sessionId, text: e.text, nearest: e.nearest } satisfies UnansweredRecord }] : [])),
      { log: 'turns', record: turn },
    ];
  }

  return {
    /**
     * The records of one dialogue turn: its line for the dashboard and any question it could not
     * answer. `userText` is what the citizen said, already masked; it is kept only where an editor
     * needs it (unanswered, unsure, weakly answered). `discussed`: the matter under discussion after
     * the turn, which a handoff (no entry of its own) is counted against.
     */
    async turn(at: string, sessionId: string, result: { events: DialogueEvent[]; match: Match | null }, userText: string, discussed: string | null = null): Promise<void> {
      const appends = turnRecords(at, sessionId, result, userText, discussed);
      await Promise.all([...appends.map((a) => store.log(a.log).append(a.record)), counted(appends)]);
    },
    /**
     * The same records as `turn`, for the caller to store with the conversation in one step
     * (DocumentStore.commit), with their counts for the dashboard from `tallyOf` in the same commit.
     */
    turnRecords,
    tallyOf,

    /** 「有帮助 / 没看懂」 on a bot message: about the answer card or the checklist it holds. */
    async feedback(at: string, sessionId: string, message: BotMessage, helpful: boolean, comment?: string): Promise<FeedbackRecord> {
      const card = message.replies.find((r) => r.type === 'text' && r.card);
      const list = message.replies.find((r) => r.type === 'checklist');
      const entryId = card?.type === 'text' && card.card ? card.card.entryId : null;
      const record: FeedbackRecord = {
        at,
        sessionId,
        seq: message.seq,
        helpful,
        entryId,
        entryVersion: versionOf(entryId),
        checklistId: list?.type === 'checklist' ? list.id : null,
        comment: comment ? freeText(comment) : null,
      };
      await Promise.all([feedbackLog.append(record), totals.count({ log: 'feedback', record })]);
      return record;
    },

    /** 「流程走不通」 about the matter named, or else the one under discussion, at the walkthrough step the citizen is at. */
    async processReport(at: string, sessionId: string, state: ConversationState, reason: ProcessReason, text: string, entryId?: string): Promise<ProcessReport> {
      const id = entryId ?? state.currentEntryId ?? null;
      const report: ProcessReport = {
        at,
        sessionId,
        entryId: id,
        entryVersion: versionOf(id),
        step: state.flow?.at ? `${state.flow.id}/${state.flow.at}` : null,
        reason,
        text: freeText(text),
      };
      await Promise.all([reports.append(report), totals.count({ log: 'process-reports', record: report })]);
      return report;
    },

    /** The end-of-conversation rating, about the matter under discussion. */
    async rating(at: string, sessionId: string, state: ConversationState, rating: RatingRecord['rating'], comment?: string): Promise<RatingRecord> {
      const r: RatingRecord = { at, sessionId, rating, comment: comment ? freeText(comment) : null, entryId: state.currentEntryId ?? null };
      await Promise.all([ratings.append(r), totals.count({ log: 'ratings', record: r })]);
      return r;
    },
  };
}

/** What kind of turn a dialogue step was, for the dashboard. */
function turnOf(at: string, sessionId: string, result: { events: DialogueEvent[]; match: Match | null }, discussed: string | null): TurnRecord {
  const types = result.events.map((e) => e.type);
  const handoff = types.includes('handoff_requested');
  // A handoff matches no entry: it is about the matter under discussion. So is a follow-up its
  // guide does not answer (「能加急不」 after 出生登记: the event names the matter).
  const unanswered = result.events.find((e) => e.type === 'unanswered');
  const about = unanswered?.type === 'unanswered' ? unanswered.about : undefined;
  const entryId = result.match?.id ?? (handoff ? discussed : null) ?? about ?? null;
  const answered = result.events.find((e) => e.type === 'flow_answered');
  const kind: TurnRecord['kind'] = types.includes('handoff_requested')
    ? 'handoff'
    : types.includes('checklist_created')
      ? 'checklist'
      : types.includes('flow_started') || types.includes('flow_answered')
        ? 'walkthrough'
        : types.includes('answered')
          ? 'answered'
          : types.includes('unanswered')
            ? 'unanswered'
            : types.includes('clarification_asked')
              ? 'clarified'
              : types.includes('suggested')
                ? 'suggested'
                : types.includes('appeal')
                  ? 'appeal'
                  : types.includes('smalltalk')
                    ? 'smalltalk'
                    : 'other';
  const score = result.match?.score;
  const suggested = result.events.find((e) => e.type === 'suggested');
  return {
    at,
    sessionId,
    kind,
    entryId,
    ...(answered?.type === 'flow_answered' ? { step: answered.step } : {}),
    ...(kind === 'answered' && score !== undefined ? { score } : {}),
    ...(suggested?.type === 'suggested' ? { offered: suggested.candidates } : {}),
    ...(types.includes('suggestion_chosen') ? { fromSuggestion: true } : {}),
    ...(kind !== 'unanswered' && types.includes('unanswered') ? { unanswered: true as const } : {}),
  };
}
