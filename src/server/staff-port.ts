/**
 * Officers working from Teams (or another chat channel): the channel's StaffPort, made of the same
 * officer actions as the console (handoff/officer-actions.ts) and the one-time codes that link a
 * channel identity to an officer account. Only officer and admin accounts may act.
 */
import { isActiveStaff, type Accounts, type PublicUser } from '../auth/accounts.js';
import type { StaffOutcome, StaffPort } from '../channels/channel.js';
import type { OfficerActions } from '../handoff/officer-actions.js';
import type { StaffLinks } from '../handoff/staff-links.js';

type Outcome = { ok: true } | { ok: false; code: string; reason: string };

export function createStaffPort(deps: { accounts: Accounts; staffLinks: StaffLinks; officerActions: OfficerActions }): StaffPort {
  const { staffLinks, officerActions } = deps;
  const staffUser = async (username: string): Promise<PublicUser | null> => {
    const u = await deps.accounts.get(username);
    return u && isActiveStaff(u) ? u : null;
  };
  const asStaff = async (username: string, act: (u: PublicUser) => Promise<Outcome>): Promise<StaffOutcome> => {
    const u = await staffUser(username);
    if (!u) return { ok: false, code: 'forbidden', reason: '这个账号不是工作人员账号。' };
    const r = await act(u);
    return r.ok ? { ok: true } : { ok: false, code: r.code, reason: r.reason };
  };
  return {
    link: async (code, identity) => {
      const username = await staffLinks.redeem(code, identity);
      return username && (await staffUser(username)) ? username : null;
    },
    whoIs: (identity) => staffLinks.whoIs(identity),
    claim: (username, sessionId) => asStaff(username, (u) => officerActions.claim(u, sessionId)),
    reply: (username, sessionId, text) => asStaff(username, (u) => officerActions.reply(u, sessionId, text)),
    resolve: (username, sessionId) => asStaff(username, (u) => officerActions.resolve(u, sessionId, '在 Teams 中结束')),
  };
}
