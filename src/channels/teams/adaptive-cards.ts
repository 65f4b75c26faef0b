/**
 * Renders the core's replies as Bot Framework message activities with Adaptive Cards (schema 1.5,
 * what Teams renders). The same Reply[] the web page renders; nothing Teams-specific reaches the
 * core. Pure: JSON in, JSON out.
 */
import type { AnswerCard, ChecklistMaterial, Reply } from '../../core/types.js';

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

export interface CardActivity {
  type: 'message';
  text?: string;
  attachments?: { contentType: string; content: AdaptiveCard }[];
}

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: Element[];
  actions?: Action[];
}
type Element = Record<string, unknown>;
type Action = Record<string, unknown>;

/** What a card button sends back: `activity.value` of the submit. */
export interface SubmitValue {
  yiciChoice: string;
}

const card = (body: Element[], actions: Action[] = []): AdaptiveCard => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body,
  ...(actions.length ? { actions } : {}),
});
const text = (t: string, extra: Record<string, unknown> = {}): Element => ({ type: 'TextBlock', text: t, wrap: true, ...extra });
const attach = (c: AdaptiveCard, fallback: string): CardActivity => ({ type: 'message', text: fallback, attachments: [{ contentType: ADAPTIVE_CARD, content: c }] });

/**
 * TextBlocks read a small Markdown subset. Our text is reviewed knowledge-base content; Teams shows
 * backslash escapes literally, so the text goes in as written.
 */
const literal = (s: string) => s;

export function answerCard(a: AnswerCard): AdaptiveCard {
  const body: Element[] = [text(literal(a.title), { size: 'Large', weight: 'Bolder' }), text(literal(a.summary))];
  for (const s of a.sections) {
    body.push(text(literal(s.heading), { weight: 'Bolder', spacing: 'Medium' }));
    for (const line of s.lines) body.push(text(`• ${literal(line)}`, { spacing: 'Small' }));
  }
  if (a.legalBasis.length) body.push(text(`**依据**：${a.legalBasis.map(literal).join('；')}`, { spacing: 'Medium', isSubtle: true, size: 'Small' }));
  if (a.caution) body.push({ type: 'Container', style: 'warning', items: [text(`⚠ ${literal(a.caution)}`)] });
  if (a.sources.length) {
    const lines = a.sources.map((s) => `${s.url ? `[${literal(s.title)}](${s.url})` : literal(s.title)}（核实于 ${s.checked}）`);
    body.push(text(`**来源**：${lines.join('；')}`, { size: 'Small', isSubtle: true }));
  }
  return card(body);
}

const materialLine = (m: ChecklistMaterial) => {
  const counts = [m.originals ? `原件 ${m.originals} 份` : '', m.copies ? `复印件 ${m.copies} 份` : ''].filter(Boolean).join('，');
  return `• ${literal(m.name)}${counts ? `（${counts}）` : ''}${m.note ? `：${literal(m.note)}` : ''}`;
};

/**
 * One activity per reply. `baseUrl` makes the checklist link absolute (Teams opens it in a
 * browser); without it the checklist card has no link.
 */
export function renderActivities(replies: readonly Reply[], baseUrl: string | null): CardActivity[] {
  return replies.map((r): CardActivity => {
    switch (r.type) {
      case 'text':
        return r.card ? attach(answerCard(r.card), r.text) : { type: 'message', text: r.text };
      case 'choices':
        return attach(
          card(
            [text(literal(r.text))],
            r.choices.map((c) => ({ type: 'Action.Submit', title: c.label, data: { yiciChoice: c.value } satisfies SubmitValue })),
          ),
          `${r.text} ${r.choices.map((c) => `[${c.label}]`).join(' ')}`,
        );
      case 'checklist': {
        const url = baseUrl ? new URL(r.url, baseUrl).toString() : null;
        return attach(
          card(
            [text(literal(r.title), { size: 'Large', weight: 'Bolder' }), text(`要带的材料（共 ${r.materials.length} 项）：`, { weight: 'Bolder' }), ...r.materials.map((m) => text(materialLine(m), { spacing: 'Small' }))],
            url ? [{ type: 'Action.OpenUrl', title: '打开可打印的清单', url }] : [],
          ),
          `${r.title}：${r.materials.map((m) => m.name).join('、')}`,
        );
      }
      case 'handoff':
        return { type: 'message', text: r.text };
    }
  });
}

/** A new case for an officer, with 「接单」: the submit carries `yiciClaim` (the case's session). */
export function caseNoticeActivity(notice: { sessionId: string; title: string; text: string }): CardActivity {
  return attach(
    card([text(notice.title, { weight: 'Bolder', size: 'Medium' }), text(notice.text)], [{ type: 'Action.Submit', title: '接单', data: { yiciClaim: notice.sessionId } }]),
    `${notice.title}：${notice.text}`,
  );
}

/** The pressed button, if this activity is a card submit of ours. */
export function submittedChoice(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const v = (value as Partial<SubmitValue>).yiciChoice;
  return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null;
}
