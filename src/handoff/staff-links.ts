/**
 * Links a messaging identity (a Teams user) to an officer account. The officer asks the console for
 * a one-time code (valid 10 minutes) and sends 「绑定 123456」 to the bot: the code proves the
 * account, the Bot Framework's signed request proves the Teams identity.
 */
import { randomInt } from 'node:crypto';
import type { Store } from '../storage/ports.js';

const CODE_MINUTES = 10;

export function createStaffLinks(store: Store, now: () => Date = () => new Date()) {
  const codes = store.documents<{ username: string; expiresAt: string }>('staff-link-codes');
  const identities = store.documents<{ username: string; linkedAt: string }>('staff-identities');
  return {
    async issue(username: string): Promise<{ code: string; expiresAt: string }> {
      const code = String(randomInt(100_000, 1_000_000));
      const expiresAt = new Date(now().getTime() + CODE_MINUTES * 60_000).toISOString();
      await codes.write(code, { username, expiresAt });
      return { code, expiresAt };
    },
    /** The account the code was issued to, once; null when unknown or expired. */
    async redeem(code: string, identity: string): Promise<string | null> {
      const c = await codes.read(code);
      if (!c) return null;
      await codes.delete(code);
      if (c.expiresAt < now().toISOString()) return null;
      await identities.write(identity, { username: c.username, linkedAt: now().toISOString() });
      return c.username;
    },
    async whoIs(identity: string): Promise<string | null> {
      return (await identities.read(identity))?.username ?? null;
    },
  };
}
export type StaffLinks = ReturnType<typeof createStaffLinks>;
