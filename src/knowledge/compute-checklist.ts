/**
 * One checklist for a walkthrough's outcome: the items that apply, every material once (with
 * the items that need it and the legal basis behind it), what an e-certificate or shared data
 * replaces, where to go, the time and the fees. Pure: entries and answers in, data out.
 */
import type { SourceRef } from '../core/types.js';
import { mergeMaterials } from './merge-materials.js';
import type { BundleEntry, Entry, ItemEntry } from './schema.js';

export interface ChecklistLine {
  name: string;
  originals: number;
  copies: number;
  usedBy: string[];
  note?: string;
  legalBasis: string[];
}

export interface Checklist {
  id: string;
  title: string;
  entryId: string;
  createdAt: string;
  /** The questions answered on the way, for the printed page. */
  answers: { question: string; answer: string }[];
  items: { id: string; title: string; department: string; time: string; fee: string; channels: string[] }[];
  /** Materials to bring. */
  materials: ChecklistLine[];
  /** Materials that an e-certificate or shared data replaces: nothing to bring. */
  replaced: (ChecklistLine & { how: string })[];
  /** Materials needed only in some situations (委托他人办理的 …). */
  situational: (ChecklistLine & { when: string })[];
  /** Materials the walkthrough's answers rule out, and why. */
  excluded: { name: string; reason: string }[];
  /** Documents one of the listed items issues on the way: nothing to bring. */
  produced: { name: string; by: string; usedBy: string[] }[];
  where: string[];
  /** The conditions each item sets (e.g. the tobacco outlet-spacing rule), for the printed page. Absent on checklists stored before it existed. */
  conditions?: { title: string; lines: string[] }[];
  time: string;
  fees: string[];
  sources: SourceRef[];
  verified: boolean;
  caution: string | null;
}

export interface ChecklistInput {
  id: string;
  title: string;
  entry: Entry;
  items: ItemEntry[];
  createdAt: string;
  answers: { question: string; answer: string }[];
  /** Material keys (ref:… or a part of the name) to leave out, with the reason. */
  exclude: { ref?: string; nameIncludes?: string; reason: string }[];
  caution: string;
}

const lawOf = (item: ItemEntry): string[] => item.legalBasis.map((l) => `《${l.name.replace(/^《|》$/g, '')}》${l.article ?? ''}`);

export function computeChecklist(input: ChecklistInput): Checklist {
  const { items } = input;
  const itemById = new Map(items.map((i) => [i.id, i]));
  const excluded: Checklist['excluded'] = [];
  const materials: ChecklistLine[] = [];
  const replaced: Checklist['replaced'] = [];
  const situational: Checklist['situational'] = [];
  const produced: Checklist['produced'] = [];
  const producer = new Map<string, string>();
  for (const i of items) for (const ref of i.produces) producer.set(`ref:${ref}`, i.title);

  for (const m of mergeMaterials(items)) {
    const rule = input.exclude.find((x) => (x.ref ? m.key === `ref:${x.ref}` : x.nameIncludes ? m.name.includes(x.nameIncludes) : false));
    if (rule) {
      excluded.push({ name: m.name, reason: rule.reason });
      continue;
    }
    const by = producer.get(m.key);
    if (by) {
      produced.push({ name: m.name, by, usedBy: m.usedBy });
      continue;
    }
    const legalBasis = [...new Set(m.usedByIds.flatMap((id) => lawOf(itemById.get(id)!)))];
    const line: ChecklistLine = {
      name: m.name,
      originals: m.originals,
      copies: m.copies,
      usedBy: m.usedBy,
      legalBasis,
      ...(m.notes.length || m.otherNames.length
        ? { note: [...(m.otherNames.length ? [`各事项的写法：${m.otherNames.join('、')}`] : []), ...m.notes].join('；') }
        : {}),
    };
    if (m.substitute) replaced.push({ ...line, how: `${m.substitute.kind === 'e-certificate' ? '电子证照' : '数据共享'}：${m.substitute.note}` });
    else if (m.when.length > 0 || !m.required) situational.push({ ...line, when: m.when.join('或') || '视情况提供' });
    else materials.push(line);
  }

  const bundle = input.entry.kind === 'bundle' ? (input.entry as BundleEntry) : null;
  const where = [
    ...new Set([
      ...(bundle?.channels ?? []).map((c) => `${c.type === 'online' ? '网上' : '现场'}：${c.name}`),
      ...(bundle ? [] : items.flatMap((i) => i.channels.map((c) => `${c.type === 'online' ? '网上' : '现场'}：${c.name}`))),
    ]),
  ];
  const time =
    bundle?.timeLimit.promised ??
    (items.length === 1 ? (items[0]!.timeLimit.promised ?? items[0]!.timeLimit.statutory ?? '以窗口告知为准') : '见各事项时限');
  const entries: Entry[] = [input.entry, ...items];
  const sources = new Map<string, SourceRef>();
  for (const e of entries) {
    for (const s of e.sources) sources.set(s.title, { title: s.title, checked: s.checked, reliability: s.reliability, ...(s.url ? { url: s.url } : {}) });
  }
  const verified = entries.every((e) => e.verified && e.unverified.length === 0);
  return {
    id: input.id,
    title: input.title,
    entryId: input.entry.id,
    createdAt: input.createdAt,
    answers: input.answers,
    items: items.map((i) => ({
      id: i.id,
      title: i.title,
      department: i.department,
      time: i.timeLimit.promised ?? i.timeLimit.statutory ?? '以窗口告知为准',
      fee: i.fees.text,
      channels: i.channels.map((c) => `${c.type === 'online' ? '网上' : '现场'}：${c.name}`),
    })),
    materials,
    replaced,
    situational,
    excluded,
    produced,
    where,
    conditions: items.filter((i) => i.conditions.length > 0).map((i) => ({ title: i.title, lines: [...i.conditions] })),
    time,
    fees: items.map((i) => `${i.title}：${i.fees.text}`),
    sources: [...sources.values()],
    verified,
    caution: verified ? null : input.caution,
  };
}

/** Every material name on a checklist, for comparing two versions. */
export const checklistNames = (c: Checklist): string[] => [
  ...c.materials.map((m) => m.name),
  ...c.situational.map((m) => m.name),
  ...c.replaced.map((m) => m.name),
];
