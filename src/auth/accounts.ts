/**
 * Accounts of officers, editors and admins: scrypt-hashed passwords, sessions by random token
 * (only its SHA-256 is stored), and lock-out after repeated failed logins.
 *
 * Lock-out is exact and cannot be turned against a colleague: every attempt is counted *before*
 * its password is hashed, one at a time, so parallel requests cannot slip past the count; and it
 * is counted per account *and client address*, so five wrong passwords from one address lock the
 * account for that address only — the real officer still signs in from their own desk. An address
 * that tries many names, and an account tried from many addresses, have limits of their own.
 * Failed attempts live in one document, keyed by hashes (a login name that is a phone number is
 * never stored), and expire after the window.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { serializer } from '../core/serialize.js';
import type { Store } from '../storage/ports.js';
import { commonPasswordProblem } from './common-passwords.js';

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

/** Failed attempts of one key (an account from one address, an address, an account) in the window. */
interface Attempts {
  count: number;
  firstAt: number;
  lockedUntil: number | null;
}

/** Every failed-login counter, in one document; keys are hashes. */
interface LoginGuard {
  pairs: Record<string, Attempts>;
  addresses: Record<string, Attempts>;
  accounts: Record<string, Attempts>;
}

export const SESSION_HOURS = 8;
/** Wrong passwords for one account from one client address before that address is locked out of it. */
export const MAX_FAILURES = 5;
/** Wrong passwords from one client address, whatever the names, before the address is locked out. */
export const MAX_FAILURES_PER_ADDRESS = 20;
/** Wrong passwords for one account from all addresses together (a distributed attack) before it is locked. */
export const MAX_FAILURES_PER_ACCOUNT = 50;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;
/** Most counters kept per kind; the oldest go first (they bound the document an attacker can grow). */
export const MAX_TRACKED = 10_000;

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

/** Why a password is refused, or null: at least 10 characters, not all of one kind, not a common one. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < 10) return '密码至少 10 位';
  if (password.length > 200) return '密码不能超过 200 位';
  if (password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名';
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 2) return '密码要同时包含字母、数字或符号中的至少两种';
  return commonPasswordProblem(password, username);
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
  /** `address`: the client's address, so that failures from one place do not lock out another. */
  login(username: string, password: string, address?: string): Promise<LoginResult>;
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

/** A counter's key: a hash, so no login name (which may be a phone number) or address is stored. */
const guardKey = (kind: string, value: string) => createHash('sha256').update(`yici-login\n${kind}\n${value}`).digest('hex').slice(0, 32);

/** Counts one failed attempt; true when it reaches the limit (and so locks). */
function count(map: Record<string, Attempts>, key: string, limit: number, t: number): boolean {
  const a = map[key];
  const fresh = !a || t - a.firstAt > FAILURE_WINDOW_MS || (a.lockedUntil !== null && a.lockedUntil <= t);
  const next: Attempts = fresh ? { count: 1, firstAt: t, lockedUntil: null } : { ...a, count: a.count + 1 };
  if (next.count >= limit) next.lockedUntil = t + LOCK_MS;
  map[key] = next;
  return next.lockedUntil !== null;
}

/** Drops counters whose window and lock are over, and the oldest beyond MAX_TRACKED. */
function prune(g: LoginGuard, t: number): LoginGuard {
  const keep = (map: Record<string, Attempts> | undefined) => {
    const live = Object.entries(map ?? {}).filter(([, a]) => t - a.firstAt <= FAILURE_WINDOW_MS || (a.lockedUntil ?? 0) > t);
    live.sort((x, y) => y[1].firstAt - x[1].firstAt);
    return Object.fromEntries(live.slice(0, MAX_TRACKED));
  };
  return { pairs: keep(g.pairs), addresses: keep(g.addresses), accounts: keep(g.accounts) };
}

/** How many wrong passwords each counter allows in FAILURE_WINDOW_MS. */
export interface LoginLimits {
  perAccountAndAddress: number;
  perAddress: number;
  perAccount: number;
}
const LIMITS: LoginLimits = { perAccountAndAddress: MAX_FAILURES, perAddress: MAX_FAILURES_PER_ADDRESS, perAccount: MAX_FAILURES_PER_ACCOUNT };

export function createAccounts(store: Store, now: () => Date = () => new Date(), limitsIn: Partial<LoginLimits> = {}): Accounts {
  const limitsOf = { ...LIMITS, ...limitsIn };
  const users = store.documents<User>('users');
  const index = store.documents<string[]>('users-index');
  const sessions = store.documents<SessionRecord>('sessions');
  const guardDoc = store.documents<LoginGuard>('login-guard');
  // Account writes go one at a time, so two creations of one name cannot both succeed.
  const serial = serializer();
  const names = async () => (await index.read('all')) ?? [];
  // Counting is serialised apart from account writes, and never waits for a password hash.
  const guardSerial = serializer();
  const guarded = <T>(task: (g: LoginGuard, t: number) => T): Promise<T> =>
    guardSerial(async () => {
      const t = now().getTime();
      const g = prune((await guardDoc.read('all')) ?? { pairs: {}, addresses: {}, accounts: {} }, t);
      const out = task(g, t);
      await guardDoc.write('all', g);
      return out;
    });

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
    async login(rawUsername, password, address = 'unknown') {
      const username = rawUsername.trim().toLowerCase();
      const keys = {
        pairs: guardKey('pair', `${username}\n${address}`),
        addresses: guardKey('address', address),
        accounts: guardKey('account', username),
      };
      const limits = { pairs: limitsOf.perAccountAndAddress, addresses: limitsOf.perAddress, accounts: limitsOf.perAccount };
      const kinds = Object.keys(keys) as (keyof LoginGuard)[];
      // Count this attempt first; only an attempt that was counted gets its password checked.
      const gate = await guarded((g, t) => {
        const until = Math.max(0, ...kinds.map((k) => g[k][keys[k]]?.lockedUntil ?? 0));
        if (until > t) return { locked: true as const, retryAfterSeconds: Math.ceil((until - t) / 1000) };
        let reachedLimit = false;
        for (const k of kinds) reachedLimit = count(g[k], keys[k], limits[k], t) || reachedLimit;
        return { locked: false as const, reachedLimit };
      });
      if (gate.locked) return { ok: false, reason: 'locked', retryAfterSeconds: gate.retryAfterSeconds };
      const user = await users.read(username);
      // Hash even for an unknown user, so timing does not reveal which names exist.
      const good = user ? await verifyPassword(password, user.passwordHash) : (await hashPassword(password), false);
      if (!good || !user) {
        return gate.reachedLimit ? { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil(LOCK_MS / 1000) } : { ok: false, reason: 'invalid' };
      }
      // Not a failure after all: this account is clear from this address, and the other counters give the attempt back.
      await guarded((g) => {
        delete g.pairs[keys.pairs];
        for (const k of ['addresses', 'accounts'] as const) {
          const a = g[k][keys[k]];
          if (a && a.lockedUntil === null) a.count = Math.max(0, a.count - 1);
        }
      });
      const t = now().getTime();
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
