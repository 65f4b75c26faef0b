/**
 * Writes an entry back to YAML the way people keep the files: a stable key order, no default
 * values repeated, Chinese kept as is. Pure: entry in, text out.
 */
import { parse, stringify } from 'yaml';
import type { KnowledgeBase } from './parse-knowledge.js';
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

const FOLDER: Record<Entry['kind'], string> = { item: 'items', bundle: 'bundles', faq: 'faq', policy: 'policies' };

/** Where a new entry goes: items/<name>.yaml for id item-<name>, faq/editor.yaml for a new FAQ. */
export function fileForNew(entry: Entry): string {
  if (entry.kind === 'faq') return 'faq/editor.yaml';
  return `${FOLDER[entry.kind]}/${entry.id.slice(entry.kind.length + 1)}.yaml`;
}

/** The file (relative to the knowledge folder) an entry is kept in, or goes to when it is new. */
export const fileOfEntry = (kb: KnowledgeBase, entry: Entry): string => kb.fileOf[entry.id] ?? fileForNew(entry);

/**
 * The file an entry of `kb` is kept in and its text with the entry written in: a single-entry
 * file, or its place in a list file such as faq/*.yaml (`existing` is that file's text now,
 * undefined when there is none yet).
 */
export function fileWithEntry(kb: KnowledgeBase, entry: Entry, existing: string | undefined): { file: string; content: string } {
  const file = fileOfEntry(kb, entry);
  const value: unknown = existing === undefined ? undefined : parse(existing);
  if (Array.isArray(value)) {
    const list = kb.entries.filter((e) => kb.fileOf[e.id] === file && e.id !== entry.id);
    const position = (value as { id?: string }[]).findIndex((x) => x?.id === entry.id);
    list.splice(position < 0 ? list.length : position, 0, entry);
    return { file, content: listToYaml(list) };
  }
  return { file, content: value === undefined && entry.kind === 'faq' ? listToYaml([entry]) : entryToYaml(entry) };
}
