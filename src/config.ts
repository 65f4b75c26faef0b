/** Process settings, read once from the environment (see the README and ../shared/api.md). */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { RateLimitSettings } from './server/rate-limits.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** DATABASE_URL: keep the data in PostgreSQL, shared by every instance, instead of lowdb files under dataDir. */
  databaseUrl?: string;
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
  /**
   * Redis (REDIS_URL, redis:// or rediss://, or the path of its Unix socket) when several instances serve together: live events
   * between them and shared rate limits. Without it: one instance, events and limits in memory.
   */
  redisUrl?: string;
  /** What every Redis channel and key of this deployment starts with (REDIS_PREFIX; `yici:` when absent), so several deployments can share one Redis. */
  redisPrefix?: string;
  /** The WeChat official account (WECHAT_*); absent when WECHAT_TOKEN is not set, and /api/wechat is off. */
  wechat?: WechatSettings;
}

/** 微信公众号 settings (src/channels/wechat/). */
export interface WechatSettings {
  /** 服务器配置 › 令牌(Token): signs every request WeChat sends. */
  token: string;
  /** 开发者ID(AppID): checked inside every encrypted message; needed for the API (officer replies, menu). */
  appId?: string;
  /** 开发者密码(AppSecret): for the access token of the API; without it officers' replies cannot reach WeChat. */
  appSecret?: string;
  /** 消息加解密密钥(EncodingAESKey), 43 characters: with it only encrypted (安全模式) messages are accepted. */
  aesKey?: string;
  /** WeChat's API, https://api.weixin.qq.com (tests point it to a local fake). */
  apiBase: string;
  /** The custom menu and what its clicks do (WECHAT_MENU_FILE). */
  menuFile: string;
  /**
   * WECHAT_NEWS=on: a checklist comes as a 图文 (news) card linking to its printable page, and the
   * rest of the answer through the customer-service API (needs AppID and AppSecret); otherwise,
   * and without the API, one text with the link.
   */
  news: boolean;
}

/** A setting that is wrong; the message names every wrong variable and what it must be (in Chinese: operators read it). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** An unset or empty variable is "not set". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const positiveNumber = (fallback: number) =>
  optional(
    z
      .string()
      .refine((v) => Number.isFinite(Number(v)) && Number(v) > 0, { message: '应为正数' })
      .transform(Number),
  ).transform((v) => v ?? fallback);

const positiveWhole = (fallback: number) => positiveNumber(fallback).transform(Math.ceil);

const onOff = optional(z.enum(['on', 'off'], { message: '应为 on 或 off' }));

/**
 * Every environment variable Yici reads, with its default. Parsing reports all wrong variables at
 * once; a variable not named here is ignored (the environment holds much else).
 */
