import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under a folder, at any depth (for checking what a store wrote to disk). */
export async function allFiles(dir: string): Promise<string[]> {
  const found = await readdir(dir, { recursive: true, withFileTypes: true });
  return found.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
