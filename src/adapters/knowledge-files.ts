/**
 * The knowledge folder as the export and review copy of what is published: an approved entry is
 * written to its file (a single-entry file, or its place in a list file such as faq/*.yaml),
 * atomically, so the files in knowledge/ match what is served. File I/O lives here and in
 * load-knowledge.ts only.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KnowledgeBase } from '../knowledge/parse-knowledge.js';
import type { Entry } from '../knowledge/schema.js';
import { fileOfEntry, fileWithEntry } from '../knowledge/write-entry.js';

/** Writes `content` to the file `file` (relative) of the knowledge folder, atomically. */
export async function writeKnowledgeFile(dir: string, file: string, content: string): Promise<void> {
  const path = join(dir, file);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, path);
}

/** Writes the entry of `kb` into the knowledge folder; returns the file (relative) it is in. */
export async function writeEntry(dir: string, kb: KnowledgeBase, entry: Entry): Promise<string> {
  const file = fileOfEntry(kb, entry);
  let existing: string | undefined;
  try {
    existing = await readFile(join(dir, file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const written = fileWithEntry(kb, entry, existing);
  await writeKnowledgeFile(dir, written.file, written.content);
  return written.file;
}
