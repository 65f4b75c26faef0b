/**
 * Wires the concrete parts together — knowledge from disk, jieba, the lowdb store, the chat
 * service, the web channel, the express app — and listens. Used by main.ts and by tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Channel } from '../channels/channel.js';
import { createTeamsChannel } from '../channels/teams/teams-channel.js';
import type { StaffOutcome, StaffPort } from '../channels/channel.js';
import { createOfficerActions, sees } from '../handoff/officer-actions.js';
import { createStaffLinks } from '../handoff/staff-links.js';
import { createEntraVerifier } from '../auth/entra-token.js';
import type { PublicUser } from '../auth/accounts.js';
import { createWebChannel } from '../channels/web/web-channel.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/logger.js';
import { createEngine, type Engine } from '../knowledge/engine.js';
import { parseFlows } from '../dialogue/parse-flows.js';
import { loadKnowledge, readYamlFiles } from '../adapters/load-knowledge.js';
import { formatProblem } from '../knowledge/parse-knowledge.js';
import { createJiebaTokenizer } from '../adapters/jieba-tokenizer.js';
import { createChatService } from '../service/chat-service.js';
import { createLowdbStore } from '../storage/lowdb-store.js';
import type { Store } from '../storage/ports.js';
import { randomBytes } from 'node:crypto';
import { createAccounts, type Accounts } from '../auth/accounts.js';
import { createHandoffService } from '../handoff/handoff-service.js';
import { OfficeHoursError, parseOfficeHours } from '../handoff/office-hours.js';
import { authenticate, authRoutes } from './auth-routes.js';
import { createApp } from './create-app.js';
import { createRateLimits } from './rate-limits.js';
import { officerRoutes } from './officer-routes.js';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { createEditorService, type Runtime } from '../editor/editor-service.js';
import type { LabelledQuestion } from '../knowledge/evaluate.js';
import { editorRoutes } from './editor-routes.js';
import { importRoutes } from './import-routes.js';
import { createOfficerSocket } from './officer-socket.js';

/**
 * The first admin: from ADMIN_USERNAME / ADMIN_PASSWORD, or a generated password printed once.
 * Only when no account exists yet.
 */
async function ensureFirstAdmin(accounts: Accounts, config: Config, logger: Logger, print: (line: string) => void): Promise<void> {
  if ((await accounts.count()) > 0) return;
  const username = config.adminUsername ?? 'admin';
  const generated = !config.adminPassword;
  const password = config.adminPassword ?? `${randomBytes(12).toString('base64url')}-Yc1`;
  try {
    await accounts.create({ username, password, role: 'admin', displayName: '管理员' });
  } catch (err) {
    throw new StartupError(`无法创建第一个管理员账号：${(err as Error).message}`);
  }
  logger.info('first_admin_created', { username, generatedPassword: generated });
  if (generated) print(`已创建管理员账号 ${username}，初始密码（只显示这一次，请立即登录后妥善保存）：${password}`);
}

