/**
 * `npm run bench -- --dashboard`: the editors' dashboard and inbox with 1,000,000 logged questions.
 *
 * Writes a year of logs (1,000,000 question turns, about 1 in 6 unanswered or weakly answered with
 * the citizen's words, plus feedback, 「流程走不通」 reports and ratings) straight into a lowdb data
 * directory — as a deployment that ran before the running totals existed would have them — opens
 * the store, times the one-off build of the totals, then times dashboard requests over HTTP for
 * 1-day, 30-day and 365-day ranges and inbox requests, while measuring the longest event-loop
 * block (perf_hooks monitorEventLoopDelay, 1 ms resolution, plus a setInterval drift probe).
 * Then the same on PostgreSQL when it is reachable (a fresh scratch schema, dropped afterwards).
 * The server and the client run in this one process, the client in a worker thread: request times
 * are round trips and CPU per request is the whole process's, while the event-loop delays are the server thread's.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import express, { type RequestHandler } from 'express';
import pg from 'pg';
import { silentLogger } from '../../src/core/logger.js';
import type { EditorService } from '../../src/editor/editor-service.js';
import type { Engine } from '../../src/knowledge/engine.js';
import { errorHandler } from '../../src/server/http-error.js';
import { editorRoutes } from '../../src/server/editor-routes.js';
import { PROCESS_REASONS, type FeedbackRecord, type ProcessReport, type RatingRecord, type TurnRecord } from '../../src/service/analytics.js';
import { createDashboardTotals } from '../../src/service/dashboard-totals.js';
import { createLowdbStore, SEGMENT_SIZE } from '../../src/storage/lowdb-store.js';
import type { Store } from '../../src/storage/ports.js';
import { createPostgresStore } from '../../src/storage/postgres-store.js';

// A past year: the logs are those of a deployment that ran before the totals existed, so every
// record is older than the line the totals start counting live from (the time of the run).
const YEAR_START = Date.parse('2024-12-31T16:00:00Z'); // 2025-01-01 00:00 in China
const DAY_MS = 86_400_000;

/** A small seeded generator, so every run writes the same logs. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Logs = { turns: TurnRecord[]; feedback: FeedbackRecord[]; 'process-reports': ProcessReport[]; ratings: RatingRecord[] };

/** `n` question turns spread evenly over 2025 (China time), and the feedback, reports and ratings that go with them. */
function generate(n: number, entryIds: string[], texts: string[]): Logs {
  const rnd = random(16);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  // Popular entries are asked much more often (roughly Zipf).
  const entry = () => entryIds[Math.min(entryIds.length - 1, Math.floor(entryIds.length * rnd() ** 2.5))]!;
  const logs: Logs = { turns: [], feedback: [], 'process-reports': [], ratings: [] };
  const reasons = Object.keys(PROCESS_REASONS) as (keyof typeof PROCESS_REASONS)[];
  const step = 365 * DAY_MS / n;
  for (let i = 0; i < n; i++) {
    const at = new Date(YEAR_START + Math.floor(i * step)).toISOString();
    const sessionId = `s${Math.floor(i / 3)}`;
    const r = rnd();
    const id = entry();
    const turn: TurnRecord =
      r < 0.08
        ? { at, sessionId, kind: 'unanswered', entryId: null, text: pick(texts) }
        : r < 0.14
          ? { at, sessionId, kind: 'answered', entryId: id, score: 0.5, text: pick(texts) }
          : r < 0.18
            ? { at, sessionId, kind: 'handoff', entryId: id }
            : r < 0.21
              ? { at, sessionId, kind: 'suggested', entryId: null, offered: [id, entry()], text: pick(texts) }
              : r < 0.26
                ? { at, sessionId, kind: 'checklist', entryId: id }
                : r < 0.3
                  ? { at, sessionId, kind: 'walkthrough', entryId: id, step: 'flow/step' }
                  : { at, sessionId, kind: 'answered', entryId: id, score: 0.9 };
    logs.turns.push(turn);
    if (rnd() < 0.1) logs.feedback.push({ at, sessionId, seq: 2, helpful: rnd() < 0.7, entryId: id, entryVersion: 'v1', checklistId: null, comment: null });
    if (rnd() < 0.01) logs['process-reports'].push({ at, sessionId, entryId: id, entryVersion: 'v1', step: rnd() < 0.5 ? `flow-${id}/step${Math.floor(rnd() * 4)}` : null, reason: pick(reasons), text: '不会填' });
    if (rnd() < 0.03) logs.ratings.push({ at, sessionId, rating: pick(['good', 'good', 'fair', 'poor'] as const), comment: null, entryId: id });
  }
  return logs;
}

