/**
 * The composition root: builds the concrete parts — knowledge from disk, jieba, the lowdb store,
 * the bus, the handoff desk, the chat service, the channels, the express app — wires them together
 * and listens. Used by main.ts and by tests. Each part lives in a module named after what it does;
 * this file only connects them.
 *
 * Several instances may serve together on one store and one bus (Redis): each has its own id; the
 * services' events reach every instance through the relays (storage/relay.ts), periodic jobs run
 * on the instance holding their lease, and rate limits are counted in Redis.
 */
import { prepareAppealModel } from '../dialogue/appeal-reading.js';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { createJiebaTokenizer } from '../adapters/jieba-tokenizer.js';
import { createKnowledgeCache } from '../adapters/knowledge-cache.js';
import { openStore } from '../adapters/open-store.js';
import type { RedisBus } from '../adapters/redis-bus.js';
import { createAccounts, type Accounts } from '../auth/accounts.js';
import { createEntraVerifier } from '../auth/entra-token.js';
import type { Channel } from '../channels/channel.js';
import { createTeamsChannel } from '../channels/teams/teams-channel.js';
import { createWechatChannel } from '../channels/wechat/wechat-channel.js';
import { createWebChannel } from '../channels/web/web-channel.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/logger.js';
import { createEditorService } from '../editor/editor-service.js';
import { stepLabel, usesOf } from '../editor/entry-uses.js';
import { createClaimTimeoutSweep } from '../handoff/claim-timeout-sweep.js';
import { createDepartmentDesk } from '../handoff/department-desk.js';
import { createHandoffService } from '../handoff/handoff-service.js';
import { createOfficerActions } from '../handoff/officer-actions.js';
import { createStaffLinks } from '../handoff/staff-links.js';
import { notifyStaffOfQueuedCases } from '../handoff/staff-notifications.js';
import type { Engine } from '../knowledge/engine.js';
import { createChatService, type MessageEvent } from '../service/chat-service.js';
import { createLocalBus } from '../storage/local-bus.js';
import type { Bus, Store } from '../storage/ports.js';
import { createRelays } from '../storage/relay.js';
import { authenticate, authRoutes } from './auth-routes.js';
import { createApp } from './create-app.js';
import { departmentRoutes } from './department-routes.js';
import { editorRoutes } from './editor-routes.js';
import { ensureFirstAdmin } from './first-admin.js';
import { importRoutes } from './import-routes.js';
import type { BuildApart } from './build-apart.js';
import { loadLiveKnowledge } from './live-knowledge.js';
import { createOfficerSocket } from './officer-socket.js';
import { officerRoutes } from './officer-routes.js';
import { createRateLimits } from './rate-limits.js';
import { createStaffPort } from './staff-port.js';
import { StartupError } from './startup-error.js';
import { readOfficeHours, readPublishGateQuestions } from './startup-settings.js';

export { StartupError };

/**
 * Officer and system messages reach a citizen whose chat page is connected at once: every instance
 * delivers to its own sockets, and a platform (Teams) is called by the instance where the message
 * was added (`here`), so once.
 */
export const deliverLive =
  (channels: readonly Channel[]) =>
  (e: MessageEvent, here: boolean): void => {
    if (e.message.from !== 'officer' && e.message.from !== 'system') return;
    for (const c of channels) if (here || c.delivery === 'connections') void c.deliver?.(e.sessionId, e.message);
  };

