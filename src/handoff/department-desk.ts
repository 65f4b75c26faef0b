/**
 * The counter departments at work: which of them the officers serve, where a new case goes when
 * nobody serves its department (综合窗口, and the admin is warned), and the warnings kept for the
 * admin. Departments as written anywhere — an officer account's free text, an old case's long
 * knowledge-base string — are read through the settings' mapping (knowledge/departments.ts).
 */
import type { PublicUser } from '../auth/accounts.js';
import type { Logger } from '../core/logger.js';
import { counterDepartmentOf, counterDepartments, GENERAL_COUNTER, type CounterDepartment } from '../knowledge/departments.js';
import type { Settings } from '../knowledge/schema.js';
import type { Store } from '../storage/ports.js';

/** A case that arrived for a department nobody serves. */
export interface UnservedWarning {
  at: string;
  sessionId: string;
  /** The department the case was for. */
  department: string;
  /** Where it went instead (综合窗口), or null when it was refused (a transfer) or already there. */
  routedTo: string | null;
  entryId: string | null;
  by: 'citizen' | 'transfer';
}

export interface DepartmentDesk {
  list(): CounterDepartment[];
  /** The counter department a department as written means; text that means none is kept as written. */
  of(text: string): string;
  /** Whether `name` is one of the counter departments. */
  known(name: string): boolean;
  /** Counter department → officers (usernames) who serve it; an officer with no departments serves all. */
  staffing(): Promise<Map<string, string[]>>;
  /** Where a new case for `department` goes: there, or 综合窗口 when no officer serves it (warned). */
  route(department: string, c: { sessionId: string; entryId: string | null; at: string }): Promise<{ department: string; routedFrom?: string }>;
  /** A transfer to a department nobody serves is refused (but to 综合窗口); the admin is warned. True when it may go. */
  servedForTransfer(department: string, c: { sessionId: string; entryId: string | null; at: string }): Promise<boolean>;
  /** The most recent warnings, newest first. */
  warnings(limit?: number): Promise<UnservedWarning[]>;
}

export function createDepartmentDesk(deps: {
  settings: () => Pick<Settings, 'departments'>;
  accounts: () => Promise<PublicUser[]>;
  store: Store;
  logger: Logger;
}): DepartmentDesk {
  const log = deps.store.log<UnservedWarning>('department-warnings');
  const list = () => counterDepartments(deps.settings());
  const of = (text: string) => counterDepartmentOf(list(), text) ?? text.trim();
  const staffing = async () => {
    const names = list().map((d) => d.name);
    const out = new Map<string, string[]>(names.map((n) => [n, []]));
    for (const u of await deps.accounts()) {
      if (u.role !== 'officer' || u.disabled) continue; // a disabled officer serves nothing
      const serves = u.departments.length === 0 ? names : [...new Set(u.departments.map(of))];
      for (const d of serves) out.get(d)?.push(u.username);
    }
    return out;
  };
  const served = async (department: string) => ((await staffing()).get(department)?.length ?? 0) > 0;
  const warn = async (w: UnservedWarning) => {
    deps.logger.warn('department_unserved', { sessionId: w.sessionId, department: w.department, routedTo: w.routedTo, by: w.by });
    await log.append(w);
  };
  return {
    list,
    of,
    known: (name) => list().some((d) => d.name === name),
    staffing,
    async route(department, c) {
      const d = of(department);
      if (await served(d)) return { department: d };
      const moved = d !== GENERAL_COUNTER;
      await warn({ at: c.at, sessionId: c.sessionId, department: d, routedTo: moved ? GENERAL_COUNTER : null, entryId: c.entryId, by: 'citizen' });
      return moved ? { department: GENERAL_COUNTER, routedFrom: d } : { department: d };
    },
    async servedForTransfer(department, c) {
      if (await served(department)) return true;
      await warn({ at: c.at, sessionId: c.sessionId, department, routedTo: null, entryId: c.entryId, by: 'transfer' });
      // 综合窗口 is the last resort: a case may always go there (the admin sees it, and is warned).
      return department === GENERAL_COUNTER;
    },
    warnings: (limit = 50) => log.recent(limit),
  };
}
