/**
 * A start without a knowledge cache has it built by a child process (server/build-apart.ts,
 * src/build-knowledge-cache.ts) and serves what the child wrote; when the child cannot help — files
 * that do not validate, a script that fails — the start builds in its own process as before, with
 * the same problems reported.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { createKnowledgeCache } from '../../src/adapters/knowledge-cache.js';
import { createLogger } from '../../src/core/logger.js';
import type { SourceFile } from '../../src/knowledge/parse-knowledge.js';
import { spawnBuildApart, type BuildApart } from '../../src/server/build-apart.js';
import { loadLiveKnowledge, type LiveKnowledge } from '../../src/server/live-knowledge.js';
import { StartupError } from '../../src/server/startup-error.js';
import { createLocalBus } from '../../src/storage/local-bus.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { FIXTURE_FILES, knowledgeFolders } from '../helpers/fixture-kb.js';

const root = resolve(import.meta.dirname, '../..');
const SCRIPT = join(root, 'src/build-knowledge-cache.ts');

const running: LiveKnowledge[] = [];
afterEach(() => {
  for (const k of running.splice(0)) k.close();
});

const folders = (files: SourceFile[] = FIXTURE_FILES) => knowledgeFolders(files, 'yici-apart-');

function logged() {
  const events: { event: string; [k: string]: unknown }[] = [];
  const logger = createLogger('info', (line) => events.push(JSON.parse(line) as { event: string }));
  return { logger, events, names: () => events.map((e) => e.event) };
}

async function start(dirs: Awaited<ReturnType<typeof folders>>, apart: BuildApart | undefined, logger = logged().logger) {
  const cache = createKnowledgeCache(dirs.cacheDir);
  const k = await loadLiveKnowledge(dirs, createJiebaTokenizer, logger, { store: createMemoryStore(), bus: createLocalBus(), shared: false }, cache, apart ? (job) => apart({ ...job, cacheDir: dirs.cacheDir }) : undefined);
  running.push(k);
  await k.cache.saved;
  return k;
}

const QUESTIONS = ['个体户营业执照怎么办', '身份证丢了怎么补', '营业执照要多少钱', '明天天气怎么样'];
const answers = (k: LiveKnowledge) => QUESTIONS.map((q) => {
  const r = k.engine().search(q, 3);
  return { q, band: r.band, results: r.results.map((x) => [x.entry.id, x.score]) };
});

describe('the knowledge cache built by a child process', () => {
  it('is written by the child and served by the start, which builds nothing itself', async () => {
    const dirs = await folders();
    const log = logged();
    const k = await start(dirs, spawnBuildApart(SCRIPT, ['--import', 'tsx'], log.logger), log.logger);
    // The start found no cache; the child wrote it; the start loaded it and had nothing to write.
    expect(k.cache.outcome).toBe('miss');
    expect(log.events.filter((e) => e.event === 'knowledge_build_apart_failed')).toEqual([]);
    expect(log.names()).toContain('knowledge_built_apart');
    expect(log.names()).toContain('knowledge_cache_loaded');
    expect(log.names()).not.toContain('knowledge_cache_saved');
    expect((await readdir(dirs.cacheDir)).filter((n) => n.endsWith('.v8'))).toHaveLength(1);
    // It answers as a start that built the engine in its own process.
    const inProcess = await start(await folders(), undefined);
    expect(answers(k)).toEqual(answers(inProcess));
    expect(k.kb()).toEqual(inProcess.kb());
  }, 60_000);

  it('leaves files that do not validate to the start, which reports the same problems', async () => {
    const broken = FIXTURE_FILES.map((f) => (f.path === FIXTURE_FILES[0]!.path ? { ...f, content: `${f.content}\n  - [未闭合` } : f));
    const expected = await start(await folders(broken), undefined).then(
      () => null,
      (err: unknown) => err,
    );
    expect(expected).toBeInstanceOf(StartupError);
    const log = logged();
    const dirs = await folders(broken);
    const got = await start(dirs, spawnBuildApart(SCRIPT, ['--import', 'tsx'], log.logger), log.logger).then(
      () => null,
      (err: unknown) => err,
    );
    expect(got).toBeInstanceOf(StartupError);
    expect((got as StartupError).problems).toEqual((expected as StartupError).problems);
    // Invalid files are not the child's failure: nothing logged as one, nothing cached.
    expect(log.names()).not.toContain('knowledge_build_apart_failed');
    expect(await readdir(dirs.cacheDir).catch(() => [])).toEqual([]);
  }, 60_000);

  it('falls back to building in the start when the child fails', async () => {
    const dirs = await folders();
    const log = logged();
    const k = await start(dirs, spawnBuildApart(join(root, 'src/no-such-script.ts'), ['--import', 'tsx'], log.logger), log.logger);
    expect(log.names()).toContain('knowledge_build_apart_failed');
    // Built here, and the cache written by this start as without a child.
    expect(log.names()).toContain('knowledge_cache_saved');
    expect(answers(k)).toEqual(answers(await start(await folders(), undefined)));
  }, 60_000);

  // Without the time limit the start would wait for the stuck child for ever (the test's own limit fails it).
  it('stops a child that takes too long, and builds in the start', async () => {
    const dirs = await folders();
    const stuck = join(dirs.cacheDir, '..', 'stuck.mjs');
    await writeFile(stuck, 'setInterval(() => {}, 1000);\n');
    const log = logged();
    const k = await start(dirs, spawnBuildApart(stuck, [], log.logger, { timeoutMs: 500 }), log.logger);
    expect(log.events.find((e) => e.event === 'knowledge_build_apart_failed')).toMatchObject({ timeoutMs: 500 });
    expect(log.names()).toContain('knowledge_cache_saved');
    expect(k.engine().search('个体户营业执照怎么办', 3).results[0]?.entry.id).toBeDefined();
  }, 60_000);
});
