/**
 * The knowledge folder as the source of truth: an approved entry is written to its file (a
 * single-entry file, or its place in a list file such as faq/*.yaml), atomically, so the files in
 * knowledge/ always match what is served. File I/O lives here and in load-knowledge.ts only.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { KnowledgeBase } from '../knowledge/parse-knowledge.js';
import type { Entry } from '../knowledge/schema.js';
import { entryToYaml, listToYaml } from '../knowledge/write-entry.js';

const FOLDER: Record<Entry['kind'], string> = { item: 'items', bundle: 'bundles', faq: 'faq', policy: 'policies' };

/** Where a new entry goes: items/<name>.yaml for id item-<name>, faq/editor.yaml for a new FAQ. */
export function fileForNew(entry: Entry): string {
  if (entry.kind === 'faq') return 'faq/editor.yaml';
  return `${FOLDER[entry.kind]}/${entry.id.slice(entry.kind.length + 1)}.yaml`;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** Writes the entry into the knowledge folder; returns the file (relative) it is in. */
export async function writeEntry(dir: string, kb: KnowledgeBase, entry: Entry): Promise<string> {
  const file = kb.fileOf[entry.id] ?? fileForNew(entry);
  const full = join(dir, file);
  let existing: unknown;
  try {
    existing = parse(await readFile(full, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    existing = undefined;
  }
  if (Array.isArray(existing)) {
    const list = kb.entries.filter((e) => kb.fileOf[e.id] === file && e.id !== entry.id);
    const position = (existing as { id?: string }[]).findIndex((x) => x?.id === entry.id);
    const next = [...list];
    next.splice(position < 0 ? next.length : position, 0, entry);
    await writeAtomically(full, listToYaml(next));
  } else if (existing === undefined && entry.kind === 'faq') {
    await writeAtomically(full, listToYaml([entry]));
  } else {
    await writeAtomically(full, entryToYaml(entry));
  }
  return file;
}
