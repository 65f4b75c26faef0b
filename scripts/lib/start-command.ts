/**
 * The node options `npm start` runs the server with (package.json's start script), so that the
 * benchmarks and the cluster test measure the server as users start it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function startNodeOptions(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.start ?? '').trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') throw new Error(`package.json: the start script is not "node [options] dist/main.js": ${pkg.scripts?.start}`);
  return words.slice(1, -1);
}
