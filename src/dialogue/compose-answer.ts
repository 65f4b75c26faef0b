/**
 * Turns an entry and the aspect asked about into an answer: a card for channels that can show
 * one and the same content as plain text. Only facts from the entry are used; nothing is invented.
 */
import type { AnswerCard, SourceRef } from '../core/types.js';
import { bundleItems, mergeMaterials, type MergedMaterial } from '../knowledge/merge-materials.js';
import type { Aspect } from '../nlp/aspects.js';
import type {
  Channel,
  Entry,
  LegalBasis,
  Material,
  Settings,
  TimeLimit,
  UnverifiableField,
} from '../knowledge/schema.js';

export const CAUTION = '以窗口最新告知为准';

export interface KnowledgeLookup {
  entry(id: string): Entry | undefined;
  settings: Settings;
}

const ASPECT_FIELDS: Record<Aspect, UnverifiableField[]> = {
  general: ['summary', 'materials', 'channels', 'timeLimit', 'fees', 'answer', 'points', 'items'],
  materials: ['materials'],
  conditions: ['conditions'],
  steps: ['steps'],
  time: ['timeLimit'],
  fee: ['fees'],
  place: ['channels'],
  legal: ['legalBasis'],
  explain: ['summary', 'answer', 'points'],
};

const WHOLE_ANSWER: UnverifiableField[] = ['summary', 'answer', 'points', 'legalBasis'];

export function describeMaterial(m: Material): string {
  const counts = [m.originals > 0 ? `原件${m.originals}份` : '', m.copies > 0 ? `复印件${m.copies}份` : '']
    .filter(Boolean)
    .join('、');
  const parts = [m.name + (counts ? `（${counts}）` : '')];
  if (m.when) parts.push(`${m.when}需要`);
  else if (!m.required) parts.push('视情况提供');
  if (m.substitute) parts.push(`${m.substitute.kind === 'e-certificate' ? '可用电子证照' : '可通过数据共享'}免交：${m.substitute.note}`);
  if (m.note) parts.push(m.note);
  return parts.map((p) => p.replace(/[。；;]+$/u, '')).join('；');
}

/** One line of a bundle's merged materials, with the items that use it. */
function describeMerged(m: MergedMaterial): string {
  const line = describeMaterial({
    name: m.name,
    originals: m.originals,
    copies: m.copies,
    required: m.required,
    ...(m.substitute ? { substitute: m.substitute } : {}),
    ...(m.when.length ? { when: m.when.join('或') } : {}),
  });
  return `${line}（用于：${m.usedBy.join('、')}）`;
}

const describeLaw = (l: LegalBasis): string =>
  `《${l.name.replace(/^《|》$/g, '')}》${l.docNo ? `（${l.docNo}）` : ''}${l.article ? l.article : ''}`;

const describeChannel = (c: Channel): string => {
  const detail = c.detail ? `：${c.detail}` : '';
  return `${c.type === 'online' ? '网上办理' : '现场办理'}——${c.name}${detail}`;
};

function timeLines(t: TimeLimit): string[] {
  const lines: string[] = [];
  if (t.promised) lines.push(`承诺时限：${t.promised}`);
  if (t.statutory) lines.push(`法定时限：${t.statutory}`);
  if (t.note) lines.push(t.note);
  return lines.length > 0 ? lines : ['暂无可靠的时限信息，请向窗口咨询。'];
}

function placeLines(channels: Channel[], settings: Settings): string[] {
  const lines = channels.map(describeChannel);
  if (channels.some((c) => c.type === 'offline')) {
    lines.push(`${settings.centre.name}：${settings.centre.address}；办公时间 ${settings.centre.hours}`);
  }
  return lines;
}

function sourcesOf(entry: Entry): SourceRef[] {
  return entry.sources.map((s) => ({
    title: s.title,
    checked: s.checked,
    reliability: s.reliability,
    ...(s.url ? { url: s.url } : {}),
  }));
}

function cautionFor(entry: Entry, aspect: Aspect, usesCentre: boolean, settings: Settings): string | null {
  const reasons: string[] = [];
  // An FAQ or a policy answers with its answer or points whatever the aspect asked.
  const fields = entry.kind === 'faq' || entry.kind === 'policy' ? WHOLE_ANSWER : ASPECT_FIELDS[aspect];
  if (entry.unverified.some((f) => fields.includes(f)) || (!entry.verified && entry.unverified.length === 0)) {
    reasons.push('部分信息来自其他地区的办事指南或非官方来源，尚未经梧州本地核实');
  }
  if (usesCentre && settings.unconfirmed.some((k) => k.startsWith('centre'))) {
    reasons.push('政务服务中心地址和办公时间为示例，待本地确认');
  }
  return reasons.length > 0 ? `${reasons.join('；')}，${CAUTION}。` : null;
}

