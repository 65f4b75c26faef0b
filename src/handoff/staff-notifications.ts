/**
 * A case waiting for a person — newly asked for, or transferred to another department — is told
 * to every officer who serves its department, wherever they can be reached outside the console
 * (Teams), with a way to claim it — by the instance where the change was made, so once.
 */
import { isActiveStaff, type PublicUser } from '../auth/accounts.js';
import type { Logger } from '../core/logger.js';
import type { HandoffService } from './handoff-service.js';
import { sees } from './officer-actions.js';

/** What an officer is told about a case. */
export interface CaseNotice {
  sessionId: string;
  title: string;
  text: string;
}

export interface StaffNotificationDeps {
  handoff: HandoffService;
  /** All accounts; the officers and admins who may see the case are told. */
  accounts: () => Promise<PublicUser[]>;
  /** Tells one staff member on every channel that can reach them. */
  notify: (username: string, notice: CaseNotice) => Promise<void>;
  /** The title of the matter a case is about. */
  title: (entryId: string) => string | undefined;
  /** Departments as written → counter department (department-desk.ts). */
  departmentOf?: (text: string) => string;
  logger: Logger;
}

/** Starts telling; returns the function that stops it. */
export function notifyStaffOfQueuedCases(deps: StaffNotificationDeps): () => void {
  // Only for changes made on this instance: every instance hears every change, and each officer is told once.
  return deps.handoff.onChange((c, r, here) => {
    if (!here || !r.ok || c.status !== 'queued' || (r.event.type !== 'request' && r.event.type !== 'transfer')) return;
    void (async () => {
      const title = c.entryId ? (deps.title(c.entryId) ?? c.entryId) : '未识别的事项';
      const notice: CaseNotice = { sessionId: c.sessionId, title: `新的转人工：${title}`, text: `部门：${deps.departmentOf?.(c.department) ?? c.department}${c.reason ? `；原因：${c.reason}` : ''}` };
      for (const u of await deps.accounts()) {
        if (isActiveStaff(u) && sees(u, c, deps.departmentOf)) await deps.notify(u.username, notice);
      }
    })().catch((err) => deps.logger.warn('staff_notify_failed', { error: String((err as Error).message ?? err) }));
  });
}
