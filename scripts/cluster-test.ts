/**
 * `npm run test:cluster` (issue 14): two Yici instances on one PostgreSQL database and one Redis,
 * a round-robin proxy in front (scripts/lib/round-robin-proxy.ts, what nginx does in
 * deploy/nginx.conf). 50 simulated citizens send 5,000 messages through the proxy while two
 * officers race to claim every case and reply; one instance is killed with SIGKILL half-way and
 * restarted. Then it checks, from the stored transcripts and cases:
 *  - every acknowledged message is in its transcript exactly once and in the order sent;
 *  - every case was claimed at most once (exactly one claim succeeded per case);
 *  - every acknowledged officer reply is in the citizen's transcript exactly once;
 *  - both instances serve the same knowledge version.
 * It prints the figures (throughput, latency, the longest wait of a citizen across the kill) and
 * exits 1 on any violation. Skipped, with a notice, where PostgreSQL or Redis is not reachable.
 *
 * Settings: CLUSTER_DATABASE_URL (a server to create a scratch database on; default
 * postgres://postgres@127.0.0.1:5432/postgres), CLUSTER_REDIS_URL (default redis://127.0.0.1:6379),
 * CLUSTER_CITIZENS (50), CLUSTER_MESSAGES (100 per citizen).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { freePort } from './lib/free-port.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startRoundRobinProxy } from './lib/round-robin-proxy.js';
import { startNodeOptions } from './lib/start-command.js';

const root = resolve(import.meta.dirname, '..');
const ADMIN = { username: 'chief', password: 'Cluster-Lead-2026' };
const OFFICER_PASSWORD = 'Cluster-Officer-2026';
const serverUrl = process.env.CLUSTER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.CLUSTER_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CITIZENS = Number(process.env.CLUSTER_CITIZENS ?? 50);
const MESSAGES = Number(process.env.CLUSTER_MESSAGES ?? 100);
const QUESTIONS = ['开小卖部要什么材料', '身份证丢了怎么补办', '营业执照怎么办', '社保卡在哪里办', '结婚登记要带什么', '新生儿怎么上户口', '公积金怎么提取', '个体户怎么注销', '要多长时间', '收费吗'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const problems: string[] = [];
const fail = (what: string) => {
  if (problems.length < 50) console.error(`  ✗ ${what}`);
  problems.push(what);
};

async function reachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
  } catch (err) {
    return `PostgreSQL 不可达（${serverUrl}）：${(err as Error).message}`;
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    return `Redis 不可达（${redisUrl}）：${(err as Error).message}`;
  } finally {
    redis.disconnect();
  }
  return null;
}


interface Instance {
  name: string;
  port: number;
  env: NodeJS.ProcessEnv;
  child?: ChildProcess;
  log: string[];
}

function launch(instance: Instance): void {
  const child = spawn(process.execPath, [...startNodeOptions(root), '--import', 'tsx', 'src/main.ts'], { cwd: root, env: instance.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    instance.log.push(chunk.toString());
    if (instance.log.length > 200) instance.log.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  instance.child = child;
}

async function ready(instance: Instance, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (instance.child?.exitCode !== null && instance.child?.exitCode !== undefined) break;
    try {
      const res = await fetch(`http://127.0.0.1:${instance.port}/api/health`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  throw new Error(`${instance.name} did not become ready:\n${instance.log.join('').slice(-3000)}`);
}

/** A staff session through the proxy: cookie and same-origin header. */
async function staff(base: string, username: string, password: string) {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return async (method: string, path: string, body?: unknown) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch(`${base}${path}`, { method, headers: { cookie, origin: base, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      } catch (err) {
        if (attempt >= 2) throw err;
        await sleep(100);
      }
    }
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function main(): Promise<void> {
  const unreachable = await reachable();
  if (unreachable) {
    console.log(`test:cluster 已跳过 —— ${unreachable}。需要 PostgreSQL 和 Redis（见 docs/deploy.md）。`);
    return;
  }
  const dbName = `yici_cluster_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${dbName}`;
  const instances: Instance[] = [];
  let proxy: Awaited<ReturnType<typeof startRoundRobinProxy>> | undefined;
  try {
    for (const name of ['A', 'B']) {
      const port = await freePort();
      instances.push({
        name,
        port,
        log: [],
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: await mkdtemp(join(tmpdir(), `yici-cluster-${name}-`)),
          DATABASE_URL: databaseUrl.toString(),
          REDIS_URL: redisUrl,
          // This run's channels and rate-limit counts only: other runs and tests share the machine's Redis.
          REDIS_PREFIX: `${dbName}:`,
          ADMIN_USERNAME: ADMIN.username,
          ADMIN_PASSWORD: ADMIN.password,
          OFFICE_HOURS: 'always',
          LOG_LEVEL: 'warn',
          HANDOFF_SWEEP_SECONDS: '2',
          RATE_LIMIT_CHAT_PER_MINUTE: '1000000',
          RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: '1000000',
          RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
          RATE_LIMIT_HANDOFFS_PER_10_MINUTES: '1000000',
        },
      });
    }
    // The first start creates the tables and the first admin; the second joins it.
    for (const i of instances) {
      launch(i);
      await ready(i);
    }
    proxy = await startRoundRobinProxy(instances.map((i) => ({ host: '127.0.0.1', port: i.port })));
    const base = proxy.url;
    const adminApi = await staff(base, ADMIN.username, ADMIN.password);
    for (const n of [1, 2]) {
      const res = await adminApi('POST', '/api/admin/users', { username: `desk${n}`, password: OFFICER_PASSWORD, role: 'officer', displayName: `窗口${n}`, departments: ['综合窗口'] });
      if (res.status !== 201) throw new Error(`create desk${n}: ${res.status} ${await res.text()}`);
    }
    const officers = [await staff(base, 'desk1', OFFICER_PASSWORD), await staff(base, 'desk2', OFFICER_PASSWORD)];

    // Citizens ---------------------------------------------------------------------------------
    const acked = new Map<string, string[]>(); // sessionId → texts acknowledged, in order
    const sent = new Map<string, Set<string>>(); // every text sent (acknowledged or not)
    const keys = new Map<string, string>();
    const lastAck = new Map<string, number>();
    const latencies: number[] = [];
    let ackCount = 0;
    let errors = 0;
    let longestGap = 0;
    let killedAt = 0;
    const total = CITIZENS * MESSAGES;
    const citizen = async (c: number) => {
      const sessionId = `cluster-${c}-${randomBytes(8).toString('hex')}`;
      acked.set(sessionId, []);
      sent.set(sessionId, new Set());
      for (let m = 0; m < MESSAGES; m++) {
        // A fifth of the citizens ask for a person early on; their later messages go to the officer.
        const text = c % 5 === 0 && m === 5 ? `转人工 #${c}-${m}` : `${QUESTIONS[(c + m) % QUESTIONS.length]} #${c}-${m}`;
        sent.get(sessionId)!.add(text);
        const t0 = performance.now();
        try {
          const key = keys.get(sessionId);
          const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-session-key': key } : {}) }, body: JSON.stringify({ sessionId, text }) });
          if (res.status === 200) {
            const out = (await res.json()) as { sessionKey?: string };
            if (out.sessionKey) keys.set(sessionId, out.sessionKey);
            latencies.push(performance.now() - t0);
            acked.get(sessionId)!.push(text);
            ackCount++;
            const now = Date.now();
            const before = lastAck.get(sessionId);
            if (killedAt && before !== undefined && before < killedAt + 5000) longestGap = Math.max(longestGap, now - before);
            lastAck.set(sessionId, now);
          } else {
            errors++;
            await res.arrayBuffer();
          }
        } catch {
          errors++;
        }
      }
    };

    // Officers: both race for every queued case; the winner replies three times, then resolves.
    const claims = new Map<string, number>();
    const replies = new Map<string, string[]>();
    let officersDone = false;
    const officerLoop = async (o: number) => {
      const api = officers[o]!;
      while (!officersDone) {
        try {
          const queue = (await (await api('GET', '/api/officer/queue')).json()) as { conversations?: { sessionId: string; status: string }[] };
          for (const q of (queue.conversations ?? []).filter((x) => x.status === 'queued')) {
            const res = await api('POST', `/api/officer/conversations/${q.sessionId}/claim`);
            if (res.status !== 200) {
              await res.arrayBuffer();
              continue;
            }
            await res.arrayBuffer();
            claims.set(q.sessionId, (claims.get(q.sessionId) ?? 0) + 1);
            for (let n = 1; n <= 3; n++) {
              // Unique per claim: a long conversation may be asked for and claimed more than once.
              const text = `officer${o + 1} 回复 ${n} #${q.sessionId.slice(-6)}-${claims.get(q.sessionId)}`;
              const r = await api('POST', `/api/officer/conversations/${q.sessionId}/messages`, { text });
              if (r.status === 201) replies.set(q.sessionId, [...(replies.get(q.sessionId) ?? []), text]);
              await r.arrayBuffer();
            }
            await (await api('POST', `/api/officer/conversations/${q.sessionId}/resolve`, { note: '已答复' })).arrayBuffer();
          }
        } catch {
          /* an instance died under us: go on */
        }
        await sleep(150);
      }
    };

    console.log(`test:cluster: 2 instances (PostgreSQL ${dbName}, Redis), ${CITIZENS} citizens × ${MESSAGES} messages, 2 officers`);
    const started = performance.now();
    const officerRuns = [officerLoop(0), officerLoop(1)];
    const citizenRuns = Array.from({ length: CITIZENS }, (_, c) => citizen(c));
    // Kill instance A half-way, bring it back two seconds later.
    const killer = (async () => {
      while (ackCount < total / 2) await sleep(20);
      killedAt = Date.now();
      instances[0]!.child!.kill('SIGKILL');
      console.log(`  instance A killed (SIGKILL) after ${ackCount} acknowledged messages`);
      await sleep(2000);
      launch(instances[0]!);
      await ready(instances[0]!);
      console.log(`  instance A back after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
    })();
    await Promise.all(citizenRuns);
    const seconds = (performance.now() - started) / 1000;
    await killer;
    // Let the officers finish the last cases.
    await sleep(3000);
    officersDone = true;
    await Promise.all(officerRuns);

    // Checks ---------------------------------------------------------------------------------
    let lostMessages = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let lostReplies = 0;
    const askedStored = new Set<string>();
    for (const [sessionId, texts] of acked) {
      const key = keys.get(sessionId);
      const res = await fetch(`${base}/api/chat/${sessionId}/messages?after=0`, { headers: key ? { 'x-session-key': key } : {} });
      if (res.status !== 200) {
        fail(`${sessionId}: transcript ${res.status}`);
        continue;
      }
      const { messages } = (await res.json()) as { messages: { seq: number; from: string; text?: string; replies: { type: string; text?: string }[] }[] };
      const seqs = messages.map((m) => m.seq);
      if (seqs.some((s, i) => s !== i + 1)) fail(`${sessionId}: seq not 1..n without gaps`);
      const userTexts = messages.filter((m) => m.from === 'user').map((m) => m.text ?? '');
      // Stored, whether or not its answer reached the citizen (an instance may die after the commit).
      if (userTexts.some((t) => t.startsWith('转人工 #'))) askedStored.add(sessionId);
      const counts = new Map<string, number>();
      for (const t of userTexts) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const t of texts) {
        const n = counts.get(t) ?? 0;
        if (n === 0) {
          lostMessages++;
          fail(`${sessionId}: acknowledged 「${t}」 missing`);
        }
        if (n > 1) {
          duplicates++;
          fail(`${sessionId}: 「${t}」 stored ${n} times`);
        }
      }
      for (const [t, n] of counts) {
        if (n > 1 && !texts.includes(t)) {
          duplicates++;
          fail(`${sessionId}: unacknowledged 「${t}」 stored ${n} times`);
        }
      }
      const order = userTexts.filter((t) => texts.includes(t));
      if (order.join('\n') !== texts.join('\n')) {
        outOfOrder++;
        fail(`${sessionId}: acknowledged messages out of order`);
      }
      const officerTexts = messages.filter((m) => m.from === 'officer').flatMap((m) => m.replies.map((r) => r.text ?? ''));
      for (const r of replies.get(sessionId) ?? []) {
        const n = officerTexts.filter((t) => t === r).length;
        if (n !== 1) {
          lostReplies++;
          fail(`${sessionId}: officer reply 「${r}」 delivered ${n} times`);
        }
      }
    }
    // A case may be asked for, claimed and resolved more than once in a long conversation; a double
    // claim is a second claim within one queuing (no request or transfer in between), by the history.
    let doubleClaims = 0;
    for (const sessionId of claims.keys()) {
      const res = await adminApi('GET', `/api/officer/conversations/${sessionId}`);
      const { conversation } = (await res.json()) as { conversation: { history: { type: string; by?: string }[] } };
      let inQueue = 0;
      for (const e of conversation.history) {
        if (e.type === 'request' || e.type === 'transfer') inQueue = 0;
        if (e.type === 'claim' && ++inQueue > 1) {
          doubleClaims++;
          fail(`${sessionId}: claimed twice in one queuing (${conversation.history.map((h) => `${h.type}${h.by ? `:${h.by}` : ''}`).join(' → ')})`);
        }
      }
      const successes = claims.get(sessionId)!;
      const queuings = conversation.history.filter((e) => e.type === 'claim').length;
      if (successes !== queuings) fail(`${sessionId}: ${successes} claims answered 200, ${queuings} in the history`);
    }
    // Citizens who asked for a person (the bot may also hand over after two unanswered questions).
    const cases = [...acked.keys()].filter((_, c) => c % 5 === 0).length;
    const versions: unknown[] = [];
    for (const i of instances) {
      const h = (await (await fetch(`http://127.0.0.1:${i.port}/api/health`)).json()) as { knowledge?: { version?: unknown }; knowledgeVersion?: unknown };
      versions.push(h.knowledge?.version ?? h.knowledgeVersion);
    }
    if (versions[0] === undefined) console.log('  (the health check does not report a knowledge version)');
    else if (versions[0] !== versions[1]) fail(`knowledge versions differ: ${versions.join(' / ')}`);

    console.log(`  acknowledged ${ackCount} of ${total} messages (${errors} failed while an instance was down) in ${seconds.toFixed(1)} s: ${(ackCount / seconds).toFixed(0)} msg/s`);
    console.log(`  latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
    console.log(`  longest wait of a citizen across the kill: ${(longestGap / 1000).toFixed(2)} s`);
    console.log(`  cases: ${claims.size} claimed (${cases} citizens asked for a person), double claims ${doubleClaims}; officer replies ${[...replies.values()].flat().length}, lost ${lostReplies}`);
    console.log(`  lost ${lostMessages}, duplicated ${duplicates}, out of order ${outOfOrder}; proxy: sent ${proxy.stats.sent.join('/')}, failed over ${proxy.stats.refused}, 502 ${proxy.stats.failed}`);
    console.log(`  knowledge version: ${versions.map(String).join(' / ')}`);
    // Every stored request for a person was claimed, by the case's history (an officer's claim may
    // have succeeded while its answer was lost in the kill); a request that was never stored (its
    // message failed while instance A was down) asked nobody.
    let unclaimed = 0;
    let claimAnswersLost = 0;
    for (const sessionId of askedStored) {
      const res = await adminApi('GET', `/api/officer/conversations/${sessionId}`);
      const { conversation } = (await res.json()) as { conversation: { history: { type: string }[] } };
      if (!conversation.history.some((e) => e.type === 'claim')) {
        unclaimed++;
        fail(`${sessionId}: asked for a person and never claimed (${conversation.history.map((h) => h.type).join(' → ') || 'no history'})`);
      } else if (!claims.has(sessionId)) claimAnswersLost++;
    }
    console.log(`  requests for a person stored ${askedStored.size} (of ${cases} sent), never claimed ${unclaimed}; claims whose answer was lost in the kill ${claimAnswersLost}`);
  } finally {
    await proxy?.close();
    for (const i of instances) i.child?.kill('SIGTERM');
    await sleep(1000);
    for (const i of instances) if (i.child && i.child.exitCode === null) i.child.kill('SIGKILL');
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
  if (problems.length > 0) {
    console.error(`test:cluster FAILED: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log('test:cluster passed');
}

await main();
