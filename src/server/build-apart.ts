/**
 * A start that finds no knowledge cache builds the knowledge base in a child process, which writes
 * the cache and exits; the serving process then loads the cache as a warm start would.
 *
 * Why (issue 16, memory): building the index allocates and frees a great deal of native memory
 * (typed arrays, jieba's cuts, the structured-clone buffer of the cache). glibc keeps most of it
 * after it is freed, so a process that built its own index idled ~45–60 MB above one that loaded
 * it (2026-12-03: 256–277 against 212–214 MB, shipped knowledge base) and carried that into its
 * peak under load. A child's memory goes back to the system when it exits.
 *
 * Nothing here can fail a start: when the child cannot be started, fails, or its files do not
 * validate, the caller builds in its own process exactly as before (and reports any problems
 * itself, with the same messages).
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../core/logger.js';
import type { SourceFile } from '../knowledge/parse-knowledge.js';

/** What the child needs: the cache folder, the key the parent expects, and the files it covers. */
export interface BuildJob {
  cacheDir: string;
  key: string;
  files: SourceFile[];
  flowFiles: SourceFile[];
  /** The day the engine is built for (which entries it serves), as the parent counts it. */
  today: string;
}

/** Resolves true once the cache holds `job.key`, false when the caller must build itself. */
export type BuildApart = (job: BuildJob) => Promise<boolean>;

/** The child's exit codes. */
export const BUILD_EXIT = {
  ok: 0,
  /** The files do not validate: the caller reports the problems. */
  invalid: 3,
  /** The child's code computes another key for the same files (another build of the code). */
  otherKey: 4,
} as const;

/**
 * Runs `script` (src/build-knowledge-cache.ts, or its compiled copy) with node and `execArgv`
 * (the parent's, so that `--import tsx` or heap settings carry over), the job on its stdin.
 */
export function spawnBuildApart(script: string, execArgv: readonly string[], logger: Logger, options: { timeoutMs?: number } = {}): BuildApart {
  // A build of the 2,401-entry knowledge base takes 5–15 s; a child still at it after this is stuck.
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  return (job) =>
    new Promise<boolean>((resolve) => {
      const started = performance.now();
      let stderr = '';
      let timedOut = false;
      let done = false;
      /** Settles once ('error' and 'close' may both come), logging why the caller must build itself. */
      const finish = (built: boolean, failure?: Record<string, unknown>) => {
        if (done) return;
        done = true;
        if (failure) logger.warn('knowledge_build_apart_failed', { note: '另起进程构建知识库失败，改在本进程构建', ...failure });
        else if (built) logger.info('knowledge_built_apart', { ms: Math.round(performance.now() - started) });
        resolve(built);
      };
      let child;
      try {
        child = spawn(process.execPath, [...execArgv, script], { stdio: ['pipe', 'ignore', 'pipe'], env: process.env });
      } catch (err) {
        finish(false, { error: String(err) });
        return;
      }
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        if (stderr.length < 4000) stderr += chunk;
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        finish(false, { error: String(err) });
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) finish(false, { timeoutMs, note: '另起进程构建知识库超时，已终止，改在本进程构建' });
        else if (code === BUILD_EXIT.ok) finish(true);
        // Invalid files are reported by the caller, which parses them again: not a failure of the child.
        else if (code === BUILD_EXIT.invalid) finish(false);
        else finish(false, { code, signal, error: stderr.trim().slice(-1000) });
      });
      // A child that dies before reading its job closes the pipe: that is reported by 'close'.
      child.stdin!.on('error', () => {});
      child.stdin!.end(JSON.stringify(job));
    });
}
