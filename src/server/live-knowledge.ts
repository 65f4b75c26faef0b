/**
 * The knowledge base and walkthroughs the server answers from: read and validated at start (a
 * missing folder or a broken file stops the start, saying which), then replaced as a whole when an
 * editor publishes — a request in flight keeps the version it started with, the next one gets the
 * new one; no restart, nothing dropped.
 *
 * Every publish (and rollback) makes a new version, numbered 1, 2, 3 … in the store's `knowledge`
 * collection. With one instance (the embedded store) the knowledge folder is the truth and the
 * store keeps only the number (`knowledge/version`). When several instances share the store, the
 * published files themselves are kept in it (`knowledge/published`: the `{ path, content }` list
 * parseKnowledge reads, and its version), written under the lock `knowledge` with the next
 * number, so two publishes on two instances get consecutive versions and build on each other.
 * The first instance seeds the store from its folder; the others load the stored version. A
 * publish is announced on the bus topic `knowledge` as `{ version }`; an instance hearing of a
 * newer version than its own loads it from the store, and checks the stored number every few
 * seconds in case it missed a message. An instance never goes back to an older version.
 * Walkthroughs are not edited through Yici: they stay in FLOWS_DIR and are checked against each
 * new version.
 */
import type { CacheOutcome, KnowledgeCache } from '../adapters/knowledge-cache.js';
import { nextTurn } from '../core/event-loop.js';
import { readYamlFiles } from '../adapters/load-knowledge.js';
import { writeEntry, writeKnowledgeFile } from '../adapters/knowledge-files.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/logger.js';
import { serializer } from '../core/serialize.js';
import { parseFlows, type Flow } from '../dialogue/parse-flows.js';
import type { Runtime } from '../editor/editor-service.js';
import { createEngine, type Engine, type EngineSnapshot } from '../knowledge/engine.js';
import { formatProblem, parseKnowledge, type KnowledgeBase, type SourceFile } from '../knowledge/parse-knowledge.js';
import { fileOfEntry, fileWithEntry } from '../knowledge/write-entry.js';
import type { Tokenizer } from '../nlp/tokenizer.js';
import type { Bus, Store } from '../storage/ports.js';
import type { BuildJob } from './build-apart.js';
import { StartupError } from './startup-error.js';

/** Walkthrough files are named so in the knowledge cache's key, apart from the knowledge files. */
const FLOWS_KEY_PREFIX = 'flows:';

/** The knowledge cache's key for these knowledge files and walkthrough files: it keeps both, parsed. */
export const cacheKeyOf = (cache: KnowledgeCache, files: readonly SourceFile[], flowFiles: readonly SourceFile[]): string =>
  cache.keyOf([...files, ...flowFiles.map((f) => ({ path: `${FLOWS_KEY_PREFIX}${f.path}`, content: f.content }))]);

export interface LiveKnowledge {
  kb(): KnowledgeBase;
  engine(): Engine;
  flows(): readonly Flow[];
  /** The published version served now (for /api/health and the editors). */
  version(): number;
  /** What the editor publishes through. */
  runtime: Runtime;
  /** Stops listening for other instances' publishes. */
  close(): void;
  /**
   * How the start used the on-disk cache (adapters/knowledge-cache.ts): loaded it (hit), found
   * none (miss), found a damaged one (unreadable), or none was given (off); `saved` settles once
   * the cache is written after a start that built the engine (at once when nothing is written).
   */
  cache: { outcome: CacheOutcome | 'off'; saved: Promise<void> };
}

export interface KnowledgeSharing {
  store: Store;
  bus: Bus;
  /** Several instances share the store: the published knowledge base lives in it (true for PostgreSQL). */
  shared: boolean;
  /** How often a shared instance checks the stored version, in case it missed a bus message. */
  checkEveryMs?: number;
}

/** The engine a start serves for this knowledge base on `today` (from a snapshot of the same build when given). */
export const buildServed = (kb: KnowledgeBase, tokenizer: Tokenizer, today: string, from?: EngineSnapshot): Engine =>
  createEngine(kb, tokenizer, { today, ...(from ? { snapshot: from } : {}) });

/** The bus topic a publish is announced on, as `{ version }`. */
export const KNOWLEDGE_TOPIC = 'knowledge';
/** The lock every publish (and the seeding of an empty shared store) holds. */
const LOCK = 'knowledge';

/** `knowledge/published`: what a shared deployment serves. */
export interface PublishedKnowledge {
  version: number;
  files: SourceFile[];
  at: string;
}

interface Served {
  version: number;
  kb: KnowledgeBase;
  engine: Engine;
  flows: readonly Flow[];
  /** The source files of `kb` when the store keeps them (shared), else null: the folder has them. */
  files: SourceFile[] | null;
}

