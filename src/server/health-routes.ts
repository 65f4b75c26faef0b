/**
 * Health for operators and load balancers:
 *
 *  - GET /api/health — the contract's check: 200 {"status":"ok"} once the knowledge base is loaded,
 *    the store can be written and the bus reaches the other instances; otherwise 503
 *    {"status":"unavailable"} with the reasons. Also the store's and the bus's kind, the number of
 *    entries, the knowledge version and the uptime.
 *  - GET /api/ready — the same decision, briefly, for a load balancer: send this instance requests?
 *  - GET /api/health/live — 200 while the process answers at all, for a liveness probe: an instance
 *    whose database or Redis is away is not restarted for it (it recovers when they are back).
 *
 * Each dependency gets CHECK_TIMEOUT_MS to answer; one that does not, or that throws, counts as down.
 */
import { Router } from 'express';
import type { Engine } from '../knowledge/engine.js';
import type { Bus, Store } from '../storage/ports.js';

export const CHECK_TIMEOUT_MS = 2000;

export interface HealthDeps {
  engine: () => Engine;
  /** The published knowledge version served now (the same on every instance once a publish has reached it). */
  knowledgeVersion?: () => number;
  store: Store;
  bus: Bus;
  startedAt: Date;
}

/** `check()`'s answer, or false when it throws or is late. */
async function within(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([check().then((v) => v === true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: HealthDeps): Router {
  const r = Router();
  const check = async () => {
    const [writable, healthy] = await Promise.all([within(() => deps.store.writable()), within(() => deps.bus.healthy())]);
    const entries = deps.engine().kb.entries.length;
    const reasons = [
      ...(entries > 0 ? [] : ['知识库没有加载任何条目']),
      ...(writable ? [] : [`数据存储（${deps.store.kind}）现在不能写入`]),
      ...(healthy ? [] : [`消息总线（${deps.bus.kind}）连接不上，其他实例的实时消息到不了这里`]),
    ];
    return { ok: reasons.length === 0, reasons, entries, writable, healthy };
  };

  r.get('/api/health', async (_req, res) => {
    const c = await check();
    res.status(c.ok ? 200 : 503).json({
      status: c.ok ? 'ok' : 'unavailable',
      ...(c.ok ? {} : { reasons: c.reasons }),
      knowledge: { entries: c.entries, ...(deps.knowledgeVersion ? { version: deps.knowledgeVersion() } : {}) },
      store: { kind: deps.store.kind, writable: c.writable },
      bus: { kind: deps.bus.kind, healthy: c.healthy },
      uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
    });
  });
  r.get('/api/ready', async (_req, res) => {
    const c = await check();
    res.status(c.ok ? 200 : 503).json(c.ok ? { status: 'ok' } : { status: 'unavailable', reasons: c.reasons });
  });
  r.get('/api/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return r;
}
