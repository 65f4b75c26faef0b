/**
 * Coordination for a store that one process owns (memory, lowdb): named locks are in-process
 * serializers and every lease is held by its asker. Shared by both embedded stores.
 */
import { keyedSerializer } from '../core/serialize.js';

export function localCoordination(): {
  exclusive<T>(name: string, task: () => Promise<T>): Promise<T>;
  lease(name: string, holder: string, ttlMs: number): Promise<boolean>;
} {
  const lines = keyedSerializer();
  return {
    exclusive: (name, task) => lines(name, task),
    lease: async () => true,
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
