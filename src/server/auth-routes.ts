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
const DISABLED = '这个账号已停用，请联系管理员。';

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
      if (result.reason === 'disabled') throw new AppError(403, 'account_disabled', DISABLED);
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
    if (!result.ok) throw new AppError(403, result.reason === 'disabled' ? 'account_disabled' : 'not_linked', result.reason === 'disabled' ? DISABLED : '绑定的工作人员账号已不存在。');
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

  /** An AccountError as the HTTP answer: 404 for an unknown account, 409 for a taken name or the last admin, else 400. */
  const accountError = (err: unknown) => {
    if (!(err instanceof AccountError)) return err;
    const status = err.code === 'not_found' ? 404 : err.code === 'username_taken' || err.code === 'last_admin' ? 409 : 400;
    return new AppError(status, err.code, err.message);
  };
  const adminName = (res: Response) => userOf(res)!.username;

  r.post('/api/admin/users', csrfGuard, requireRole('admin'), async (req, res) => {
    const body = parseOr400(userBody, req.body);
    try {
      const user = await accounts.create(body, adminName(res));
      res.status(201).json({ user });
    } catch (err) {
      throw accountError(err);
    }
  });

  const changesBody = z
    .strictObject({
      displayName: z.string().trim().min(1, { error: '姓名不能为空' }).max(40, { error: '姓名不能超过 40 个字' }).optional(),
      role: z.enum(ROLES as [Role, ...Role[]], { error: 'role 只能是 officer、editor 或 admin' }).optional(),
      departments: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
    })
    .refine((b) => Object.keys(b).length > 0, { error: '请给出要修改的 displayName、role 或 departments' });
  const passwordBody = z.strictObject({ password: z.string({ error: 'password 是必填项' }).min(1, { error: 'password 是必填项' }).max(200, { error: '密码不能超过 200 位' }) });
  const target = (req: Request) => String(req.params.username ?? '').toLowerCase();

  /** Display name, role and departments; 409 last_admin when no enabled admin would remain. */
  r.patch('/api/admin/users/:username', csrfGuard, requireRole('admin'), async (req, res) => {
    const body = parseOr400(changesBody, req.body);
    try {
      res.json({ user: await accounts.update(target(req), body, adminName(res)) });
    } catch (err) {
      throw accountError(err);
    }
  });
  /** Disabled: no sign-in, every session (and officer socket) ends at once. */
  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    r.post(`/api/admin/users/:username/${action}`, csrfGuard, requireRole('admin'), async (req, res) => {
      try {
        res.json({ user: await accounts.setDisabled(target(req), disabled, adminName(res)) });
      } catch (err) {
        throw accountError(err);
      }
    });
  }
  /** A new password, checked like one at creation; every session of the account ends. */
  r.post('/api/admin/users/:username/password', csrfGuard, requireRole('admin'), async (req, res) => {
    const { password } = parseOr400(passwordBody, req.body);
    try {
      res.json({ user: await accounts.setPassword(target(req), password, adminName(res)) });
    } catch (err) {
      throw accountError(err);
    }
  });
  r.get('/api/admin/audit', requireRole('admin'), async (_req, res) => {
    res.json({ events: await accounts.audit(200) });
  });

  return r;
}
