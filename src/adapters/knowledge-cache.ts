/**
 * The knowledge base as parsed, validated and indexed, kept on disk between starts (issue 16
 * part 4): with the 2,390-entry catalogue, parsing the YAML and building the search index took
 * most of the start-up. A start reads the knowledge files (or the published ones from the store),
 * works out their key, and loads the cached knowledge base and engine snapshot when a file with
 * that key is there; otherwise it parses and builds as before and writes the cache afterwards.
 *
 * The key is a SHA-256 over everything the result depends on: the cache format, the V8 version
 * (the file is V8's structured-clone format), the code that parses and indexes (every module of
 * src/knowledge and src/nlp, the jieba adapter, and the versions of the packages they use), the
 * engine options the caller passes, and each knowledge file's path and content — so an edited
 * entry, lexicon or setting, a published version, a retrieval constant or a changed tokenizer
 * all give another key, and a stale index is never loaded. The file starts with the SHA-256 of
 * its body: a file cut short or damaged is ignored (and rebuilt), never half used.
 *
 * One file is kept: writing a new one removes the others. Nothing here fails a start: a cache
 * that cannot be read or written is logged and the knowledge base is built as without it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import type { Flow } from '../dialogue/parse-flows.js';
import type { EngineSnapshot } from '../knowledge/engine.js';
import type { KnowledgeBase, SourceFile } from '../knowledge/parse-knowledge.js';
import { MIN_FREQUENCY } from './jieba-tokenizer.js';

/** Raised when what is stored changes shape in a way the code hash would not show. */
const CACHE_FORMAT = 1;
const PREFIX = 'knowledge-';
const SUFFIX = '.v8';
const DIGEST_BYTES = 32;

export interface CachedKnowledge {
  kb: KnowledgeBase;
  snapshot: EngineSnapshot;
  /**
   * The walkthroughs as parsed and checked against `kb`, when the key covers their files too
   * (server/live-knowledge.ts): a warm start then parses no YAML at all.
   */
  flows?: readonly Flow[];
}

export type CacheOutcome = 'hit' | 'miss' | 'unreadable';

export interface KnowledgeCache {
  /** The key of these knowledge files under this code and these engine options. */
  keyOf(files: readonly SourceFile[]): string;
  /** The cached knowledge for the key, or why there is none. */
  load(key: string): Promise<{ outcome: 'hit'; value: CachedKnowledge } | { outcome: Exclude<CacheOutcome, 'hit'>; value: null }>;
  /** Writes the knowledge under the key (atomically) and removes older files. */
  save(key: string, value: CachedKnowledge): Promise<void>;
}

export interface KnowledgeCacheOptions {
  /** Stands for the code that parses and indexes; by default a hash of it (`codeVersion()`). */
  code?: string;
  /** The engine options in use (gate, retrieval overrides …), as JSON-able data: part of the key. */
  engineOptions?: unknown;
}

/** The knowledge cache in `dir` (DATA_DIR/cache). */
export function createKnowledgeCache(dir: string, options: KnowledgeCacheOptions = {}): KnowledgeCache {
  const code = options.code ?? codeVersion();
  const fileOf = (key: string) => join(dir, `${PREFIX}${key}${SUFFIX}`);
  return {
    keyOf(files) {
      const h = createHash('sha256');
      h.update(JSON.stringify([CACHE_FORMAT, process.versions.v8, code, options.engineOptions ?? null, files.length]));
      // Lengths first, so no two lists of files run together into the same bytes.
      for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
        h.update(`\n${f.path.length}:${f.path}\n${f.content.length}:`);
        h.update(f.content);
      }
      return h.digest('hex');
    },
    async load(key) {
      let bytes: Buffer;
      try {
        bytes = await readFile(fileOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { outcome: 'miss', value: null };
        return { outcome: 'unreadable', value: null };
      }
      const value = decodeCache(bytes, key);
      return value ? { outcome: 'hit', value } : { outcome: 'unreadable', value: null };
    },
    async save(key, value) {
      await mkdir(dir, { recursive: true });
      const file = fileOf(key);
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, encodeCache(key, value));
      await rename(temp, file);
      for (const name of await readdir(dir)) {
        if (name.startsWith(PREFIX) && name !== `${PREFIX}${key}${SUFFIX}` && !name.endsWith('.tmp')) await unlink(join(dir, name)).catch(() => {});
      }
    },
  };
}