const EnvSchema = z
  .object({
    PORT: optional(
      z
        .string()
        .refine((v) => /^\d+$/.test(v) && Number(v) <= 65535, { message: '应为 0 到 65535 的整数' })
        .transform(Number),
    ).transform((v) => v ?? 3000),
    HOST: optional(z.string()).transform((v) => v ?? '127.0.0.1'),
    DATA_DIR: optional(z.string()).transform((v) => v ?? 'data'),
    DATABASE_URL: optional(z.string().refine((v) => /^postgres(ql)?:\/\/\S+$/.test(v) && URL.canParse(v), { message: '应为 postgres:// 或 postgresql:// 开头的连接地址' })),
    KNOWLEDGE_DIR: optional(z.string()).transform((v) => v ?? 'knowledge'),
    FLOWS_DIR: optional(z.string()).transform((v) => v ?? 'flows'),
    ADMIN_USERNAME: optional(z.string()),
    ADMIN_PASSWORD: optional(z.string()),
    MicrosoftAppId: optional(z.string()),
    MicrosoftAppPassword: optional(z.string()),
    TEAMS_EMULATOR: onOff,
    OFFICE_HOURS: optional(z.string()),
    PUBLIC_URL: optional(
      z
        .string()
        .refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), { message: '应为 http:// 或 https:// 开头的地址' })
        .transform((v) => v.replace(/\/+$/, '')),
    ),
    EMBED_ORIGINS: optional(z.string()),
    COOKIE_SECURE: optional(z.enum(['true', 'false'], { message: '应为 true 或 false' })),
    TEAMS_SSO_RESOURCE: optional(z.string()),
    TEAMS_SSO_TENANT_ID: optional(z.string()),
    TEAMS_SSO_JWKS_URL: optional(z.url({ message: '应为一个地址（URL）' })),
    CLAIM_TIMEOUT_MINUTES: positiveNumber(10),
    HANDOFF_SWEEP_SECONDS: positiveNumber(30),
    EVAL_FILE: optional(z.string()).transform((v) => v ?? 'eval/questions.yaml'),
    PUBLISH_GATE: onOff,
    PUBLISH_TOP1_FLOOR: positiveNumber(0.9).transform((v) => Math.min(1, v)),
    STALE_DAYS: positiveNumber(365),
    LOG_LEVEL: optional(z.enum(LOG_LEVELS, { message: '应为 debug、info、warn、error 或 silent' })).transform((v) => v ?? 'info'),
    RATE_LIMIT_CHAT_PER_MINUTE: positiveWhole(60),
    RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE: positiveWhole(20),
    RATE_LIMIT_SEARCH_PER_MINUTE: positiveWhole(120),
    RATE_LIMIT_LOGIN_PER_MINUTE: positiveWhole(20),
    RATE_LIMIT_HANDOFFS_PER_10_MINUTES: positiveWhole(5),
    TRUST_PROXY: optional(z.string()).transform((v) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : v)),
    // Or the absolute path of Redis's Unix socket (same host: no TCP stack per command; docs/deploy.md).
    REDIS_URL: optional(
      z.string().refine((v) => (/^rediss?:\/\/[^\s]+$/.test(v) && URL.canParse(v)) || /^\/[^\s?]+$/.test(v), { message: '应为 redis:// 或 rediss:// 开头的地址，或 Redis 套接字文件的绝对路径' }),
    ),
    REDIS_PREFIX: optional(z.string().regex(/^[A-Za-z0-9_.-]{1,48}:$/, { message: '应为 1 到 48 个英文字母、数字、下划线、点或减号，以冒号结尾，例如 yici-wuzhou:' })),
    WECHAT_TOKEN: optional(z.string().regex(/^[A-Za-z0-9]{3,32}$/, { message: '应为 3 到 32 个英文字母或数字（与公众平台「服务器配置」里的令牌 Token 相同）' })),
    WECHAT_APP_ID: optional(z.string().regex(/^wx[0-9a-f]{16}$/i, { message: '应为公众号的开发者ID（AppID），形如 wx 加 16 位十六进制字符' })),
    WECHAT_APP_SECRET: optional(z.string().regex(/^[0-9a-zA-Z]{16,64}$/, { message: '应为公众号的开发者密码（AppSecret），16 到 64 个英文字母或数字' })),
    WECHAT_AES_KEY: optional(z.string().regex(/^[A-Za-z0-9]{43}$/, { message: '应为 43 个英文字母或数字（公众平台「服务器配置」里的消息加解密密钥 EncodingAESKey）' })),
    WECHAT_API_BASE: optional(
      z
        .string()
        .refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), { message: '应为 http:// 或 https:// 开头的地址' })
        .transform((v) => v.replace(/\/+$/, '')),
    ).transform((v) => v ?? 'https://api.weixin.qq.com'),
    WECHAT_MENU_FILE: optional(z.string()).transform((v) => v ?? 'wechat/menu.yaml'),
    WECHAT_NEWS: onOff,
  })
  .superRefine((env, ctx) => {
    // Settings that only make sense together: half of a pair is a mistake, not a choice.
    const pairs: [keyof typeof env, keyof typeof env][] = [
      ['ADMIN_USERNAME', 'ADMIN_PASSWORD'],
      ['TEAMS_SSO_RESOURCE', 'TEAMS_SSO_TENANT_ID'],
    ];
    for (const [a, b] of pairs) {
      if ((env[a] === undefined) !== (env[b] === undefined)) {
        const [set, missing] = env[a] === undefined ? [b, a] : [a, b];
        ctx.addIssue({ code: 'custom', path: [missing], message: `未设置，而 ${String(set)} 已设置：两者须同时设置` });
      }
    }
    // WeChat: the token turns the channel on; the other settings need it, and the AppId where they use it.
    const wechatNeeds: [keyof typeof env, keyof typeof env, string][] = [
      ['WECHAT_APP_ID', 'WECHAT_TOKEN', '不设置令牌时微信公众号接口不启用'],
      ['WECHAT_APP_SECRET', 'WECHAT_TOKEN', '不设置令牌时微信公众号接口不启用'],
      ['WECHAT_AES_KEY', 'WECHAT_TOKEN', '不设置令牌时微信公众号接口不启用'],
      ['WECHAT_AES_KEY', 'WECHAT_APP_ID', '安全模式要用 AppID 核对每条加密消息'],
      ['WECHAT_APP_SECRET', 'WECHAT_APP_ID', '调用微信接口要同时用 AppID 和 AppSecret'],
    ];
    for (const [set, needed, why] of wechatNeeds) {
      if (env[set] !== undefined && env[needed] === undefined) {
        ctx.addIssue({ code: 'custom', path: [needed], message: `未设置，而 ${String(set)} 已设置（${why}）` });
      }
    }
  });