export interface RunningServer {
  url: string;
  server: Server;
  engine: Engine;
  store: Store;
  bus: Bus;
  /** This instance's id: the origin of its bus messages and the holder of its leases. */
  instanceId: string;
  accounts: Accounts;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  logger: Logger,
  options: {
    store?: Store;
    /** The bus to the other instances; else Redis when REDIS_URL is set, else this process alone. */
    bus?: Bus;
    /** The published knowledge base lives in the store, shared with other instances (default: when the store is PostgreSQL). */
    sharedKnowledge?: boolean;
    print?: (line: string) => void;
    /** The clock (tests and demo data). */
    now?: () => Date;
    /** Builds the knowledge cache in a child process when a start finds none (main.ts; server/build-apart.ts). */
    buildApart?: BuildApart;
  } = {},
): Promise<RunningServer> {
  const startedAt = new Date();
  const now = options.now ?? (() => new Date());
  const store = options.store ?? (await openStore(config));
  if (!(await store.writable())) throw new StartupError(store.kind === 'postgres' ? 'PostgreSQL 数据库不可写（连接不上或只读）：请检查 DATABASE_URL' : `数据目录不可写：${config.dataDir}`);
  const questions = await readPublishGateQuestions(config, logger);
  const instanceId = randomUUID();
  const redis: RedisBus | undefined =
    !options.bus && config.redisUrl
      ? // ioredis is imported only when Redis is configured.
        (await import('../adapters/redis-bus.js')).createRedisBus(config.redisUrl, {
          ...(config.redisPrefix ? { prefix: config.redisPrefix } : {}),
          onError: (event, error) => logger.warn(event, { error }),
          onReconnect: () => logger.info('redis_reconnected', {}),
        })
      : undefined;
  const bus = options.bus ?? redis ?? createLocalBus();
  if (!(await bus.healthy())) logger.warn('bus_unreachable', { kind: bus.kind, note: '启动时连接不上消息总线：本实例先照常服务，恢复后自动重连' });
  // On a local bus made here no other instance listens: events go to this instance's listeners only.
  const relays = createRelays({ ...(options.bus || redis ? { bus } : {}), instanceId, onError: (err, topic) => logger.warn('relay_failed', { topic, error: String((err as Error)?.message ?? err) }) });
  // A start that fails from here on closes the Redis connections it opened (they would keep the process alive).
  const failedStart = async (err: unknown): Promise<never> => {
    relays.close();
    await redis?.close();
    throw err;
  };
  // The knowledge base as parsed and indexed is kept in DATA_DIR/knowledge-cache between starts (keyed by its files and the code).
  const cacheDir = join(config.dataDir, 'knowledge-cache');
  const knowledgeCache = createKnowledgeCache(cacheDir);
  const { buildApart } = options;
  const knowledge = await loadLiveKnowledge(
    config,
    createJiebaTokenizer,
    logger,
    { store, bus, shared: options.sharedKnowledge ?? store.kind === 'postgres' },
    knowledgeCache,
    buildApart ? (job) => buildApart({ ...job, cacheDir }) : undefined,
  ).catch(failedStart);
  const { engine, flows, runtime } = knowledge;
  const officeHours = readOfficeHours(config, knowledge.kb().settings.officeHours);

  const editor = createEditorService({ store, runtime, questions: () => questions, floor: config.publishFloor });
  const accounts = createAccounts(store, undefined, undefined, relays);
  await ensureFirstAdmin(accounts, config, logger, options.print ?? ((line) => console.log(line))).catch(failedStart);
  const rateLimits = createRateLimits(config.rateLimits, redis);
  const handoff = rateLimits.guardHandoffs(createHandoffService(store, options.now, relays));
  // The counter departments of settings.yaml, and where a case goes when nobody serves its own.
  const departments = createDepartmentDesk({ settings: () => knowledge.kb().settings, accounts: () => accounts.list(), store, logger });
  const chat = createChatService({
    engine,
    flows,
    handoff,
    officeHours,
    routeCase: (department, c) => departments.route(department, c),
    store,
    relays,
    ...(options.now ? { now: options.now } : {}),
    onEvent: (sessionId, event) => {
      if (event.type === 'unanswered') logger.info('unanswered', { sessionId, text: event.text });
    },
  });
  const staffLinks = createStaffLinks(store);
  const staffPort = createStaffPort({ accounts, staffLinks, officerActions: createOfficerActions({ handoff, conversations: chat, departments }) });
  const channels: Channel[] = [
    createWebChannel({ chat, logger, maxMessageLength: config.maxMessageLength, messagesPerMinute: config.rateLimits.chatPerMinute }),
    await createTeamsChannel({
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
    createWechatChannel({ chat, logger, store, config, engine, flows, now: options.now }),
  ];
  const app = createApp({
    chat,
    engine,
    store,
    bus,
    knowledgeVersion: knowledge.version,
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
      officerRoutes({ chat, handoff, engine, store, flows, staffLinks, departments, staff: () => accounts.list() }),
      departmentRoutes({ departments, title: (id) => engine().entry(id)?.title }),
      importRoutes({ editor, kb: runtime.kb }),
      editorRoutes({
        editor,
        preview: (raw) => {
          const p = editor.preview(raw);
          if (!p.ok) return p;
          const candidate = runtime.candidate(p.kb);
          return { ok: true, search: (q) => candidate.search(q, 3).results.map((x) => ({ id: x.entry.id, title: x.entry.title, score: x.score })) };
        },
        usesOf: (id) => usesOf(knowledge.kb(), flows(), id),
        kb: runtime.kb,
        version: knowledge.version,
        engine,
        store,
        staleDays: config.staleDays,
        stepLabel: (key) => stepLabel(flows(), key),
      }),
      ...channels.flatMap((c) => (c.router ? [c.router] : [])),
    ],
  });

  chat.onMessage(deliverLive(channels));
  notifyStaffOfQueuedCases({
    handoff,
    accounts: () => accounts.list(),
    notify: async (username, notice) => {
      for (const c of channels) await c.notifyStaff?.(username, notice);
    },
    title: (entryId) => engine().entry(entryId)?.title,
    departmentOf: departments.of,
    logger,
  });
  const officerSocket = createOfficerSocket({ accounts, handoff, chat, logger, departments });
  // One instance sweeps: the holder of the lease, renewed every pass; another takes over within three passes of its end.
  const sweepMs = config.sweepSeconds * 1000;
  const stopSweep = createClaimTimeoutSweep({ handoff, conversations: chat, timeoutMinutes: config.claimTimeoutMinutes, now, logger }).every(sweepMs, () =>
    store.lease('claim-timeout-sweep', instanceId, 3 * sweepMs),
  );

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
  }).catch(failedStart);
  // The 诉求 model (dialogue/appeal-reading.ts) is trained now, a few milliseconds at a time, rather
  // than by the first message nothing answers.
  void prepareAppealModel().catch((err: unknown) => logger.warn('appeal_model_failed', { error: String(err) }));
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('started', {
    url,
    instanceId,
    store: store.kind,
    bus: bus.kind,
    entries: knowledge.kb().entries.length,
    flows: flows().length,
    dataDir: config.dataDir,
    startupMs: Date.now() - startedAt.getTime(),
    heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
  });

  let closing: Promise<void> | null = null;
  return {
    url,
    server,
    get engine() {
      return engine();
    },
    store,
    bus,
    instanceId,
    accounts,
    close: () =>
      (closing ??= (async () => {
        stopSweep();
        knowledge.close();
        // A knowledge cache being written is finished, not left half-way in a folder being removed.
        await knowledge.cache.saved;
        relays.close();
        await Promise.all([...channels.map((c) => c.close()), officerSocket.close()]);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await Promise.all([store.close(), bus.close()]);
      })()),
  };
}
