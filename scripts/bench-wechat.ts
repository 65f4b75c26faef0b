/**
 * `npm run bench:wechat`: the time WeChat waits for a passive reply. A fake WeChat (the tests'
 * helper) sends signed, encrypted (安全模式) text messages to a Yici server in a child process —
 * an open loop at RATE messages per second for SECONDS seconds, 200 citizens each asking a
 * conversation's questions one per second — and prints p50 / p90 / p99 / max of the time from
 * sending a request to having the whole reply, and how many answers were late ("success", sent
 * through the API instead). Prints numbers; asserts nothing.
 *
 * Options: --rate=200 --seconds=10 --citizens=200; --compare-chat then sends the same questions at
 * the same rate through POST /api/chat to the same server, to tell the channel's own cost from the
 * machine's.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { messageXml, nextMsgId, startFakeWechat } from '../test/helpers/fake-wechat.js';
import { waitHealthy } from './lib/wait-healthy.js';
import { startNodeOptions } from './lib/start-command.js';

/** CPU seconds a process has used (utime + stime, /proc, USER_HZ = 100); NaN off Linux. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const RATE = arg('rate', 200);
const SECONDS = arg('seconds', 10);
const CITIZENS = arg('citizens', 200);
const root = resolve(import.meta.dirname, '..');

const TOKEN = 'benchToken123';
const APP_ID = 'wx2c2769f8efd9abc2';
const APP_SECRET = 'benchsecretbenchsecret';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

const fake = await startFakeWechat({ token: TOKEN, appId: APP_ID, appSecret: APP_SECRET, aesKey: AES_KEY });
const dataDir = await mkdtemp(join(tmpdir(), 'yici-bench-wechat-'));
const port = 3990 + Math.floor(Math.random() * 9);
const child = spawn(process.execPath, [...startNodeOptions(root), '--import', 'tsx', join(root, 'src/main.ts')], {
  cwd: root,
  env: {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    OFFICE_HOURS: 'always',
    PUBLIC_URL: 'https://yici.example.gov.cn',
    WECHAT_TOKEN: TOKEN,
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: APP_SECRET,
    WECHAT_AES_KEY: AES_KEY,
    WECHAT_API_BASE: fake.apiBase,
    // One load generator on one address stands for many citizens (only POST /api/chat is limited).
    RATE_LIMIT_CHAT_PER_MINUTE: '100000000',
    RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: '100000000',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const url = `http://127.0.0.1:${port}`;
await waitHealthy(url);

// A conversation's worth of questions, with follow-ups and an out-of-scope one, as in scripts/bench.ts.
const texts = ['个体户营业执照怎么办', '那要多少钱？', '开小卖部还想卖烟要办哪些证', '明天天气怎么样', '社报卡丢了怎么补', '新生儿怎么上户口', '需要带什么材料', '谢谢'];
const citizen = (i: number) => `oBench${String(i).padStart(22, '0')}`;

// Warm-up: one message per citizen, not measured (first conversations, JIT).
await Promise.all(Array.from({ length: CITIZENS }, (_, i) => fake.text(url, citizen(i), '你好')));

/** One run at RATE for SECONDS: `prepare(n)` makes message n (not timed: WeChat's work), `send` sends it. */
async function run<T>(label: string, prepare: (n: number) => T, send: (message: T) => Promise<{ ok: boolean; late: boolean }>) {
  const load = os.loadavg()[0]!;
  const cpuBefore = cpuSeconds(child.pid!);
  const times: number[] = [];
  let late = 0;
  let failed = 0;
  const total = RATE * SECONDS;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    // Open loop: message n leaves at n / RATE seconds, whether or not earlier ones were answered.
    const due = started + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const message = prepare(n);
    inFlight.push(
      (async () => {
        const t0 = performance.now();
        try {
          const out = await send(message);
          times.push(performance.now() - t0);
          if (!out.ok) failed++;
          else if (out.late) late++;
        } catch {
          failed++;
        }
      })(),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  const cpuPerMessage = ((cpuSeconds(child.pid!) - cpuBefore) * 1000) / total;
  const sorted = [...times].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  console.log(`${label}`);
  console.log(`- offered ${RATE} msg/s for ${SECONDS} s to ${CITIZENS} citizens: ${total} messages, achieved ${(times.length / elapsed).toFixed(0)} msg/s`);
  console.log(`- time to the reply: p50 ${pct(50).toFixed(1)} ms, p90 ${pct(90).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`);
  console.log(`- late answers (passive "success", sent through the API): ${late}; failed requests: ${failed}`);
  console.log(`- server CPU per message: ${cpuPerMessage.toFixed(2)} ms (one core: at most ~${Math.floor(1000 / cpuPerMessage)} msg/s); machine load average at the start: ${load.toFixed(2)}`);
}

const question = (n: number) => texts[Math.floor(n / CITIZENS) % texts.length]!;
await run(`WeChat passive replies (安全模式, AES both ways; ${os.cpus().length} cores, Node ${process.version}, server in a child process, load generator in this one)`,
  (n) => fake.sign(messageXml(citizen(n % CITIZENS), fake.account, { MsgType: 'text', Content: question(n), MsgId: nextMsgId() })),
  async (signed) => {
  const res = await fetch(`${url}/api/wechat?${signed.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: signed.body });
  const body = await res.text();
  return { ok: res.status === 200, late: body === 'success' };
  },
);

if (process.argv.includes('--compare-chat')) {
  const keys = new Map<number, string>();
  const chat = async (i: number, text: string) => {
    const key = keys.get(i);
    const res = await fetch(`${url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-session-key': key } : {}) },
      body: JSON.stringify({ sessionId: `bench-wechat-compare-${i}`, text }),
    });
    const body = (await res.json()) as { sessionKey?: string };
    if (body.sessionKey) keys.set(i, body.sessionKey);
    return { ok: res.status === 200, late: false };
  };
  await Promise.all(Array.from({ length: CITIZENS }, (_, i) => chat(i, '你好')));
  await run('The same questions through POST /api/chat, same server, right after', (n) => n, (n) => chat(n % CITIZENS, question(n)));
}

child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await fake.close();
await rm(dataDir, { recursive: true, force: true });
