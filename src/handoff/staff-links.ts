/**
 * Links a messaging identity (a Teams user) to an officer account. The officer asks the console for
 * a one-time code (valid 10 minutes) and sends 「绑定 123456」 to the bot: the code proves the
 * account, the Bot Framework's signed request proves the Teams identity.
 *
 * A 6-digit code can be guessed, so guessing has a small budget: every wrong code counts against
 * the identity that sent it (MAX_MISSES_PER_IDENTITY in MISS_WINDOW_MS, then it is refused without
 * a check) and against every outstanding code (after MAX_MISSES_PER_CODE wrong codes anywhere a
 * code is void and the officer makes a new one). Codes are stored as hashes; redemptions go one
 * at a time, under the store's lock 'staff-links', so parallel guesses are counted exactly on any
 * number of instances.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Store } from '../storage/ports.js';

const CODE_MINUTES = 10;
export const MAX_MISSES_PER_CODE = 5;
export const MAX_MISSES_PER_IDENTITY = 5;
export const MISS_WINDOW_MS = 15 * 60_000;

interface PendingCode {
  username: string;
  expiresAt: string;
  /** Wrong codes sent by anyone since this one was issued. */
  misses: number;
}
interface LinkState {
  /** By hash of the code. */
  codes: Record<string, PendingCode>;
  /** Wrong codes by hash of the identity. */
  misses: Record<string, { count: number; firstAt: number }>;
}

const hash = (kind: string, value: string) => createHash('sha256').update(`yici-link\n${kind}\n${value}`).digest('hex').slice(0, 32);

export function createStaffLinks(store: Store, now: () => Date = () => new Date()) {
  const stateDoc = store.documents<LinkState>('staff-links');
  const identities = store.documents<{ username: string; linkedAt: string }>('staff-identities');
  /** Reads, changes and writes the state, one change at a time; expired codes and old misses are dropped. */
  const change = <T>(task: (s: LinkState, t: number) => T): Promise<T> =>
    store.exclusive('staff-links', async () => {
      const t = now().getTime();
      const s = (await stateDoc.read('all')) ?? { codes: {}, misses: {} };
      const fresh: LinkState = {
        codes: Object.fromEntries(Object.entries(s.codes).filter(([, c]) => Date.parse(c.expiresAt) > t && c.misses < MAX_MISSES_PER_CODE)),
        misses: Object.fromEntries(Object.entries(s.misses).filter(([, m]) => t - m.firstAt <= MISS_WINDOW_MS)),
      };
      const out = task(fresh, t);
      await stateDoc.write('all', fresh);
      return out;
    });

  return {
    async issue(username: string): Promise<{ code: string; expiresAt: string }> {
      return change((s, t) => {
        // A new code replaces the officer's earlier ones.
        for (const [k, c] of Object.entries(s.codes)) if (c.username === username) delete s.codes[k];
        let code: string;
        do code = String(randomInt(100_000, 1_000_000));
        while (s.codes[hash('code', code)]);
        const expiresAt = new Date(t + CODE_MINUTES * 60_000).toISOString();
        s.codes[hash('code', code)] = { username, expiresAt, misses: 0 };
        return { code, expiresAt };
      });
    },
    /** The account the code was issued to, once; null when wrong, expired, void, or the identity has used up its tries. */
    async redeem(code: string, identity: string): Promise<string | null> {
      const username = await change((s, t) => {
        const who = hash('identity', identity);
        const m = s.misses[who];
        if (m && m.count >= MAX_MISSES_PER_IDENTITY) return null;
        const key = hash('code', code);
        const found = s.codes[key];
        if (found) {
          delete s.codes[key];
          return found.username;
        }
        s.misses[who] = m ? { ...m, count: m.count + 1 } : { count: 1, firstAt: t };
        for (const c of Object.values(s.codes)) c.misses += 1;
        return null;
      });
      if (username) await identities.write(identity, { username, linkedAt: now().toISOString() });
      return username;
    },
    async whoIs(identity: string): Promise<string | null> {
      return (await identities.read(identity))?.username ?? null;
    },
  };
}
export type StaffLinks = ReturnType<typeof createStaffLinks>;
