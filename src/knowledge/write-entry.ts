/**
 * Writes an entry back to YAML the way people keep the files: a stable key order, no default
 * values repeated, Chinese kept as is. Pure: entry in, text out.
 */
import { stringify } from 'yaml';
import type { Entry } from './schema.js';

const ORDER = [
  'id', 'kind', 'title', 'aliases', 'keywords', 'department', 'summary', 'answer', 'points', 'issuedBy', 'docNo',
  'conditions', 'materials', 'items', 'situations', 'steps', 'channels', 'timeLimit', 'fees', 'legalBasis', 'related',
  'sources', 'verified', 'lastVerified', 'unverified', 'effectiveFrom', 'expiresOn', 'tags', 'produces',
];
const MATERIAL_ORDER = ['name', 'ref', 'originals', 'copies', 'required', 'substitute', 'when', 'note'];

const ordered = (obj: Record<string, unknown>, order: string[]) =>
  Object.fromEntries(
    Object.entries(obj)
      .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
      .sort(([a], [b]) => (order.indexOf(a) + 1 || 999) - (order.indexOf(b) + 1 || 999)),
  );

/** The entry as plain data in file order, without defaults (empty lists, required: true). */
export function entryForFile(entry: Entry): Record<string, unknown> {
  const e = { ...entry } as Record<string, unknown>;
  if ('materials' in entry) {
    e.materials = entry.materials.map((m) => {
      const { required, ...rest } = m;
      return ordered(required ? rest : { ...rest, required }, MATERIAL_ORDER);
    });
  }
  return ordered(e, ORDER);
}

export function entryToYaml(entry: Entry): string {
  return stringify(entryForFile(entry), { lineWidth: 0, minContentWidth: 0 });
}

/** A file holding a list of entries (FAQs), with one replaced or added. */
export function listToYaml(entries: Entry[]): string {
  return stringify(entries.map(entryForFile), { lineWidth: 0, minContentWidth: 0 });
}