/** Sections for an entry and aspect; `general` gives the overview a citizen needs to go once. */
function sectionsFor(entry: Entry, aspect: Aspect, kb: KnowledgeLookup): { heading: string; lines: string[] }[] {
  const s = kb.settings;
  if (entry.kind === 'faq') {
    const related = entry.related.map((id) => kb.entry(id)?.title).filter((t): t is string => !!t);
    return [{ heading: '解答', lines: [entry.answer] }, ...(related.length ? [{ heading: '相关事项', lines: related }] : [])];
  }
  if (entry.kind === 'policy') {
    return [{ heading: '要点', lines: entry.points }];
  }
  const itemTitles =
    entry.kind === 'bundle' ? entry.items.map((id) => kb.entry(id)?.title ?? id) : [];
  const materials =
    entry.kind === 'item'
      ? entry.materials.map(describeMaterial)
      : mergeMaterials(bundleItems(entry, kb.entry)).map(describeMerged);
  const fee = [entry.fees.text];
  switch (aspect) {
    case 'materials':
      return [
        { heading: '需要准备的材料', lines: materials },
        ...(entry.kind === 'bundle' && entry.situations.length
          ? [{ heading: '不同情形', lines: entry.situations.map((x) => `${x.name}：${x.effect}`) }]
          : []),
      ];
    case 'conditions':
      return [{ heading: '办理条件', lines: entry.conditions.length ? entry.conditions : ['暂无条件说明，请向窗口咨询。'] }];
    case 'steps':
      return [{ heading: '办理流程', lines: entry.steps.map((x, i) => `${i + 1}. ${x}`) }];
    case 'time':
      return [{ heading: '办理时限', lines: timeLines(entry.timeLimit) }];
    case 'fee':
      return [{ heading: '收费', lines: fee }];
    case 'place':
      return [{ heading: '在哪里办', lines: placeLines(entry.channels, s) }];
    case 'legal':
      return [{ heading: '办理依据', lines: entry.legalBasis.map(describeLaw) }];
    case 'explain':
      return [
        {
          heading: '这是什么',
          lines: [`正式名称：${entry.title}`, ...(entry.aliases.length ? [`也叫：${entry.aliases.join('、')}`] : [])],
        },
        ...(itemTitles.length ? [{ heading: '包含的事项', lines: itemTitles }] : []),
      ];
    case 'general': {
      const out: { heading: string; lines: string[] }[] = [];
      if (itemTitles.length) out.push({ heading: '一次办好这些事项', lines: itemTitles });
      if (entry.kind === 'bundle' && entry.situations.length)
        out.push({ heading: '不同情形', lines: entry.situations.map((x) => `${x.name}：${x.effect}`) });
      out.push({ heading: '需要准备的材料', lines: materials });
      out.push({ heading: '在哪里办', lines: placeLines(entry.channels, s) });
      out.push({ heading: '办理时限', lines: timeLines(entry.timeLimit) });
      out.push({ heading: '收费', lines: fee });
      return out;
    }
  }
}

export function composeAnswer(entry: Entry, aspect: Aspect, kb: KnowledgeLookup): AnswerCard {
  const sections = sectionsFor(entry, aspect, kb);
  const usesCentre = sections.some((x) => x.heading === '在哪里办');
  const legal = 'legalBasis' in entry ? entry.legalBasis.map(describeLaw) : [];
  return {
    entryId: entry.id,
    title: entry.title,
    kind: entry.kind,
    aspect,
    summary: entry.kind === 'faq' ? entry.summary : entry.summary,
    sections,
    legalBasis: legal,
    sources: sourcesOf(entry),
    lastVerified: entry.lastVerified ?? null,
    verified: entry.verified,
    caution: cautionFor(entry, aspect, usesCentre, kb.settings),
  };
}

/** The card as plain text, for channels without cards and for transcripts. */
export function cardToText(card: AnswerCard): string {
  const lines: string[] = [`【${card.title}】`, card.summary];
  for (const section of card.sections) {
    lines.push('', `${section.heading}：`, ...section.lines.map((l) => (/^\d+\./.test(l) ? l : `· ${l}`)));
  }
  if (card.legalBasis.length && card.aspect !== 'legal') lines.push('', `依据：${card.legalBasis.join('；')}`);
  const checked = card.lastVerified ?? card.sources.map((s) => s.checked).sort().at(-1) ?? '';
  lines.push('', `来源：${card.sources.map((s) => s.title).join('；')}（资料核对日期 ${checked}）`);
  if (card.caution) lines.push(`提示：${card.caution}`);
  return lines.join('\n');
}
