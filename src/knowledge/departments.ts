/**
 * Counter departments: the short list of departments the service centre's officers work for
 * (市场监管, 民政, 人社 …), from `departments` in knowledge/settings.yaml, and the mapping of any
 * department as written — an entry's long 「县级以上市场监督管理局（企业登记机关）」, an old case's,
 * an officer account's free text — to one of them. Pure.
 */
import type { Entry, Settings } from './schema.js';

/** The department every case without a better one goes to, and where unserved queues go. */
export const GENERAL_COUNTER = '综合窗口';

export interface CounterDepartment {
  name: string;
  /** Words that, found in a department as written, mean this counter department. */
  matches: string[];
}

/** The counter departments of the settings, 综合窗口 always among them (last when not listed). */
export function counterDepartments(settings: Pick<Settings, 'departments'>): CounterDepartment[] {
  const list = (settings.departments ?? []).map((d) => ({ name: d.name, matches: d.matches }));
  return list.some((d) => d.name === GENERAL_COUNTER) ? list : [...list, { name: GENERAL_COUNTER, matches: [] }];
}

/** Words inside department names that hide another department's name: 人民政府 holds 民政. */
const NOT_A_DEPARTMENT = /人民政府/g;

/**
 * The counter department a department as written means, or null when none does: its own name
 * exactly, else the department whose name or match word appears earliest in the text (the
 * longer word on a tie) — 「社会保险经办机构（…人力资源和社会保障部门）；参加职工医保的到医疗保障部门」
 * is 人社's, whose words come first.
 */
export function counterDepartmentOf(list: readonly CounterDepartment[], text: string): string | null {
  const written = text.trim();
  if (!written) return null;
  const exact = list.find((d) => d.name === written);
  if (exact) return exact.name;
  const t = written.replace(NOT_A_DEPARTMENT, (m) => '＿'.repeat(m.length));
  let best: { name: string; at: number; length: number } | null = null;
  for (const d of list) {
    for (const word of [d.name, ...d.matches]) {
      const at = t.indexOf(word);
      if (at < 0) continue;
      if (!best || at < best.at || (at === best.at && word.length > best.length)) best = { name: d.name, at, length: word.length };
    }
  }
  return best?.name ?? null;
}

/** Whether the settings list counter departments at all (a knowledge base without them keeps departments as written). */
export const hasCounterDepartments = (settings: Pick<Settings, 'departments'>): boolean => (settings.departments ?? []).length > 0;

/**
 * The counter department that serves a matter: its department mapped; an FAQ or a policy without
 * one, that of the first related entry that has one; otherwise 综合窗口 (一件事 bundles are
 * received at the general window). Without counter departments in the settings, the entry's
 * department as written.
 */
export function entryCounterDepartment(settings: Pick<Settings, 'departments'>, entry: Entry | undefined, lookup: (id: string) => Entry | undefined): string {
  if (!entry) return GENERAL_COUNTER;
  const written = entry.department ?? ('related' in entry ? entry.related.map((id) => lookup(id)?.department).find((d) => d) : undefined);
  if (!written) return GENERAL_COUNTER;
  if (!hasCounterDepartments(settings)) return written;
  return counterDepartmentOf(counterDepartments(settings), written) ?? GENERAL_COUNTER;
}