export class StartupError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export interface RunningServer {
  url: string;
  server: Server;
  engine: Engine;
  store: Store;
  accounts: Accounts;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  logger: Logger,
  options: { store?: Store; print?: (line: string) => void; /** The clock (tests and demo data). */ now?: () => Date } = {},
): Promise<RunningServer> {
  const startedAt = new Date();
  // A folder that is not there is a setting gone wrong, not an empty knowledge base: say so.
  const folder = async <T>(dir: string, setting: string, what: string, read: (dir: string) => Promise<T>): Promise<T> => {
    try {
      return await read(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new StartupError(`找不到${what}目录：${dir}。请检查 ${setting}（不设时用项目里的默认目录）。`);
      throw err;
    }
  };
  const loaded = await folder(config.knowledgeDir, 'KNOWLEDGE_DIR', '知识库', loadKnowledge);
  if (!loaded.ok) {
    throw new StartupError(
      `知识库校验失败（${config.knowledgeDir}），服务未启动。请按提示修改后再启动：`,
      loaded.problems.map(formatProblem),
    );
  }
  const flowFiles = await folder(config.flowsDir, 'FLOWS_DIR', '引导流程', readYamlFiles);
  const flowsLoaded = parseFlows(flowFiles, loaded.kb);
  if (!flowsLoaded.ok) {
    throw new StartupError(
      `引导流程校验失败（${config.flowsDir}），服务未启动。请按提示修改后再启动：`,
      flowsLoaded.problems.map(formatProblem),
    );
  }
  // The live knowledge: replaced as a whole when an editor publishes, so a request in flight keeps
  // the version it started with and the next one gets the new one — no restart, nothing dropped.
  const tokenizer = createJiebaTokenizer();
  const today = () => new Date().toISOString().slice(0, 10);
  let live = { kb: loaded.kb, engine: createEngine(loaded.kb, tokenizer, { today: today() }), flows: flowsLoaded.flows };
  const engine = () => live.engine;
  const flows = () => live.flows;
  const runtime: Runtime = {
    kb: () => live.kb,
    candidate: (kb) => createEngine(kb, tokenizer, { today: today() }),
    async replace(kb) {
      const checked = parseFlows(flowFiles, kb);
      if (!checked.ok) return checked.problems.map(formatProblem);
      live = { kb, engine: createEngine(kb, tokenizer, { today: today() }), flows: checked.flows };
      logger.info('knowledge_reloaded', { entries: kb.entries.length });
      return [];
    },
  };
  // The publish gate's questions ship with the application (eval/questions.yaml). Without them a
  // change could break answers unnoticed, so a missing or unreadable set stops the start unless the
  // gate is turned off on purpose (PUBLISH_GATE=off).
  let questions: LabelledQuestion[] = [];
  if (config.publishGate) {
    const evalFile = config.evalFile;
    try {
      questions = parse(await readFile(evalFile, 'utf8')) as LabelledQuestion[];
    } catch (err) {
      throw new StartupError(`发布检查的问题集读不出来：${evalFile}（${(err as Error).message}）。请检查 EVAL_FILE，或设 PUBLISH_GATE=off 明确关闭发布检查。`);
    }
    if (!Array.isArray(questions) || questions.some((x) => typeof x?.q !== 'string' || !Array.isArray(x.expect))) {
      throw new StartupError(`发布检查的问题集格式不对：${evalFile}（每一项要有 q 和 expect）。`);
    }
  } else logger.warn('publish_gate_off', {});
  const store = options.store ?? (await createLowdbStore(config.dataDir));
  if (!(await store.writable())) throw new StartupError(`数据目录不可写：${config.dataDir}`);

  let officeHours;
  try {
    officeHours = parseOfficeHours(config.officeHours ?? loaded.kb.settings.officeHours);
  } catch (err) {
    if (err instanceof OfficeHoursError) throw new StartupError(`办公时间格式不对（OFFICE_HOURS 或 settings.yaml 的 officeHours）：${err.message}`);
    throw err;
  }
  const editor = createEditorService({ store, knowledgeDir: config.knowledgeDir, runtime, questions: () => questions, floor: config.publishFloor });
  const accounts = createAccounts(store);
  await ensureFirstAdmin(accounts, config, logger, options.print ?? ((line) => console.log(line)));
  const rateLimits = createRateLimits(config.rateLimits);
  const handoff = rateLimits.guardHandoffs(createHandoffService(store, options.now));
  const chat = createChatService({
    engine,
    flows,
    handoff,
    officeHours,
    store,
    ...(options.now ? { now: options.now } : {}),
    onEvent: (sessionId, event) => {
      if (event.type === 'unanswered') logger.info('unanswered', { sessionId, text: event.text });
    },
  });
  // Officers working from Teams (or another channel): the same actions as the console.
  const staffLinks = createStaffLinks(store);
  const officerActions = createOfficerActions({ handoff, chat });
  const asOutcome = (r: { ok: true } | { ok: false; code: string; reason: string }): StaffOutcome => (r.ok ? { ok: true } : { ok: false, code: r.code, reason: r.reason });
  const staffUser = async (username: string) => {
    const u = await accounts.get(username);
    return u && !u.disabled && (u.role === 'officer' || u.role === 'admin') ? u : null;
  };
  const asStaff = async (username: string, act: (u: PublicUser) => Promise<{ ok: true } | { ok: false; code: string; reason: string }>): Promise<StaffOutcome> => {
    const u = await staffUser(username);
    return u ? asOutcome(await act(u)) : { ok: false, code: 'forbidden', reason: '这个账号不是工作人员账号。' };
  };
  const staffPort: StaffPort = {
    link: async (code, identity) => {
      const username = await staffLinks.redeem(code, identity);
      return username && (await staffUser(username)) ? username : null;
    },
    whoIs: (identity) => staffLinks.whoIs(identity),
    claim: (username, sessionId) => asStaff(username, (u) => officerActions.claim(u, sessionId)),
    reply: (username, sessionId, text) => asStaff(username, (u) => officerActions.reply(u, sessionId, text)),
    resolve: (username, sessionId) => asStaff(username, (u) => officerActions.resolve(u, sessionId, '在 Teams 中结束')),
  };
  const channels: Channel[] = [
    createWebChannel({ chat, logger, maxMessageLength: config.maxMessageLength, messagesPerMinute: config.rateLimits.chatPerMinute }),
    createTeamsChannel({
      chat,
      logger,
      store,
      staff: staffPort,
      maxMessageLength: config.maxMessageLength,
      emulator: config.teamsEmulator,
      ...(config.microsoftAppId ? { appId: config.microsoftAppId } : {}),
      ...(config.microsoftAppPassword ? { appPassword: config.microsoftAppPassword } : {}),
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    }),
  ];
  const app = createApp({
    chat,
    engine,
    store,
    logger,
    startedAt,
    maxMessageLength: config.maxMessageLength,
    maxBodyBytes: config.maxBodyBytes,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    embedOrigins: config.embedOrigins,
    https: config.secureCookie,
    rateLimits,
    ...(config.trustProxy !== undefined ? { trustProxy: config.trustProxy } : {}),
    teamsTab: config.teamsTab,
    extra: [
      authenticate(accounts),
      authRoutes(accounts, {
        secureCookie: config.secureCookie,
        crossSite: config.teamsTab,
        ...(config.teamsSso ? { teamsSso: { verify: createEntraVerifier(config.teamsSso), whoIs: (identity: string) => staffLinks.whoIs(identity) } } : {}),
      }),
      officerRoutes({ chat, handoff, engine, store, flows, staffLinks }),
      importRoutes({ editor, kb: runtime.kb }),
      editorRoutes({
        editor,
        preview: (raw) => {
          const p = editor.preview(raw);
          if (!p.ok) return p;
          const candidate = runtime.candidate(p.kb);
          return { ok: true, search: (q) => candidate.search(q, 3).results.map((x) => ({ id: x.entry.id, title: x.entry.title, score: x.score })) };
        },
        usesOf: (id) => ({
          bundles: live.kb.entries.filter((e) => e.kind === 'bundle' && e.items.includes(id)).map((e) => ({ id: e.id, title: e.title })),
          flows: live.flows.filter((f) => f.entry === id || Object.values(f.steps).some((s) => 'checklist' in s && s.checklist.items.some((i) => i.id === id))).map((f) => ({ id: f.id, title: f.title })),
        }),
        kb: runtime.kb,
        engine,
        store,
        staleDays: config.staleDays,
        stepLabel: (key) => {
          const [flowId, stepId] = key.split('/');
          const flow = live.flows.find((f) => f.id === flowId);
          const step = flow && stepId ? flow.steps[stepId] : undefined;
          if (!flow || !step) return key;
          const what = 'ask' in step ? (step.label ?? step.ask) : 'say' in step ? step.say : stepId!;
          return `${flow.title}：${what.length > 24 ? `${what.slice(0, 24)}…` : what}`;
        },
      }),
      ...channels.flatMap((c) => (c.router ? [c.router] : [])),
    ],
  });

  // Officer and system messages reach a citizen whose chat page is connected at once.
  chat.onMessage((e) => {
    if (e.message.from === 'officer' || e.message.from === 'system') {
      for (const c of channels) void c.deliver?.(e.sessionId, e.message);
    }
  });
  // A case waiting for a person: tell the officers who serve its department wherever they can be reached (Teams).
  handoff.onChange((c, r) => {
    if (!r.ok || c.status !== 'queued' || (r.event.type !== 'request' && r.event.type !== 'transfer')) return;
    void (async () => {
      const title = c.entryId ? (engine().entry(c.entryId)?.title ?? c.entryId) : '未识别的事项';
      const notice = { sessionId: c.sessionId, title: `新的转人工：${title}`, text: `部门：${c.department}${c.reason ? `；原因：${c.reason}` : ''}` };
      for (const u of await accounts.list()) {
        if (!u.disabled && (u.role === 'officer' || u.role === 'admin') && sees(u, c)) for (const ch of channels) await ch.notifyStaff?.(u.username, notice);
      }
    })().catch((err) => logger.warn('staff_notify_failed', { error: String((err as Error).message ?? err) }));
  });
  const officerSocket = createOfficerSocket({ accounts, handoff, chat, logger });
  // Nobody claimed a case in time: tell the citizen and offer a call-back instead of silence.
  const offered = new Set<string>();
  const sweep = setInterval(() => {
    void (async () => {
      const limit = Date.now() - config.claimTimeoutMinutes * 60_000;
      for (const o of await handoff.open()) {
        if (o.status !== 'queued' || !o.queuedAt || Date.parse(o.queuedAt) > limit || offered.has(`${o.sessionId}@${o.queuedAt}`)) continue;
        offered.add(`${o.sessionId}@${o.queuedAt}`);
        await chat.post(o.sessionId, 'system', [
          { type: 'handoff', status: 'queued', text: '工作人员暂时都在忙，还没能接入。您可以继续等待，也可以留下电话，工作人员稍后给您回电。' },
          { type: 'choices', text: '您可以：', choices: [{ label: '留下电话等回电', value: 'callback' }, { label: '继续等待', value: 'keep_waiting' }] },
        ]);
        logger.info('claim_timeout_offer', { sessionId: o.sessionId, department: o.department });
      }
    })().catch((err) => logger.error('claim_timeout_sweep_failed', { error: String(err) }));
  }, config.sweepSeconds * 1000);
  sweep.unref();
  const server = createServer(app);
  // Nothing a client sends in an upgrade may end the process: a handler that throws answers 400.
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', (err) => logger.warn('upgrade_socket_error', { error: err.message }));
    try {
      if (officerSocket.handleUpgrade(req, socket, head)) return;
      if (!channels.some((c) => c.handleUpgrade?.(req, socket, head))) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      }
    } catch (err) {
      logger.warn('upgrade_failed', { error: String(err) });
      if (!socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('started', {
    url,
    entries: loaded.kb.entries.length,
    flows: live.flows.length,
    dataDir: config.dataDir,
    startupMs: Date.now() - startedAt.getTime(),
  });

  let closing: Promise<void> | null = null;
  return {
    url,
    server,
    get engine() {
      return live.engine;
    },
    store,
    accounts,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweep);
        await Promise.all([...channels.map((c) => c.close()), officerSocket.close()]);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await store.close();
      })()),
  };
}