/** Writes the logs as the lowdb store lays them out: segments of SEGMENT_SIZE JSON lines. */
async function writeLowdbLogs(dir: string, logs: Logs) {
  for (const [name, records] of Object.entries(logs)) {
    await mkdir(join(dir, name), { recursive: true });
    for (let i = 0; i < records.length; i += SEGMENT_SIZE) {
      const text = records.slice(i, i + SEGMENT_SIZE).map((r) => `${JSON.stringify(r)}\n`).join('');
      await writeFile(join(dir, name, `${String(i / SEGMENT_SIZE + 1).padStart(6, '0')}.jsonl`), text);
    }
  }
}

async function writePostgresLogs(url: string, schema: string, logs: Logs) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const [name, records] of Object.entries(logs)) {
      for (let i = 0; i < records.length; i += 20_000) {
        const batch = records.slice(i, i + 20_000);
        await client.query(`insert into ${pg.escapeIdentifier(schema)}.logs (name, at, record) select $1, a, r::json from unnest($2::timestamptz[], $3::text[]) as x(a, r)`, [
          name,
          batch.map((r) => r.at),
          batch.map((r) => JSON.stringify(r)),
        ]);
      }
    }
    await client.query(`analyze ${pg.escapeIdentifier(schema)}.logs`);
  } finally {
    await client.end();
  }
}

