/**
 * Accounts of officers, editors and admins: scrypt-hashed passwords, sessions by random token
 * (only its SHA-256 is stored), and lock-out after repeated failed logins.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Store } from '../storage/ports.js';

export type Role = 'officer' | 'editor' | 'admin';
export const ROLES: readonly Role[] = ['officer', 'editor', 'admin'];

export interface User {
  username: string;
  displayName: string;
  role: Role;
  /** Departments whose queues an officer works; empty = every queue. */
  departments: string[];
  passwordHash: string;
  createdAt: string;
}

export type PublicUser = Omit<User, 'passwordHash'>;

interface SessionRecord {
  username: string;
  expiresAt: string;
}

interface LoginFailures {
  count: number;
  firstAt: number;
  lockedUntil: number | null;
}

export const SESSION_HOURS = 8;
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;

// Memory-hard: N = 2^15 needs 32 MiB and about 50 ms per hash on this machine.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEYLEN = 32;

const scrypt = (password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password, salt, KEYLEN, opts, (err, key) => (err ? reject(err) : resolve(key))));

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Why a password is refused, or null: at least 10 characters, not all of one kind. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < 10) return '密码至少 10 位';
  if (password.length > 200) return '密码不能超过 200 位';
  if (password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名';
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 2) return '密码要同时包含字母、数字或符号中的至少两种';
  return null;
}

export const toPublic = ({ passwordHash: _hash, ...user }: User): PublicUser => user;

const tokenKey = (token: string) => createHash('sha256').update(token).digest('hex');

export type LoginResult =
  | { ok: true; user: PublicUser; token: string; expiresAt: string }
  | { ok: false; reason: 'invalid' | 'locked'; retryAfterSeconds?: number };

export interface Accounts {
  count(): Promise<number>;
  create(input: { username: string; password: string; role: Role; displayName?: string; departments?: string[] }): Promise<PublicUser>;
  get(username: string): Promise<PublicUser | undefined>;
  list(): Promise<PublicUser[]>;
  login(username: string, password: string): Promise<LoginResult>;
  session(token: string): Promise<PublicUser | undefined>;
  /** A session for an account whose identity was proven another way (Teams single sign-on). */
  openSession(username: string): Promise<LoginResult>;
  logout(token: string): Promise<void>;
}

export class AccountError extends Error {
  constructor(
    readonly code: 'invalid_username' | 'weak_password' | 'username_taken' | 'invalid_role',
    message: string,
  ) {
    super(message);
  }
}

const USERNAME = /^[a-z][a-z0-9._-]{2,31}$/;

export function createAccounts(store: Store, now: () => Date = () => new Date()): Accounts {
  const users = store.documents<User>('users');
  const index = store.documents<string[]>('users-index');
  const sessions = store.documents<SessionRecord>('sessions');
  const failures = store.documents<LoginFailures>('login-failures');
  let chain: Promise<unknown> = Promise.resolve();
  // Account writes go one at a time, so two creations of one name cannot both succeed.
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = chain.then(task, task);
    chain = run.catch(() => {});
    return run;
  };
  const names = async () => (await index.read('all')) ?? [];

  return {
    count: async () => (await names()).length,
    create: (input) =>
      serial(async () => {
        const username = input.username.trim().toLowerCase();
        if (!USERNAME.test(username)) throw new AccountError('invalid_username', '用户名为 3–32 位小写字母、数字或 . _ -，以字母开头');
        if (!ROLES.includes(input.role)) throw new AccountError('invalid_role', '角色只能是 officer、editor 或 admin');
        const weak = passwordProblem(input.password, username);
        if (weak) throw new AccountError('weak_password', weak);
        const all = await names();
        if (all.includes(username)) throw new AccountError('username_taken', '这个用户名已经有人用了');
        const user: User = {
          username,
          displayName: input.displayName?.trim() || username,
          role: input.role,
          departments: input.departments ?? [],
          passwordHash: await hashPassword(input.password),
          createdAt: now().toISOString(),
        };
        await users.write(username, user);
        await index.write('all', [...all, username]);
        return toPublic(user);
      }),
    async get(username) {
      const u = await users.read(username);
      return u ? toPublic(u) : undefined;
    },
    async list() {
      const out: PublicUser[] = [];
      for (const n of await names()) {
        const u = await users.read(n);
        if (u) out.push(toPublic(u));
      }
      return out;
    },
    async login(rawUsername, password) {
      const username = rawUsername.trim().toLowerCase();
      const t = now().getTime();
      const f = (await failures.read(username)) ?? { count: 0, firstAt: t, lockedUntil: null };
      if (f.lockedUntil && f.lockedUntil > t) return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil((f.lockedUntil - t) / 1000) };
      const user = await users.read(username);
      // Hash even for an unknown user, so timing does not reveal which names exist.
      const good = user ? await verifyPassword(password, user.passwordHash) : (await hashPassword(password), false);
      if (!good || !user) {
        const fresh = t - f.firstAt > FAILURE_WINDOW_MS || (f.lockedUntil !== null && f.lockedUntil <= t);
        const next: LoginFailures = fresh ? { count: 1, firstAt: t, lockedUntil: null } : { ...f, count: f.count + 1 };
        if (next.count >= MAX_FAILURES) next.lockedUntil = t + LOCK_MS;
        await failures.write(username, next);
        return next.lockedUntil ? { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil(LOCK_MS / 1000) } : { ok: false, reason: 'invalid' };
      }
      await failures.delete(username);
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(t + SESSION_HOURS * 3600_000).toISOString();
      await sessions.write(tokenKey(token), { username, expiresAt });
      return { ok: true, user: toPublic(user), token, expiresAt };
    },
    async openSession(username) {
      const user = await users.read(username);
      if (!user) return { ok: false, reason: 'invalid' };
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now().getTime() + SESSION_HOURS * 3600_000).toISOString();
      await sessions.write(tokenKey(token), { username, expiresAt });
      return { ok: true, user: toPublic(user), token, expiresAt };
    },
    async session(token) {
      if (!token || token.length > 200) return undefined;
      const s = await sessions.read(tokenKey(token));
      if (!s || Date.parse(s.expiresAt) <= now().getTime()) return undefined;
      const u = await users.read(s.username);
      return u ? toPublic(u) : undefined;
    },
    logout: (token) => sessions.delete(tokenKey(token)),
  };
}
