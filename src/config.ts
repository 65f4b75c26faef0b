/** Process settings, read once from the environment (see the README and ../shared/api.md). */
import { resolve } from 'node:path';
import type { RateLimitSettings } from './server/rate-limits.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  knowledgeDir: string;
  flowsDir: string;
  adminUsername?: string;
  adminPassword?: string;
  microsoftAppId?: string;
  microsoftAppPassword?: string;
  /** TEAMS_EMULATOR=on: without MicrosoftAppId, /api/messages answers the local Bot Framework Emulator (otherwise it is off). */
  teamsEmulator: boolean;
  officeHours?: string;
  /** The address citizens reach the service at, for checklist links and QR codes. */
  publicUrl?: string;
  /** Origins besides this site allowed to embed the chat page (space separated), for CSP frame-ancestors; none by default, "*" for any. */
  embedOrigins: string;
  /** Mark the session cookie Secure (behind HTTPS): COOKIE_SECURE=true, or a https PUBLIC_URL. */
  secureCookie: boolean;
  /** The officer console may open as a Teams tab: Teams may frame it, and the session cookie is SameSite=None (https only). */
  teamsTab: boolean;
  /** Teams single sign-on for the tab (TEAMS_SSO_RESOURCE, TEAMS_SSO_TENANT_ID; TEAMS_SSO_JWKS_URL to override where keys come from). */
  teamsSso?: { audience: string; tenantId: string; jwksUrl?: string };
  /** Minutes a queued case may wait unclaimed before the citizen is offered a call-back. */
  claimTimeoutMinutes: number;
  /** How often waiting cases are checked, in seconds. */
  sweepSeconds: number;
  /** Labelled questions the publish gate runs (EVAL_FILE). */
  evalFile: string;
  /** Run the publish gate (the default); PUBLISH_GATE=off turns it off on purpose. */
  publishGate: boolean;
  /** Lowest top-1 share on them that a publish may leave (PUBLISH_TOP1_FLOOR, 0–1). */
  publishFloor: number;
  /** Entries whose facts were checked longer ago than this show on the editors' to-do list (STALE_DAYS). */
  staleDays: number;
  /** Longest message a citizen may send, in characters. */
  maxMessageLength: number;
  /** Largest request body accepted, for express' body parser. */
  maxBodyBytes: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Per-client rate limits (RATE_LIMIT_*), see src/server/rate-limits.ts. */
  rateLimits: RateLimitSettings;
  /** Express 'trust proxy' (TRUST_PROXY): a hop count, or the proxies' addresses; the client address then comes from X-Forwarded-For. */
  trustProxy?: number | string;
}

export class ConfigError extends Error {}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number, got "${value}"`);
  return n;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${env.PORT}"`);
  }
  const level = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be debug, info, warn, error or silent, got "${env.LOG_LEVEL}"`);
  }
  const opt = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  if (!['on', 'off', undefined, ''].includes(env.TEAMS_EMULATOR)) throw new ConfigError(`TEAMS_EMULATOR must be on or off, got "${env.TEAMS_EMULATOR}"`);
  const secureCookie = env.COOKIE_SECURE === 'true' || (opt(env.PUBLIC_URL)?.startsWith('https://') ?? false);
  return {
    port,
    host: opt(env.HOST) ?? '127.0.0.1',
    dataDir: resolve(cwd, opt(env.DATA_DIR) ?? 'data'),
    knowledgeDir: resolve(cwd, opt(env.KNOWLEDGE_DIR) ?? 'knowledge'),
    flowsDir: resolve(cwd, opt(env.FLOWS_DIR) ?? 'flows'),
    adminUsername: opt(env.ADMIN_USERNAME),
    adminPassword: opt(env.ADMIN_PASSWORD),
    microsoftAppId: opt(env.MicrosoftAppId),
    microsoftAppPassword: opt(env.MicrosoftAppPassword),
    teamsEmulator: env.TEAMS_EMULATOR === 'on',
    officeHours: opt(env.OFFICE_HOURS),
    publicUrl: opt(env.PUBLIC_URL)?.replace(/\/+$/, ''),
    embedOrigins: opt(env.EMBED_ORIGINS)?.split(/[\s,]+/).filter(Boolean).join(' ') ?? '',
    secureCookie,
    teamsTab: Boolean(opt(env.MicrosoftAppId)) && secureCookie,
    ...(opt(env.TEAMS_SSO_RESOURCE) && opt(env.TEAMS_SSO_TENANT_ID)
      ? { teamsSso: { audience: opt(env.TEAMS_SSO_RESOURCE)!, tenantId: opt(env.TEAMS_SSO_TENANT_ID)!, ...(opt(env.TEAMS_SSO_JWKS_URL) ? { jwksUrl: opt(env.TEAMS_SSO_JWKS_URL)! } : {}) } }
      : {}),
    claimTimeoutMinutes: positive(env.CLAIM_TIMEOUT_MINUTES, 'CLAIM_TIMEOUT_MINUTES', 10),
    sweepSeconds: positive(env.HANDOFF_SWEEP_SECONDS, 'HANDOFF_SWEEP_SECONDS', 30),
    evalFile: resolve(cwd, opt(env.EVAL_FILE) ?? 'eval/questions.yaml'),
    publishGate: opt(env.PUBLISH_GATE) !== 'off',
    publishFloor: Math.min(1, positive(env.PUBLISH_TOP1_FLOOR, 'PUBLISH_TOP1_FLOOR', 0.9)),
    staleDays: positive(env.STALE_DAYS, 'STALE_DAYS', 365),
    maxMessageLength: 500,
    maxBodyBytes: '16kb',
    logLevel: level,
    rateLimits: {
      chatPerMinute: Math.ceil(positive(env.RATE_LIMIT_CHAT_PER_MINUTE, 'RATE_LIMIT_CHAT_PER_MINUTE', 60)),
      chatPerConversationPerMinute: Math.ceil(positive(env.RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE, 'RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE', 20)),
      searchPerMinute: Math.ceil(positive(env.RATE_LIMIT_SEARCH_PER_MINUTE, 'RATE_LIMIT_SEARCH_PER_MINUTE', 120)),
      loginPerMinute: Math.ceil(positive(env.RATE_LIMIT_LOGIN_PER_MINUTE, 'RATE_LIMIT_LOGIN_PER_MINUTE', 20)),
      handoffsPer10Minutes: Math.ceil(positive(env.RATE_LIMIT_HANDOFFS_PER_10_MINUTES, 'RATE_LIMIT_HANDOFFS_PER_10_MINUTES', 5)),
    },
    ...(opt(env.TRUST_PROXY) ? { trustProxy: /^\d+$/.test(env.TRUST_PROXY!) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY! } : {}),
  };
}
