/**
 * `npm run bench`: prints measured numbers, asserts nothing.
 *  (a) engine latency per question on the shipped knowledge base and on a scale knowledge base
 *      (shipped + the 2,262-item catalogue in bench/data/);
 *  (b) cost of one chat message on the lowdb store with 0 and many past conversations;
 *  (c) HTTP: start-up time, POST /api/chat throughput and latency with autocannon at 50
 *      connections (persistence on), and the server's memory.
 *  (d) with --cluster: one instance on lowdb vs two on PostgreSQL + Redis behind nginx (deploy/nginx.conf)
 *      where it is installed, else the Node.js round-robin proxy — in a process of its own either way;
 *      the pair over TCP and, where PostgreSQL's Unix socket is on this machine, over the socket.
 *  (e) with --startup: start-up time and idle memory, cold and warm (knowledge cache), on the
 *      shipped and the scale knowledge base (scripts/lib/bench-startup.ts); --startup alone skips (a)–(c).
 * Options: --quick (shorter runs), --skip-http, --cluster, --startup, --dashboard (only the
 * dashboard and inbox with 1,000,000 logged questions, scripts/lib/bench-dashboard.ts; 100,000 with --quick).
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { parse } from 'yaml';
import { initialState, step } from '../src/dialogue/step.js';
import { createEngine, type Engine } from '../src/knowledge/engine.js';
import { loadKnowledge } from '../src/adapters/load-knowledge.js';
import { createJiebaTokenizer } from '../src/adapters/jieba-tokenizer.js';
import { createChatService } from '../src/service/chat-service.js';
import { createLowdbStore } from '../src/storage/lowdb-store.js';
import { benchDashboard } from './lib/bench-dashboard.js';
import { benchStartup } from './lib/bench-startup.js';
import { catalogueEntries } from './lib/catalogue-entries.js';
import { startNginx } from './lib/nginx-proxy.js';
import { waitHealthy } from './lib/wait-healthy.js';
import { startNodeOptions } from './lib/start-command.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const root = resolve(import.meta.dirname, '..');

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function summary(times: number[]) {
  const s = [...times].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s.at(-1) ?? NaN };
}

async function questions(): Promise<string[]> {
  const out: string[] = [];
  for (const f of ['questions.yaml', 'holdout.yaml']) {
    const list = parse(await readFile(join(root, 'eval', f), 'utf8')) as { q: string }[];
    out.push(...list.map((x) => x.q));
  }
  return out;
}

function timeEngine(engine: Engine, qs: string[], rounds: number) {
  for (const q of qs.slice(0, 50)) step(initialState(), { text: q }, { engine }); // warm-up
  const searchTimes: number[] = [];
  const stepTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of qs) {
      let t = performance.now();
      engine.search(q, 5);
      searchTimes.push(performance.now() - t);
      t = performance.now();
      step(initialState(), { text: q }, { engine });
      stepTimes.push(performance.now() - t);
    }
  }
  return { search: summary(searchTimes), step: summary(stepTimes) };
}

async function benchEngine() {
  const loaded = await loadKnowledge(join(root, 'knowledge'));
  if (!loaded.ok) throw new Error('knowledge base does not validate; run npm run kb:check');
  const qs = await questions();
  const rounds = quick ? 2 : 5;

  const shipped = createEngine(loaded.kb, createJiebaTokenizer());
  const a = timeEngine(shipped, qs, rounds);

  const jsonl = await readFile(join(root, 'bench/data/zhongshan-service-items/items.jsonl'), 'utf8');
  const extra = catalogueEntries(jsonl);
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const scale = createEngine({ ...loaded.kb, entries: [...loaded.kb.entries, ...extra] }, createJiebaTokenizer());
  const buildMs = performance.now() - t0;
  const heapAfter = process.memoryUsage().heapUsed;
  const scaleQs = [...qs, ...extra.slice(0, 400).map((e, i) => (i % 2 ? `${e.title}怎么办` : `请问${e.title}需要什么材料`))];
  const b = timeEngine(scale, scaleQs, rounds);

  console.log('\n## (a) Engine latency per question (one core, in-process)\n');
  console.log('| knowledge base | entries | questions × rounds | search p50 | search p99 | full step p50 | full step p99 | step max |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| shipped | ${loaded.kb.entries.length} | ${qs.length} × ${rounds} | ${fmt(a.search.p50)} | ${fmt(a.search.p99)} | ${fmt(a.step.p50)} | ${fmt(a.step.p99)} | ${fmt(a.step.max)} |`);
  console.log(`| scale (shipped + catalogue) | ${loaded.kb.entries.length + extra.length} | ${scaleQs.length} × ${rounds} | ${fmt(b.search.p50)} | ${fmt(b.search.p99)} | ${fmt(b.step.p50)} | ${fmt(b.step.p99)} | ${fmt(b.step.max)} |`);
  console.log(`\nScale index build: ${buildMs.toFixed(0)} ms; heap grew by about ${mb(heapAfter - heapBefore)}.`);
  return shipped;
}

async function benchStore(engine: Engine) {
  console.log('\n## (b) One chat message on the lowdb store vs. past conversations\n');
  console.log('| past conversations on disk | messages timed | p50 | p99 | mean |');
  console.log('|---|---|---|---|---|');
  const sizes = quick ? [0, 5000] : [0, 20000];
  for (const past of sizes) {
    const dir = await mkdtemp(join(tmpdir(), 'yici-bench-store-'));
    const store = await createLowdbStore(dir);
    const docs = store.documents<unknown>('conversations');
    const filler = { sessionId: 'x', channel: 'bench', createdAt: '', updatedAt: '', state: initialState(), nextSeq: 5, messages: [] };
    for (let i = 0; i < past; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, past - i) }, (_, j) => docs.write(`past-${i + j}`, filler)));
    }
    const chat = createChatService({ engine: () => engine, store });
    const texts = ['个体户营业执照怎么办', '那要多少钱', '明天天气怎么样', '社保卡丢了怎么补', '需要什么材料'];
    const times: number[] = [];
    const n = quick ? 500 : 2000;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await chat.handle(`live-${i % 200}`, { text: texts[i % texts.length]! }, 'bench');
      times.push(performance.now() - t);
    }
    await store.close();
    const s = summary(times);
    const mean = times.reduce((x, y) => x + y, 0) / times.length;
    console.log(`| ${past.toLocaleString('en')} | ${n} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(mean)} |`);
    await rm(dir, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

function procStatus(pid: number): { rss: number; hwm: number } {
  try {
    const text = execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' });
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** One autocannon run of POST /api/chat against `url` (50 connections): requests/s and latency. */
let runs = 0;
async function load(url: string, duration: number, texts: string[]) {
  let conversations = 0;
  const run = `${process.pid}-${runs++}`;
  const result = await autocannon({
    url,
    connections: 50,
    duration,
    requests: texts.map((text, i) => ({
      method: 'POST',
      path: '/api/chat',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
        if (i === 0 || typeof context.session !== 'string') {
          // Unique across runs: a conversation id used in an earlier run has a key this run does not know (403).
          context.session = `bench-${run}-${String(conversations++).padStart(6, '0')}`;
          context.key = undefined;
        }
        const key = typeof context.key === 'string' ? { 'x-session-key': context.key } : {};
        return { ...req, headers: { ...(req.headers as Record<string, string>), ...key }, body: JSON.stringify({ sessionId: context.session, text }) };
      },
      onResponse: (status: number, body: string, context: Record<string, unknown>) => {
        if (status !== 200 || typeof context.key === 'string') return;
        try {
          const key = (JSON.parse(body) as { sessionKey?: unknown }).sessionKey;
          if (typeof key === 'string') context.key = key;
        } catch {
          /* counted by autocannon as a response like any other */
        }
      },
    })),
  });
  const lat = result.latency as unknown as Record<string, number>;
  return { rps: result.requests.average, p50: lat.p50!, p99: lat.p99!, total: result.requests.total, errors: result.errors, non2xx: result.non2xx, conversations };
}

