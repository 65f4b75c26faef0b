/**
 * Start-up time and idle memory of the built server (dist/main.js) on the shipped knowledge base
 * and on the scale one (shipped + the 2,193-item catalogue of bench/data/, about 2,390 entries,
 * written as YAML into a temporary KNOWLEDGE_DIR), each started cold (an empty DATA_DIR: the
 * knowledge base is parsed, validated and indexed, then cached) and warm (the same DATA_DIR: the
 * knowledge cache is loaded). Issue 16 part 4's target: ≤ 2 s and ≤ 300 MB idle on the scale one.
 * Prints numbers; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { catalogueEntries } from './catalogue-entries.js';
import { waitHealthy } from './wait-healthy.js';
import { startNodeOptions } from './start-command.js';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const loadAverage = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) * 1024;
}

/** The shipped knowledge folder plus the catalogue as one list file; resolves the folder and its entry count. */
async function scaleKnowledge(root: string): Promise<{ dir: string; added: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'yici-bench-kb-'));
  await cp(join(root, 'knowledge'), dir, { recursive: true });
  const extra = catalogueEntries(await readFile(join(root, 'bench/data/zhongshan-service-items/items.jsonl'), 'utf8'));
  await mkdir(join(dir, 'items/catalogue'), { recursive: true });
  // The catalogue's departments are Guangdong's; counter routing needs one of settings.yaml's counters.
  const entries = extra.map((e) => ({ ...e, department: `综合窗口（${e.department}）` }));
  await writeFile(join(dir, 'items/catalogue/catalogue.yaml'), stringify(entries));
  return { dir, added: entries.length };
}

interface Start {
  ms: number;
  /** CPU time (user + system) the server used until it answered: what the start costs, less dependent on the machine's load than `ms`. */
  cpu: number;
  rss: number;
}

/** CPU milliseconds (user + system) a process has used so far. */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Spawns the server on `dataDir` and `knowledgeDir`; the time to the first 200 of /api/health and the RSS after `idleMs`. */
async function startOnce(root: string, knowledgeDir: string, dataDir: string, idleMs: number, waitForCache: boolean): Promise<Start> {
  const port = 3600 + Math.floor(Math.random() * 300);
  const t0 = performance.now();
  const child = spawn(process.execPath, [...startNodeOptions(root), join(root, 'dist/main.js')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, KNOWLEDGE_DIR: knowledgeDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const waited = await waitHealthy(`http://127.0.0.1:${port}`, 120_000, 20);
    const ms = Number.isNaN(waited) ? NaN : performance.now() - t0;
    const cpu = await cpuMs(child.pid!);
    await new Promise((r) => setTimeout(r, idleMs));
    const rss = await rssOf(child.pid!);
    // A cold start writes the cache after it is up: wait for it before the warm starts.
    const cacheDir = join(dataDir, 'knowledge-cache');
    for (let i = 0; waitForCache && i < 600; i++) {
      const names = await readdir(cacheDir).catch(() => [] as string[]);
      if (names.some((n) => n.endsWith('.v8'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { ms, cpu, rss };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function benchStartup(root: string, options: { quick: boolean }): Promise<void> {
  const scale = await scaleKnowledge(root);
  const warmRuns = options.quick ? 2 : 4;
  const idleMs = 2000;
  const rows: string[] = [];
  const loadBefore = await loadAverage();
  for (const [name, dir] of [
    ['shipped', join(root, 'knowledge')],
    [`scale (shipped + ${scale.added} catalogue items)`, scale.dir],
  ] as const) {
    const dataDir = await mkdtemp(join(tmpdir(), 'yici-bench-startup-'));
    const cold = await startOnce(root, dir, dataDir, idleMs, true);
    const warm: Start[] = [];
    for (let i = 0; i < warmRuns; i++) warm.push(await startOnce(root, dir, dataDir, idleMs, false));
    const ms = warm.map((w) => w.ms).sort((a, b) => a - b);
    const cpu = warm.map((w) => w.cpu).sort((a, b) => a - b);
    const rss = warm.map((w) => w.rss).sort((a, b) => a - b);
    const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
    rows.push(
      `| ${name} | ${cold.ms.toFixed(0)} ms | ${cold.cpu.toFixed(0)} ms | ${mb(cold.rss)} | ${median(ms).toFixed(0)} ms (${ms[0]!.toFixed(0)}–${ms.at(-1)!.toFixed(0)}) | ${median(cpu).toFixed(0)} ms (${cpu[0]!.toFixed(0)}–${cpu.at(-1)!.toFixed(0)}) | ${mb(median(rss))} (${mb(rss[0]!)}–${mb(rss.at(-1)!)}) |`,
    );
    await rm(dataDir, { recursive: true, force: true });
  }
  await rm(scale.dir, { recursive: true, force: true });
  console.log('\n## Start-up and idle memory: cold (no knowledge cache) and warm (cache in DATA_DIR)\n');
  console.log(`dist/main.js, lowdb store, spawn → first 200 from /api/health (polled every 20 ms); RSS ${idleMs / 1000} s after that. Warm: median (min–max) of ${warmRuns} starts.\n`);
  console.log('CPU: user + system time of the server process until it answered (on a quiet machine, about the wall time of a start; under load the wall time is longer).\n');
  console.log('| knowledge base | cold start-up | cold CPU | cold idle RSS | warm start-up | warm CPU | warm idle RSS |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`\nLoad average (1, 5, 15 min) before: ${loadBefore}; after: ${await loadAverage()} — on a shared machine the times are noisy.`);
}