/** The file's bytes: the SHA-256 of the body, then the body (V8 structured clone of key, format and value). */
export function encodeCache(key: string, value: CachedKnowledge): Buffer {
  const body = v8.serialize({ format: CACHE_FORMAT, key, kb: value.kb, snapshot: value.snapshot, ...(value.flows ? { flows: value.flows } : {}) });
  return Buffer.concat([createHash('sha256').update(body).digest(), body]);
}

/** The value in the bytes if they are whole and were written for `key`; null otherwise. */
export function decodeCache(bytes: Buffer, key: string): CachedKnowledge | null {
  if (bytes.length <= DIGEST_BYTES) return null;
  const body = bytes.subarray(DIGEST_BYTES);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(0, DIGEST_BYTES))) return null;
  try {
    const stored = v8.deserialize(body) as { format?: unknown; key?: unknown; kb?: KnowledgeBase; snapshot?: EngineSnapshot; flows?: unknown };
    if (stored.format !== CACHE_FORMAT || stored.key !== key || !stored.kb || !stored.snapshot) return null;
    if (!Array.isArray(stored.kb.entries) || !Array.isArray(stored.snapshot.served) || !stored.snapshot.index?.postings) return null;
    if (stored.flows !== undefined && !Array.isArray(stored.flows)) return null;
    return { kb: stored.kb, snapshot: stored.snapshot, ...(stored.flows ? { flows: stored.flows as Flow[] } : {}) };
  } catch {
    return null;
  }
}

/** Packages whose behaviour the parsed knowledge base and the index depend on. */
const PACKAGES = ['yaml', 'zod', 'nodejieba', 'opencc-js', 'pinyin-pro', 'fuse.js'];

let version: string | undefined;

/**
 * A hash of the code that parses and indexes the knowledge base: every module file of
 * src/knowledge and src/nlp (or their compiled copies, whichever runs), the walkthroughs' parser
 * (src/dialogue/parse-flows and the conditions it parses), this folder's jieba
 * adapter, the trimmed dictionary's threshold and the versions of the packages used. Read once per
 * process (about a millisecond).
 */
export function codeVersion(): string {
  if (version) return version;
  const h = createHash('sha256');
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const folder of ['../knowledge', '../nlp']) {
    const path = join(here, folder);
    for (const name of readdirSync(path).filter((n) => /\.(ts|js)$/.test(n)).sort()) {
      h.update(`${folder}/${name}\n`);
      h.update(readFileSync(join(path, name)));
    }
  }
  const dialogue = join(here, '../dialogue');
  for (const name of readdirSync(dialogue).filter((n) => /^(parse-flows|condition)\.(ts|js)$/.test(n)).sort()) {
    h.update(`../dialogue/${name}\n`);
    h.update(readFileSync(join(dialogue, name)));
  }
  const jieba = readdirSync(here).find((n) => /^jieba-tokenizer\.(ts|js)$/.test(n));
  if (jieba) h.update(readFileSync(join(here, jieba)));
  h.update(`min-frequency:${MIN_FREQUENCY}\n`);
  for (const name of PACKAGES) h.update(`${name}@${packageVersion(name)}\n`);
  return (version = h.digest('hex').slice(0, 16));
}

/** The version in the package.json above where `name` resolves (some packages do not export their package.json). */
function packageVersion(name: string): string {
  try {
    // import.meta.resolve is missing where a bundler loads this module (vitest): resolved as CommonJS then, the same package.json above.
    const entry = typeof import.meta.resolve === 'function' ? fileURLToPath(import.meta.resolve(name)) : createRequire(import.meta.url).resolve(name);
    let dir = dirname(entry);
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? '?';
      } catch {
        /* no package.json here */
      }
      const up = dirname(dir);
      if (up === dir) return '?';
      dir = up;
    }
  } catch {
    return '?';
  }
}