/** Starts a baseline server (scripts/lib/baseline-server.ts) and resolves its URL and a stop function. */
async function baseline(mode: 'bare' | 'write') {
  const port = 4000 + Math.floor(Math.random() * 900);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/lib/baseline-server.ts'), mode, String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => (child.kill('SIGTERM'), child.once('exit', r))) };
}

const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

/** Builds dist/ once per run: a dist/ left from older sources would be measured instead of this code. */
let built = false;
function build() {
  if (!built) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  built = true;
}

async function benchHttp() {
  build();
  const dataDir = await mkdtemp(join(tmpdir(), 'yici-bench-http-'));
  const port = 3900 + Math.floor(Math.random() * 90);
  const t0 = performance.now();
  const child = spawn(process.execPath, [...startNodeOptions(root), join(root, 'dist/main.js')], {
    cwd: root,
    // One load generator on one address stands for many citizens: the per-address limits are lifted.
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_CHAT_PER_MINUTE: '100000000',
      RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: '100000000',
      RATE_LIMIT_HANDOFFS_PER_10_MINUTES: '100000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  // Start-up: from the spawn (t0) to the first 200 from /api/health, polled every 20 ms.
  const startupMs = Number.isNaN(await waitHealthy(url, 36_000, 20)) ? NaN : performance.now() - t0;
  const idle = procStatus(child.pid!);
  const texts = ['个体户营业执照怎么办', '那要多少钱？', '开小卖部还想卖烟要办哪些证', '明天天气怎么样', '社报卡丢了怎么补', '新生儿怎么上户口', '需要带什么材料', '谢谢'];
  const duration = quick ? 5 : 15;
  const rounds = quick ? 2 : 3;
  // Each connection plays whole conversations of these eight messages (autocannon keeps a
  // context per sequence of requests), so follow-ups are real follow-ups and transcripts grow.
  // Rounds interleave Yici and the two baselines, so each ratio compares runs minutes apart.
  const runs: { chat: Awaited<ReturnType<typeof load>>; bare: Awaited<ReturnType<typeof load>>; write: Awaited<ReturnType<typeof load>> }[] = [];
  let cpuUsed = 0;
  let loaded = idle;
  for (let r = 0; r < rounds; r++) {
    const before = cpuSeconds(child.pid!);
    const chat = await load(url, duration, texts);
    cpuUsed += cpuSeconds(child.pid!) - before;
    loaded = procStatus(child.pid!);
    const results: Record<'bare' | 'write', Awaited<ReturnType<typeof load>>> = {} as never;
    for (const mode of ['bare', 'write'] as const) {
      const b = await baseline(mode);
      results[mode] = await load(b.url, duration, texts);
      await b.stop();
    }
    runs.push({ chat, ...results });
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  let files = 0;
  for (const shard of await readdir(join(dataDir, 'conversations')).catch(() => [] as string[])) {
    files += (await readdir(join(dataDir, 'conversations', shard))).length;
  }
  await rm(dataDir, { recursive: true, force: true });

  console.log(`\n## (c) HTTP: POST /api/chat with autocannon, 50 connections, ${duration} s per run, persistence on (lowdb), beside two baselines\n`);
  console.log('Baselines (scripts/lib/baseline-server.ts): *bare* — Express 5 parsing the body and answering JSON; *+write* — the same plus one atomic ~12 KB file write per request.\n');
  console.log('| round | Yici req/s | Yici p50 | Yici p99 | bare req/s | bare p99 | +write req/s | +write p99 | Yici ÷ +write (req/s) | Yici ÷ +write (p99) | errors / non-2xx |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  runs.forEach((x, i) =>
    console.log(
      `| ${i + 1} | ${x.chat.rps.toFixed(0)} | ${x.chat.p50} ms | ${x.chat.p99} ms | ${x.bare.rps.toFixed(0)} | ${x.bare.p99} ms | ${x.write.rps.toFixed(0)} | ${x.write.p99} ms | ${(x.chat.rps / x.write.rps).toFixed(2)} | ${(x.chat.p99 / Math.max(1, x.write.p99)).toFixed(2)} | ${x.chat.errors} / ${x.chat.non2xx} |`,
    ),
  );
  const rpsRatios = runs.map((x) => x.chat.rps / x.write.rps);
  const p99Ratios = runs.map((x) => x.chat.p99 / Math.max(1, x.write.p99));
  console.log(`\nYici ÷ (bare Express + one write): throughput ${spread(rpsRatios)}× (target ≥ 0.6×), p99 ${spread(p99Ratios)}× (target ≤ 1.5×), over ${rounds} rounds.`);
  const result = { requests: { total: runs.reduce((n, x) => n + x.chat.total, 0) } };
  const conversations = runs.reduce((n, x) => n + x.chat.conversations, 0);
  console.log(
    `\nServer CPU during the Yici runs: ${cpuUsed.toFixed(1)} s over ${duration * rounds} s of wall time ` +
      `(${(cpuUsed / (duration * rounds)).toFixed(2)} cores busy), ${((1000 * cpuUsed) / result.requests.total).toFixed(2)} ms of server CPU per message. ` +
      `The load generator runs on the same ${os.cpus().length}-core machine.`,
  );
  console.log(`Conversations started: ${conversations} (8 messages each); conversation files on disk: ${files}.`);
  console.log('\n## Start-up and memory\n');
  console.log(`- start-up (spawn → /api/health 200, shipped knowledge): ${startupMs.toFixed(0)} ms`);
  console.log(`- server RSS idle after start: ${mb(idle.rss)}; after the load run: ${mb(loaded.rss)}; peak (VmHWM): ${mb(loaded.hwm)}`);
}

/** Starts dist/main.js with `env` on a free port; resolves once /api/health answers 200. */
async function instance(env: NodeJS.ProcessEnv) {
  const port = 5000 + Math.floor(Math.random() * 4000);
  const child = spawn(process.execPath, [...startNodeOptions(root), join(root, 'dist/main.js')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_CHAT_PER_MINUTE: '100000000', RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: '100000000', RATE_LIMIT_HANDOFFS_PER_10_MINUTES: '100000000', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  return { url, port, pid: child.pid ?? 0, stop: () => new Promise((r) => (child.kill('SIGTERM'), child.once('exit', r))) };
}

/** CPU seconds used so far by the processes `pgrep` finds with `args` (0 when it finds none). */
function pgrepCpuSeconds(args: string[]): number {
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', args, { encoding: 'utf8' }).trim().split(/\s+/);
  } catch {
    /* none */
  }
  return pids.reduce((sum, pid) => sum + (cpuSeconds(Number(pid)) || 0), 0);
}

/** CPU seconds used so far by the PostgreSQL server's processes on this machine (user postgres). */
const postgresCpuSeconds = () => pgrepCpuSeconds(['-u', 'postgres']);

/** The round-robin proxy in a process of its own (scripts/lib/round-robin-proxy-process.ts). */
async function proxyProcess(ports: number[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/lib/round-robin-proxy-process.ts'), ...ports.map(String)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolveUrl(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the proxy exited (${code})`)));
  });
  return { url, pid: child.pid ?? 0, name: 'the round-robin proxy (Node.js)', stop: () => new Promise<void>((r) => (child.kill('SIGTERM'), child.once('exit', () => r()))) };
}

/** CPU seconds of a process and its children (nginx's workers). */
const treeCpuSeconds = (pid: number) => cpuSeconds(pid) + pgrepCpuSeconds(['-P', String(pid)]);

/**
 * (d) `--cluster`: the same chat load against one instance on lowdb and against two instances on
 * PostgreSQL and Redis behind nginx or the round-robin proxy of npm run test:cluster (issue 14's target:
 * two on PostgreSQL at least as fast as one on lowdb, p99 ≤ 100 ms at 50 connections), and the
 * database statements per message.
 */
async function benchCluster() {
  build();
  const serverUrl = process.env.CLUSTER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.CLUSTER_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (err) {
    console.log(`\n## (d) Several instances — skipped: PostgreSQL not reachable (${(err as Error).message})`);
    return;
  }
  const run = `yici_bench_${Date.now()}`;
  // A fresh database for each setup, so the second does not start on the first one's data.
  const databases: string[] = [];
  const freshDatabase = async () => {
    const name = `${run}_${databases.length + 1}`;
    await admin.query(`CREATE DATABASE ${name}`);
    databases.push(name);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return { name, url };
  };
  const texts = ['个体户营业执照怎么办', '那要多少钱？', '开小卖部还想卖烟要办哪些证', '明天天气怎么样', '社报卡丢了怎么补', '新生儿怎么上户口', '需要带什么材料', '谢谢'];
  const duration = quick ? 5 : 15;
  try {
    const single = await instance({ DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-bench-single-')) });
    const singleCpu = cpuSeconds(single.pid);
    const loaded = await load(single.url, duration, texts);
    const one = { ...loaded, cpu: fmt(((cpuSeconds(single.pid) - singleCpu) * 1000) / loaded.total) };
    await single.stop();
    // Two instances, then — where PostgreSQL's Unix socket is on this machine — the same over the
    // socket (docs/deploy.md › On one host, connect over Unix sockets).
    const socketDir = process.env.CLUSTER_DATABASE_SOCKET_DIR ?? '/var/run/postgresql';
    const pair = async (over: 'TCP' | 'its Unix socket') => {
      const { name: dbName, url } = await freshDatabase();
      if (over !== 'TCP') {
        url.hostname = 'localhost';
        url.searchParams.set('host', socketDir);
      }
      const shared = { DATABASE_URL: url.toString(), REDIS_URL: redisUrl, REDIS_PREFIX: `${dbName}:` };
      const a = await instance({ ...shared, DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-bench-a-')) });
      const b = await instance({ ...shared, DATA_DIR: await mkdtemp(join(tmpdir(), 'yici-bench-b-')) });
      // In front: nginx with the deployed configuration where it is installed, else the Node.js
      // round-robin proxy — in a process of its own either way (in the benchmark's own process it
      // shared one event loop with the load generator and held both back).
      const proxy = (await startNginx(root, [a.port, b.port])) ?? (await proxyProcess([a.port, b.port]));
      const statements = async () => Number((await admin.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = $1`, [dbName])).rows[0]?.xact_commit ?? NaN);
      const before = await statements();
      const cpuBefore = { instances: cpuSeconds(a.pid) + cpuSeconds(b.pid), proxy: treeCpuSeconds(proxy.pid), postgres: postgresCpuSeconds() };
      const two = await load(proxy.url, duration, texts);
      const perMessageCpu = (now: number, then: number) => fmt(((now - then) * 1000) / two.total);
      const cpu = {
        instances: perMessageCpu(cpuSeconds(a.pid) + cpuSeconds(b.pid), cpuBefore.instances),
        proxy: perMessageCpu(treeCpuSeconds(proxy.pid), cpuBefore.proxy),
        postgres: perMessageCpu(postgresCpuSeconds(), cpuBefore.postgres),
      };
      await new Promise((r) => setTimeout(r, 600)); // pg_stat counters are flushed about every 0.5 s
      const perMessage = ((await statements()) - before) / two.total;
      await proxy.stop();
      await Promise.all([a.stop(), b.stop()]);
      return { ...two, over, proxy: proxy.name, cpu, perMessage };
    };
    const pairs = [await pair('TCP')];
    if (!process.env.CLUSTER_DATABASE_URL && existsSync(join(socketDir, `.s.PGSQL.${new URL(serverUrl).port || 5432}`))) pairs.push(await pair('its Unix socket'));
    console.log(`\n## (d) Several instances: the same chat load, 50 connections, ${duration} s each\n`);
    console.log('| setup | req/s | p50 | p99 | errors / non-2xx |');
    console.log('|---|---|---|---|---|');
    console.log(`| one instance, lowdb | ${one.rps.toFixed(0)} | ${one.p50} ms | ${one.p99} ms | ${one.errors} / ${one.non2xx} |`);
    for (const two of pairs) console.log(`| two instances, PostgreSQL (over ${two.over}) + Redis, behind ${two.proxy} | ${two.rps.toFixed(0)} | ${two.p50} ms | ${two.p99} ms | ${two.errors} / ${two.non2xx} |`);
    for (const two of pairs) {
      console.log(`\nTwo on PostgreSQL over ${two.over} ÷ one on lowdb: ${(two.rps / one.rps).toFixed(2)}× the requests per second. PostgreSQL transactions per message: ${two.perMessage.toFixed(1)} (pg_stat_database.xact_commit; locks, reads and writes each commit on their own).`);
      console.log(`Server CPU per message (user + system, from /proc): one on lowdb ${one.cpu}; with two on PostgreSQL over ${two.over}, the instances ${two.cpu.instances}, ${two.proxy} ${two.cpu.proxy}, PostgreSQL's processes ${two.cpu.postgres}.`);
    }
  } finally {
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

console.log(`# Yici benchmark — ${new Date().toISOString()} — node ${process.version}, ${quick ? 'quick' : 'full'} run`);
if (args.has('--dashboard')) {
  const loaded = await loadKnowledge(join(root, 'knowledge'));
  if (!loaded.ok) throw new Error('the knowledge base does not load');
  await benchDashboard({ engine: createEngine(loaded.kb, createJiebaTokenizer()), texts: await questions(), quick, databaseUrl: process.env.DATABASE_URL });
  process.exit(0);
}
const startupOnly = args.has('--startup') && args.size === 1 + (quick ? 1 : 0);
if (!startupOnly) {
  const engine = await benchEngine();
  await benchStore(engine);
  if (!args.has('--skip-http')) await benchHttp();
}
if (args.has('--cluster')) await benchCluster();
if (args.has('--startup')) {
  build();
  await benchStartup(root, { quick });
}
