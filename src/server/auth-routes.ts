/**
 * Login, sessions, roles and CSRF protection for the officer, editor and admin pages and APIs.
 * Session cookie: httpOnly, SameSite=Strict, expiring; state-changing routes take JSON only and
 * refuse a foreign Origin.
 */
import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AccountError, ROLES, SESSION_HOURS, type Accounts, type PublicUser, type Role } from '../auth/accounts.js';
import { AppError } from '../core/errors.js';
import { sameOrigin } from './same-origin.js';
import { parseOr400 } from './validate.js';

export const COOKIE = 'yici_session';

/**
 * One cookie from the request, parsed by the maintained `cookie` package: a malformed value
 * (`yici_session=%`) comes back as it is, never as an exception.
 */
export function readCookie(req: IncomingMessage, name = COOKIE): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  try {
    return parseCookie(header)[name];
  } catch {
    return undefined;
  }
}

/** The signed-in user, or undefined. */
export const userOf = (res: Response): PublicUser | undefined => res.locals.user as PublicUser | undefined;

export function authenticate(accounts: Accounts): RequestHandler {
  return async (req, res, next) => {
    const token = readCookie(req);
    if (token) res.locals.user = await accounts.session(token);
    next();
  };
}

export const requireRole =
  (...roles: Role[]): RequestHandler =>
  (_req, res, next) => {
    const user = userOf(res);
    if (!user) return next(new AppError(401, 'unauthenticated', '请先登录。'));
    if (!roles.includes(user.role)) return next(new AppError(403, 'forbidden', '您的账号没有这个权限。'));
    next();
  };

/**
 * Cross-site request forgery: a state-changing request must carry JSON (or nothing) and, if it
 * names an Origin, the Origin must be this site. Browsers cannot send cross-site JSON without
 * CORS, and forms cannot send JSON at all.
 */
export const csrfGuard: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
  const type = req.headers['content-type'];
  const length = Number(req.headers['content-length'] ?? 0);
  if ((type && !req.is('application/json')) || (!type && length > 0)) {
    return next(new AppError(415, 'unsupported_media_type', '请求体必须是 JSON（content-type: application/json）'));
  }
  if (!sameOrigin(req.headers.origin, req.headers.host)) return next(new AppError(403, 'cross_site_request', '拒绝来自其他网站的请求。'));
  next();
};

export interface TeamsSso {
  /** Checks an Entra access token; the user's object id when valid. */
  verify(token: string): Promise<{ ok: true; identity: { oid: string; upn: string | null } } | { ok: false; reason: string }>;
  /** The officer account linked to a Teams identity (`teams:<oid>`), if any. */
  whoIs(identity: string): Promise<string | null>;
}

export function authRoutes(
  accounts: Accounts,
  options: { secureCookie: boolean; /** Teams tab: the cookie must travel inside Teams' frame (Secure is then required). */ crossSite?: boolean; teamsSso?: TeamsSso },
): Router {
  const r = Router();
  const cookie = (value: string, maxAge: number) =>
    `${COOKIE}=${encodeURIComponent(value)}; HttpOnly; ${options.crossSite ? 'SameSite=None; Secure' : `SameSite=Strict${options.secureCookie ? '; Secure' : ''}`}; Path=/; Max-Age=${maxAge}`;

  const loginBody = z.strictObject({
    username: z.string({ error: '请输入用户名' }).min(1, { error: '请输入用户名' }).max(64),
    password: z.string({ error: '请输入密码' }).min(1, { error: '请输入密码' }).max(200),
  });

  r.post('/api/auth/login', csrfGuard, async (req, res) => {
    const body = parseOr400(loginBody, req.body);
    // Failures count per account *and* client address (see accounts.ts), so an attacker cannot lock a colleague out.
    const result = await accounts.login(body.username, body.password, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!result.ok) {
      if (result.reason === 'locked') {
        res.setHeader('Retry-After', String(result.retryAfterSeconds ?? 900));
        throw new AppError(429, 'locked', `登录失败次数太多，账号已暂时锁定，请 ${Math.ceil((result.retryAfterSeconds ?? 900) / 60)} 分钟后再试。`);
      }
      throw new AppError(401, 'invalid_credentials', '用户名或密码不对。');
    }
    res.setHeader('Set-Cookie', cookie(result.token, SESSION_HOURS * 3600));
    res.json({ user: result.user, expiresAt: result.expiresAt });
  });

  /** Teams single sign-on in the 工作台 tab: is it configured, and sign in with the tab's token. */
  r.get('/api/auth/teams-sso', (_req, res) => res.json({ enabled: Boolean(options.teamsSso) }));
  const ssoBody = z.strictObject({ token: z.string({ error: '缺少 token' }).min(20).max(10_000) });
  r.post('/api/auth/teams-sso', csrfGuard, async (req, res) => {
    const sso = options.teamsSso;
    if (!sso) throw new AppError(404, 'not_found', '没有配置 Teams 单点登录。');
    const { token } = parseOr400(ssoBody, req.body);
    const checked = await sso.verify(token);
    if (!checked.ok) throw new AppError(401, 'invalid_token', `Teams 登录没有通过：${checked.reason}`);
    const username = await sso.whoIs(`teams:${checked.identity.oid}`);
    if (!username) throw new AppError(403, 'not_linked', '这个 Teams 账号还没有绑定工作人员账号：请先用账号密码登录，点「绑定 Teams」，把绑定码发给机器人。');
    const result = await accounts.openSession(username);
    if (!result.ok) throw new AppError(403, 'not_linked', '绑定的工作人员账号已不存在。');
    res.setHeader('Set-Cookie', cookie(result.token, SESSION_HOURS * 3600));
    res.json({ user: result.user, expiresAt: result.expiresAt });
  });

  r.post('/api/auth/logout', csrfGuard, async (req, res) => {
    const token = readCookie(req);
    if (token) await accounts.logout(token);
    res.setHeader('Set-Cookie', cookie('', 0));
    res.json({ ok: true });
  });

  r.get('/api/auth/me', (_req, res) => {
    const user = userOf(res);
    if (!user) throw new AppError(401, 'unauthenticated', '请先登录。');
    res.json({ user });
  });

  const userBody = z.strictObject({
    username: z.string({ error: 'username 是必填项' }),
    password: z.string({ error: 'password 是必填项' }),
    role: z.enum(ROLES as [Role, ...Role[]], { error: 'role 只能是 officer、editor 或 admin' }),
    displayName: z.string().max(40).optional(),
    departments: z.array(z.string().min(1).max(40)).max(20).optional(),
  });

  r.get('/api/admin/users', requireRole('admin'), async (_req, res) => {
    res.json({ users: await accounts.list() });
  });

  r.post('/api/admin/users', csrfGuard, requireRole('admin'), async (req, res) => {
    const body = parseOr400(userBody, req.body);
    try {
      const user = await accounts.create(body);
      res.status(201).json({ user });
    } catch (err) {
      if (err instanceof AccountError) throw new AppError(err.code === 'username_taken' ? 409 : 400, err.code, err.message);
      throw err;
    }
  });

  return r;
}