function describeIssues(error: z.ZodError, env: NodeJS.ProcessEnv): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const value = env[name];
    const shown = value === undefined ? '' : /PASSWORD|SECRET|TOKEN|AES_KEY|DATABASE_URL|REDIS_URL/i.test(name) ? '（值不显示）' : `，当前为 "${value}"`;
    return `${name} ${issue.message}${shown}`;
  });
}

/** Reads and checks the environment once; throws ConfigError naming every wrong variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, env));
  const e = parsed.data;
  const secureCookie = e.COOKIE_SECURE === 'true' || (e.PUBLIC_URL?.startsWith('https://') ?? false);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(cwd, e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    knowledgeDir: resolve(cwd, e.KNOWLEDGE_DIR),
    flowsDir: resolve(cwd, e.FLOWS_DIR),
    adminUsername: e.ADMIN_USERNAME,
    adminPassword: e.ADMIN_PASSWORD,
    microsoftAppId: e.MicrosoftAppId,
    microsoftAppPassword: e.MicrosoftAppPassword,
    teamsEmulator: e.TEAMS_EMULATOR === 'on',
    officeHours: e.OFFICE_HOURS,
    publicUrl: e.PUBLIC_URL,
    embedOrigins: e.EMBED_ORIGINS?.split(/[\s,]+/).filter(Boolean).join(' ') ?? '',
    secureCookie,
    teamsTab: Boolean(e.MicrosoftAppId) && secureCookie,
    ...(e.TEAMS_SSO_RESOURCE && e.TEAMS_SSO_TENANT_ID
      ? { teamsSso: { audience: e.TEAMS_SSO_RESOURCE, tenantId: e.TEAMS_SSO_TENANT_ID, ...(e.TEAMS_SSO_JWKS_URL ? { jwksUrl: e.TEAMS_SSO_JWKS_URL } : {}) } }
      : {}),
    claimTimeoutMinutes: e.CLAIM_TIMEOUT_MINUTES,
    sweepSeconds: e.HANDOFF_SWEEP_SECONDS,
    evalFile: resolve(cwd, e.EVAL_FILE),
    publishGate: e.PUBLISH_GATE !== 'off',
    publishFloor: e.PUBLISH_TOP1_FLOOR,
    staleDays: e.STALE_DAYS,
    maxMessageLength: 500,
    maxBodyBytes: '16kb',
    logLevel: e.LOG_LEVEL,
    rateLimits: {
      chatPerMinute: e.RATE_LIMIT_CHAT_PER_MINUTE,
      chatPerConversationPerMinute: e.RATE_LIMIT_CHAT_PER_CONVERSATION_PER_MINUTE,
      searchPerMinute: e.RATE_LIMIT_SEARCH_PER_MINUTE,
      loginPerMinute: e.RATE_LIMIT_LOGIN_PER_MINUTE,
      handoffsPer10Minutes: e.RATE_LIMIT_HANDOFFS_PER_10_MINUTES,
    },
    ...(e.TRUST_PROXY !== undefined ? { trustProxy: e.TRUST_PROXY } : {}),
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    ...(e.REDIS_PREFIX ? { redisPrefix: e.REDIS_PREFIX } : {}),
    ...(e.WECHAT_TOKEN
      ? {
          wechat: {
            token: e.WECHAT_TOKEN,
            ...(e.WECHAT_APP_ID ? { appId: e.WECHAT_APP_ID } : {}),
            ...(e.WECHAT_APP_SECRET ? { appSecret: e.WECHAT_APP_SECRET } : {}),
            ...(e.WECHAT_AES_KEY ? { aesKey: e.WECHAT_AES_KEY } : {}),
            apiBase: e.WECHAT_API_BASE,
            menuFile: resolve(cwd, e.WECHAT_MENU_FILE),
            news: e.WECHAT_NEWS === 'on',
          },
        }
      : {}),
  };
}
