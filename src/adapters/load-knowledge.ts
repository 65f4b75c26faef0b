/**
 * The only knowledge module that touches the file system: reads every YAML file under a folder
 * and hands the text to the pure parser.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseKnowledge, type ParseResult, type SourceFile } from '../knowledge/parse-knowledge.js';

export async function readYamlFiles(dir: string): Promise<SourceFile[]> {
  const found = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = found
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
    .map((d) => join(d.parentPath, d.name))
    .sort();
  return Promise.all(
    files.map(async (full) => ({
      path: relative(dir, full).split(sep).join('/'),
      content: await readFile(full, 'utf8'),
    })),
  );
}

export async function loadKnowledge(dir: string): Promise<ParseResult> {
  return parseKnowledge(await readYamlFiles(dir));
}
