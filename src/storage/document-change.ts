/**
 * Applying a commit's change (ports.ts › DocumentChange) to a document, for the stores that
 * journal changes instead of rewriting the document (lowdb, PostgreSQL).
 */
import type { DocumentChange } from './ports.js';

/** Changes a document collects before the next commit rewrites it whole (compaction). */
export const JOURNAL_LIMIT = 32;

/** Applies one change to a document's value (a fresh copy, changed in place). */
export function applyChange(value: Record<string, unknown>, change: DocumentChange): void {
  Object.assign(value, change.set ?? {});
  for (const [field, items] of Object.entries(change.push ?? {})) {
    const list = value[field];
    value[field] = Array.isArray(list) ? [...(list as unknown[]), ...items] : [...items];
  }
}