/** A folder that is not there is a setting gone wrong, not an empty knowledge base: say so. */
async function readFolder<T>(dir: string, setting: string, what: string, read: (dir: string) => Promise<T>): Promise<T> {
  try {
    return await read(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new StartupError(`找不到${what}目录：${dir}。请检查 ${setting}（不设时用项目里的默认目录）。`);
    throw err;
  }
}

/**
 * `makeTokenizer` is called once the files have validated (jieba takes a moment to load). With a
 * `cache`, the knowledge base as parsed and indexed is loaded from disk when its files (the
 * folder's, or the published ones in the store) are those it was built from, and written there
 * after a start that had to build it. With `buildApart` as well, a start that finds no cache has
 * it written by a child process first (server/build-apart.ts) and loads it from there.
 */
export async function loadLiveKnowledge(
  config: Pick<Config, 'knowledgeDir' | 'flowsDir'>,
  makeTokenizer: () => Tokenizer,
  logger: Logger,
  sharing: KnowledgeSharing,
  cache?: KnowledgeCache,
  buildApart?: (job: Omit<BuildJob, 'cacheDir'>) => Promise<boolean>,
): Promise<LiveKnowledge> {
  const { store, bus, shared } = sharing;
  const versionDoc = store.documents<{ version: number }>('knowledge');
  const publishedDoc = store.documents<PublishedKnowledge>('knowledge');
  let cacheOutcome: CacheOutcome | 'off' = cache ? 'miss' : 'off';
  let cacheKey: string | null = null;
  let snapshot: EngineSnapshot | undefined;
  let cachedFlows: readonly Flow[] | undefined;
  const today = () => new Date().toISOString().slice(0, 10);
  // The walkthroughs first: the cache's key covers their files too, so that it can keep them parsed.
  const flowFiles = await readFolder(config.flowsDir, 'FLOWS_DIR', '引导流程', readYamlFiles);
  /** These files' knowledge base: from the cache when it has them, else parsed and validated (null when they do not validate). */
  const parseOrLoad = async (files: SourceFile[]): Promise<ReturnType<typeof parseKnowledge>> => {
    if (cache) {
      let started = performance.now();
      const key = cacheKeyOf(cache, files, flowFiles);
      cacheKey = key;
      let found = await cache.load(key);
      cacheOutcome = found.outcome;
      if (found.outcome === 'unreadable') logger.warn('knowledge_cache_unreadable', { note: '知识库缓存文件损坏或读不出，已忽略并重建' });
      // Built by a child process, which leaves none of the build's memory in this one.
      if (!found.value && buildApart && (await buildApart({ key, files, flowFiles, today: today() }))) {
        started = performance.now();
        found = await cache.load(key);
      }
      if (found.value) {
        logger.info('knowledge_cache_loaded', { entries: found.value.kb.entries.length, ms: Math.round(performance.now() - started) });
        snapshot = found.value.snapshot;
        cachedFlows = found.value.flows;
        return { ok: true, kb: found.value.kb };
      }
    }
    return parseKnowledge(files);
  };
  const fromFolder = async (): Promise<{ files: SourceFile[]; kb: KnowledgeBase }> => {
    const files = await readFolder(config.knowledgeDir, 'KNOWLEDGE_DIR', '知识库', readYamlFiles);
    const parsed = await parseOrLoad(files);
    if (!parsed.ok) throw new StartupError(`知识库校验失败（${config.knowledgeDir}），服务未启动。请按提示修改后再启动：`, parsed.problems.map(formatProblem));
    return { files, kb: parsed.kb };
  };
  /** The files first, then the small `version` document the instances poll: whoever sees a number finds its files. */
  const save = async (p: PublishedKnowledge) => {
    await publishedDoc.write('published', p);
    await versionDoc.write('version', { version: p.version });
  };

  let start: { version: number; kb: KnowledgeBase; files: SourceFile[] | null };
  if (shared) {
    // Under the lock, so that of instances starting together on an empty store only one seeds it.
    const stored = await store.exclusive(LOCK, async () => {
      const found = await publishedDoc.read('published');
      if (found) return { ...found, kb: null };
      const { files, kb } = await fromFolder();
      await save({ version: 1, files, at: new Date().toISOString() });
      logger.info('knowledge_seeded', { version: 1, files: files.length });
      return { version: 1, files, kb };
    });
    let kb = stored.kb;
    if (!kb) {
      const parsed = await parseOrLoad(stored.files);
      if (!parsed.ok) throw new StartupError(`共享存储中的知识库（第 ${stored.version} 版）校验失败，服务未启动：`, parsed.problems.map(formatProblem));
      kb = parsed.kb;
    }
    start = { version: stored.version, kb, files: stored.files };
  } else {
    const { kb } = await fromFolder();
    start = { version: (await versionDoc.read('version'))?.version ?? 1, kb, files: null };
  }

  // Kept in the cache with the knowledge base they were checked against (the key covers both).
  const flowsLoaded = cachedFlows ? { ok: true as const, flows: [...cachedFlows] } : parseFlows(flowFiles, start.kb);
  if (!flowsLoaded.ok) {
    throw new StartupError(`引导流程校验失败（${config.flowsDir}），服务未启动。请按提示修改后再启动：`, flowsLoaded.problems.map(formatProblem));
  }
  const tokenizer = makeTokenizer();
  const engineOf = (kb: KnowledgeBase, from?: EngineSnapshot) => buildServed(kb, tokenizer, today(), from);
  let live: Served = { ...start, engine: engineOf(start.kb, snapshot), flows: flowsLoaded.flows };

  // After a start that built the engine (no cache, or the cached one serves other entries today),
  // the cache is written once the start is done: it takes a moment and is not needed to answer.
  // Only the start's knowledge base is written, parsed from exactly the files of its key; after a
  // publish the next start builds once and writes it.
  const written = live.engine.snapshot();
  const key = cacheKey as string | null;
  const stale = !snapshot || written.served.length !== snapshot.served.length || written.served.some((id, i) => id !== snapshot!.served[i]);
  const saved =
    cache && key && stale
      ? nextTurn()
          .then(() => cache.save(key, { kb: start.kb, snapshot: written, flows: flowsLoaded.flows }))
          .then(
            () => logger.info('knowledge_cache_saved', { entries: start.kb.entries.length }),
            (err: unknown) => logger.warn('knowledge_cache_not_saved', { error: String(err) }),
          )
      : Promise.resolve();

  // One change of the served version at a time in this instance: a publish, or loading a newer stored one.
  const local = serializer();
  // A stored version this instance could not load (its walkthroughs refuse it): not tried again.
  let refused = 0;
  /** Serves the stored version if it is newer than the one served; never an older one. */
  const catchUp = () =>
    local(async () => {
      const pointer = await versionDoc.read('version');
      if (!pointer || pointer.version <= Math.max(live.version, refused)) return;
      const stored = await publishedDoc.read('published');
      if (!stored || stored.version <= live.version) return;
      const parsed = parseKnowledge(stored.files);
      const checked = parsed.ok ? parseFlows(flowFiles, parsed.kb) : parsed;
      if (!parsed.ok || !checked.ok) {
        refused = stored.version;
        logger.error('knowledge_version_refused', { version: stored.version, problems: (checked.ok ? [] : checked.problems).slice(0, 20).map(formatProblem) });
        return;
      }
      live = { version: stored.version, kb: parsed.kb, engine: engineOf(parsed.kb), flows: checked.flows, files: stored.files };
      logger.info('knowledge_reloaded', { version: live.version, entries: parsed.kb.entries.length });
    });
  const failed = (err: unknown) => logger.warn('knowledge_check_failed', { error: String(err) });
  const stopListening = shared
    ? bus.subscribe(KNOWLEDGE_TOPIC, (message) => {
        const version = (message as { version?: unknown } | null)?.version;
        if (typeof version === 'number' && version > live.version) catchUp().catch(failed);
      })
    : () => {};
  const timer = shared ? setInterval(() => catchUp().catch(failed), sharing.checkEveryMs ?? 3000) : undefined;
  timer?.unref();

  return {
    kb: () => live.kb,
    engine: () => live.engine,
    flows: () => live.flows,
    version: () => live.version,
    close() {
      stopListening();
      clearInterval(timer);
    },
    cache: { outcome: cacheOutcome, saved },
    runtime: {
      kb: () => live.kb,
      version: () => live.version,
      candidate: (kb) => engineOf(kb),
      exclusive: (task) =>
        store.exclusive(LOCK, async () => {
          if (shared) await catchUp();
          return task();
        }),
      publish: (kb, entry) =>
        local(async () => {
          // A newer stored version this instance could not load: publishing on top of its own would undo it.
          if (refused > live.version) return [`本实例无法加载共享存储中的第 ${refused} 版知识库（见日志），不能在旧版本上发布。`];
          const checked = parseFlows(flowFiles, kb);
          if (!checked.ok) return checked.problems.map(formatProblem);
          const before = live;
          const version = before.version + 1;
          let files: SourceFile[] | null = null;
          if (before.files) {
            const written = fileWithEntry(before.kb, entry, before.files.find((f) => f.path === fileOfEntry(before.kb, entry))?.content);
            files = [...before.files.filter((f) => f.path !== written.file), { path: written.file, content: written.content }].sort((a, b) => a.path.localeCompare(b.path));
            await save({ version, files, at: new Date().toISOString() });
            // The store is the truth; the folder is this instance's export copy.
            await writeKnowledgeFile(config.knowledgeDir, written.file, written.content).catch((err: unknown) =>
              logger.warn('knowledge_file_not_written', { file: written.file, error: String(err) }),
            );
          } else {
            await writeEntry(config.knowledgeDir, before.kb, entry);
            await versionDoc.write('version', { version });
          }
          // Announced before this instance builds its own engine: the others build theirs meanwhile.
          await bus.publish(KNOWLEDGE_TOPIC, { version }).catch((err: unknown) => logger.warn('knowledge_announce_failed', { version, error: String(err) }));
          live = { version, kb, engine: engineOf(kb), flows: checked.flows, files };
          logger.info('knowledge_published', { version, entries: kb.entries.length });
          return [];
        }),
    },
  };
}
