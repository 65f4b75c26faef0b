/**
 * The server as `npm start` runs it (src/main.ts in a child process, with node options): a first
 * start on an empty DATA_DIR has a child process build the knowledge cache and loads it from there
 * (the wiring of main.ts: the script beside it, the node options passed on); a start with a heap
 * limit of 2 GB or more is warned about (heap_limit_large), one with npm start's limit is not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/free-port.js';
import { startNodeOptions } from '../../scripts/lib/start-command.js';

const root = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

type LogEvent = { event: string; [k: string]: unknown };

/** Starts src/main.ts with these node options; resolves the log events up to a healthy start, then stops it. */
async function startOnce(dataDir: string, nodeOptions: string[]): Promise<LogEvent[]> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => void (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => void (err = (err + c.toString()).slice(-2000)));
  const events = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogEvent);
  for (const until = Date.now() + 90_000; Date.now() < until; await sleep(200)) {
    if (child.exitCode !== null) break;
    // Healthy, and main.ts has logged what it logs after the start (the heap check).
    if (events().some((e) => e.event === 'started') && out.includes('已启动')) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      return events();
    }
  }
  throw new Error(`the server did not start:\n${err}`);
}

describe('the server started as npm start runs it', () => {
  it('builds the knowledge cache in a child process on its first start, and warns only about a large heap limit', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-main-'));
    const first = await startOnce(dataDir, startNodeOptions(root));
    const names = first.map((e) => e.event);
    expect(names).toContain('knowledge_built_apart');
    expect(names).toContain('knowledge_cache_loaded');
    expect(names).not.toContain('knowledge_build_apart_failed');
    expect(names).not.toContain('heap_limit_large');
    expect(first.find((e) => e.event === 'started')).toMatchObject({ heapLimitMb: expect.any(Number) });
    expect((first.find((e) => e.event === 'started')!.heapLimitMb as number) < 2048).toBe(true);

    // The next start finds the cache: no child. With a 2 GB limit it is warned about.
    const second = await startOnce(dataDir, ['--max-old-space-size=2048']);
    const again = second.map((e) => e.event);
    expect(again).toContain('knowledge_cache_loaded');
    expect(again).not.toContain('knowledge_built_apart');
    expect(again).toContain('heap_limit_large');
  }, 180_000);
});
