/**
 * Coordination for a store that one process owns (memory, lowdb): named locks are in-process
 * serializers, and a lease is held by one holder at a time until it lapses — so several instances
 * started in one process on one store (tests) run a periodic job once, as they would on PostgreSQL.
 * Shared by both embedded stores.
 */
import { keyedSerializer } from '../core/serialize.js';

export function localCoordination(now: () => number = Date.now): {
  exclusive<T>(name: string, task: () => Promise<T>): Promise<T>;
  lease(name: string, holder: string, ttlMs: number): Promise<boolean>;
} {
  const lines = keyedSerializer();
  const leases = new Map<string, { holder: string; until: number }>();
  return {
    exclusive: (name, task) => lines(name, task),
    async lease(name, holder, ttlMs) {
      const t = now();
      const held = leases.get(name);
      if (held && held.holder !== holder && held.until > t) return false;
      leases.set(name, { holder, until: t + ttlMs });
      return true;
    },
  };
}

/** Records with `at` in [from, to), oldest first, from records newest first. */
export function inRange<T>(newestFirst: readonly T[], from: string, to: string): T[] {
  const out: T[] = [];
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const at = (newestFirst[i] as { at?: unknown }).at;
    if (typeof at === 'string' && at >= from && at < to) out.push(newestFirst[i]!);
  }
  return out;
}