/** The longest event-loop block while `task` runs: histogram max and a 1 ms interval's worst lateness. */
async function blocking<T>(task: () => Promise<T>): Promise<{ value: T; maxDelayMs: number; p99DelayMs: number; driftMs: number; ms: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let drift = 0;
  const probe = setInterval(() => {
    const t = performance.now();
    drift = Math.max(drift, t - last - 1);
    last = t;
  }, 1);
  h.enable();
  const start = performance.now();
  try {
    const value = await task();
    return { value, ms: performance.now() - start, maxDelayMs: h.max / 1e6, p99DelayMs: h.percentile(99) / 1e6, driftMs: drift };
  } finally {
    h.disable();
    clearInterval(probe);
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const f1 = (x: number) => x.toFixed(1);

async function measure(label: string, store: Store, engine: Engine, quick: boolean, expectedQuestions: number) {
  const totals = createDashboardTotals(store, { graceMs: 0 });
  (globalThis as { gc?: () => void }).gc?.();
  const build = await blocking(() => totals.build());
  console.log(`\n### ${label}\n`);
  console.log(`Totals built from the existing logs: ${(build.ms / 1000).toFixed(1)} s; event-loop delay during the build p99 ${f1(build.p99DelayMs)} ms, max ${f1(build.maxDelayMs)} ms (interval probe ${f1(build.driftMs)} ms)`);
  const cold = await blocking(() => totals.dashboard('2025-01-01', '2025-12-31', (id) => id));
  const year = cold.value.totals.questions;
  console.log(`Exact: the year's questions from the totals ${year.toLocaleString('en')}, question turns written ${expectedQuestions.toLocaleString('en')} — ${year === expectedQuestions ? 'equal' : 'DIFFERENT'}.`);
  console.log(`The year read first (nothing kept yet; later reads find its settled days and blocks kept): ${f1(cold.ms)} ms, event-loop delay max ${f1(cold.maxDelayMs)} ms.`);
  // What the process holds once the totals are built (with NODE_OPTIONS=--expose-gc): a full
  // collection's pause grows with it, and every request in flight waits through that pause.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    const t = performance.now();
    gc();
    console.log(`Live heap after the build: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB (a full collection of it: ${f1(performance.now() - t)} ms).`);
  }

  const app = express();
  const asEditor: RequestHandler = (_req, res, next) => {
    res.locals.user = { username: 'bench', role: 'editor', disabled: false };
    next();
  };
  const kb = engine.kb;
  app.use(asEditor);
  app.use(
    editorRoutes({
      editor: {} as EditorService,
      preview: () => ({ ok: false, problems: [] }),
      usesOf: () => ({ bundles: [], flows: [] }),
      kb: () => kb,
      version: () => 1,
      engine: () => engine,
      store,
      totals,
      staleDays: 365,
      now: () => new Date('2025-12-31T04:00:00Z'),
    }),
  );
  app.use(errorHandler(silentLogger));
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The client runs in a worker thread with its own event loop, so the delays measured on this
  // thread are the server's (the handler, Express, the response), not the client's reading of it.
  const client = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', async ({ id, url }) => {
       try {
         const res = await fetch(url);
         const body = await res.text();
         if (res.status !== 200) return parentPort.postMessage({ id, status: res.status, body });
         // Read here, in the client's thread: only the figure the table prints goes back.
         const d = JSON.parse(body);
         parentPort.postMessage({ id, status: 200, questions: d.totals ? d.totals.questions : d.questions });
       } catch (err) {
         parentPort.postMessage({ id, status: 0, body: String(err) });
       }
     });`,
    { eval: true },
  );
  let asked = 0;
  /** One request through the client thread: resolves to the answer's question count (the dashboard's total, or the inbox's). */
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const id = ++asked;
      const answer = (m: { id: number; status: number; body?: string; questions?: number }) => {
        if (m.id !== id) return;
        client.off('message', answer);
        if (m.status !== 200) reject(new Error(`${path}: ${m.status} ${m.body}`));
        else resolve(m.questions ?? NaN);
      };
      client.on('message', answer);
      client.postMessage({ id, url: base + path });
    });

  // What the handler itself costs, without HTTP and the client: the totals read and the JSON.
  const inProcess: string[] = [];
  for (const [from, to] of [['2025-06-15', '2025-06-15'], ['2025-06-01', '2025-06-30'], ['2025-01-01', '2025-12-31']] as const) {
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      JSON.stringify(await totals.dashboard(from, to, (id) => id));
      times.push(performance.now() - t0);
    }
    // The first request of a range reads every day and block of it; later ones find the settled ones kept (dashboard-totals.ts).
    inProcess.push(`${from}…${to}: first ${f1(times[0]!)} ms, then p50 ${f1(pct(times.slice(1), 50))} ms, p99 ${f1(pct(times.slice(1), 99))} ms`);
  }
  console.log(`\nIn process (totals.dashboard + JSON.stringify, no HTTP): ${inProcess.join('; ')}`);
  (globalThis as { gc?: () => void }).gc?.();

  console.log('\n| request | n | p50 | p99 | max | CPU per request (process, client included) | event-loop delay p99 / max (histogram), probe max | figures |');
  console.log('|---|---|---|---|---|---|---|---|');
  const ranges = [
    ['dashboard, 1 day', '/api/kb/dashboard?from=2025-06-15&to=2025-06-15'],
    ['dashboard, 30 days', '/api/kb/dashboard?from=2025-06-01&to=2025-06-30'],
    ['dashboard, 365 days', '/api/kb/dashboard?from=2025-01-01&to=2025-12-31'],
  ] as const;
  /** Times n requests of one path and prints its row; `figures` says what the last answer held. */
  const row = async (name: string, path: string, n: number, figures: (d: Awaited<ReturnType<typeof get>>) => string) => {
    const times: number[] = [];
    let last = '';
    const cpu = process.cpuUsage();
    const run = await blocking(async () => {
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const d = await get(path);
        times.push(performance.now() - t);
        last = figures(d);
      }
    });
    const used = process.cpuUsage(cpu);
    console.log(`| ${name} | ${n} | ${f1(pct(times, 50))} ms | ${f1(pct(times, 99))} ms | ${f1(Math.max(...times))} ms | ${f1((used.user + used.system) / 1000 / n)} ms | ${f1(run.p99DelayMs)} / ${f1(run.maxDelayMs)} ms, ${f1(run.driftMs)} ms | ${last} |`);
  };
  for (const [name, path] of ranges) {
    await get(path); // warm-up
    await row(name, path, quick ? 20 : 100, (q) => `${q.toLocaleString('en')} questions`);
  }
  for (const [name, path] of [
    ['inbox, 30 days', '/api/kb/inbox?from=2025-12-01&to=2025-12-30'],
    ['inbox, 1 day', '/api/kb/inbox?from=2025-12-30&to=2025-12-30'],
  ] as const) {
    await row(name, path, quick ? 3 : 10, (q) => `${q} questions grouped`);
  }
  await client.terminate();
  await new Promise<void>((r) => server.close(() => r()));
}

export async function benchDashboard(options: { engine: Engine; texts: string[]; quick: boolean; databaseUrl?: string }) {
  const n = options.quick ? 100_000 : 1_000_000;
  const entryIds = options.engine.kb.entries.map((e) => e.id);
  console.log(`\n## Dashboard and inbox with ${n.toLocaleString('en')} logged questions (issue 16 part 3)`);
  let t = performance.now();
  let logs: Logs | null = generate(n, entryIds, options.texts);
  // Every generated turn is a question (no small talk, no pick after 您是不是想问).
  const expectedQuestions = logs.turns.filter((t) => t.kind !== 'smalltalk' && t.kind !== 'other' && !t.fromSuggestion).length;
  console.log(`\nGenerated ${Object.entries(logs).map(([k, v]) => `${v.length.toLocaleString('en')} ${k}`).join(', ')} over 2025 in ${((performance.now() - t) / 1000).toFixed(1)} s; ${entryIds.length} entries.`);

  const dir = await mkdtemp(join(tmpdir(), 'yici-bench-dash-'));
  try {
    t = performance.now();
    await writeLowdbLogs(dir, logs);
    logs = null; // not held while measuring (a large heap means long collections); made again for PostgreSQL
    console.log(`Wrote the lowdb logs in ${((performance.now() - t) / 1000).toFixed(1)} s (${dir}).`);
    const store = await createLowdbStore(dir);
    await measure('lowdb (the default store)', store, options.engine, options.quick, expectedQuestions);
    await store.close();
    // A restart: the totals come back from their journal.
    t = performance.now();
    const again = await createLowdbStore(dir);
    const reopened = createDashboardTotals(again);
    const d = await reopened.dashboard('2025-01-01', '2025-12-31', (id) => id);
    console.log(`\nAfter a restart: totals read back from the journal in ${((performance.now() - t) / 1000).toFixed(2)} s (first dashboard request included); 365 days = ${d.totals.questions.toLocaleString('en')} questions.`);
    await again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const url = options.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    console.log(`\nPostgreSQL not reachable at ${new URL(url).host}: the PostgreSQL part is skipped.`);
    return;
  }
  const schema = `yici_bench_dash_${process.pid}`;
  try {
    const store = await createPostgresStore(url, { schema });
    t = performance.now();
    await writePostgresLogs(url, schema, generate(n, entryIds, options.texts));
    console.log(`\nWrote the PostgreSQL logs in ${((performance.now() - t) / 1000).toFixed(1)} s (schema ${schema}).`);
    await measure('PostgreSQL', store, options.engine, options.quick, expectedQuestions);
    await store.close();
  } finally {
    await admin.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`).catch(() => {});
    await admin.end();
  }
}
