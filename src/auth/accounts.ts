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
 *
 * Several instances may share the store: account changes go under its lock 'accounts', failed-login
 * counting under 'login-guard', and account events (a session signed out, every session of an
 * account ended, an account changed) reach every instance through the relay 'accounts.event'.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Store } from '../storage/ports.js';
import { createRelays, type Relays } from '../storage/relay.js';
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
  /** A disabled account cannot sign in, and its sessions ended when it was disabled. */
  disabled?: boolean;
  /**
   * Raised whenever every session of the account must end (disabled, new password): a session
   * opened under an older generation is void.
   */
  sessionGeneration?: number;
}

export type PublicUser = Omit<User, 'passwordHash' | 'sessionGeneration' | 'disabled'> & { disabled: boolean };

/** An enabled officer or admin: who may work cases (console, Teams) and be told of new ones. */
export const isActiveStaff = (u: PublicUser): boolean => !u.disabled && (u.role === 'officer' || u.role === 'admin');

interface SessionRecord {
  username: string;
  expiresAt: string;
  /** The account's sessionGeneration when the session was opened (absent: 0). */
  generation?: number;
}

/** One change to the accounts, as the audit log keeps it (never a password or its hash). */
export interface AccountAuditRecord {
  at: string;
  /** The admin who made the change. */
  by: string;
  action: 'create' | 'update' | 'disable' | 'enable' | 'password';
  username: string;
  /** For create and update: the new values of what changed. */
  changes?: Partial<Pick<PublicUser, 'displayName' | 'role' | 'departments'>>;
}
export const ACCOUNT_AUDIT_LOG = 'accounts-audit';

/**
 * What the officer socket (and anything else holding a session open) must hear: a session signed
 * out, every session of an account ended, or an account changed (its role or departments).
 */
export type AccountEvent =
  | { type: 'signed_out'; sessionId: string }
  | { type: 'sessions_ended'; username: string; reason: 'disabled' | 'password' }
  | { type: 'updated'; user: PublicUser };

/** A live session: its id (the SHA-256 of its token, never the token), its user and its end. */
export interface SessionInfo {
  id: string;
  user: PublicUser;
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

export const toPublic = ({ passwordHash: _hash, sessionGeneration: _generation, disabled, ...user }: User): PublicUser => ({ ...user, disabled: disabled === true });

/** A session's id: the SHA-256 of its token (what the store keys sessions by). */
export const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');
const tokenKey = sessionIdOf;

export type LoginResult =
  | { ok: true; user: PublicUser; token: string; expiresAt: string }
  | { ok: false; reason: 'invalid' | 'locked' | 'disabled'; retryAfterSeconds?: number };

/** What an admin may change of an account besides its password and whether it is enabled. */
export interface AccountChanges {
  displayName?: string;
  role?: Role;
  departments?: string[];
}

export interface Accounts {
  count(): Promise<number>;
  /** `by`: the admin creating it, for the audit log (absent: the first admin, created at start). */
  create(input: { username: string; password: string; role: Role; displayName?: string; departments?: string[] }, by?: string): Promise<PublicUser>;
  get(username: string): Promise<PublicUser | undefined>;
  list(): Promise<PublicUser[]>;
  /** `address`: the client's address, so that failures from one place do not lock out another. */
  login(username: string, password: string, address?: string): Promise<LoginResult>;
  session(token: string): Promise<PublicUser | undefined>;
  /** Like session(), with the session's id and end (for whoever keeps it open: the officer socket). */
  sessionOf(token: string): Promise<SessionInfo | undefined>;
  /** A session for an account whose identity was proven another way (Teams single sign-on). */
  openSession(username: string): Promise<LoginResult>;
  logout(token: string): Promise<void>;
  /** Display name, role, departments. Refused (last_admin) when no enabled admin would remain. */
  update(username: string, changes: AccountChanges, by: string): Promise<PublicUser>;
  /** Disable (every session ends, no new one) or enable again. Disabling the last enabled admin is refused. */
  setDisabled(username: string, disabled: boolean, by: string): Promise<PublicUser>;
  /** A new password, checked like one at creation; every session of the account ends. */
  setPassword(username: string, password: string, by: string): Promise<PublicUser>;
  /** The newest changes to accounts, newest first. */
  audit(limit: number): Promise<AccountAuditRecord[]>;
  /** Sessions ending and accounts changing, as they happen on any instance; returns the unsubscribe function. */
  onEvent(listener: (event: AccountEvent) => void): () => void;
}

export class AccountError extends Error {
  constructor(
    readonly code: 'invalid_username' | 'weak_password' | 'username_taken' | 'invalid_role' | 'not_found' | 'last_admin',
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

/** `relays`: how account events reach the other instances (start-server.ts); this instance only without. */
export function createAccounts(store: Store, now: () => Date = () => new Date(), limitsIn: Partial<LoginLimits> = {}, relays: Relays = createRelays()): Accounts {
  const limitsOf = { ...LIMITS, ...limitsIn };
  const users = store.documents<User>('users');
  const index = store.documents<string[]>('users-index');
  const sessions = store.documents<SessionRecord>('sessions');
  const guardDoc = store.documents<LoginGuard>('login-guard');
  // Account writes go one at a time, so two creations of one name cannot both succeed.
  const serial = <T>(task: () => Promise<T>) => store.exclusive('accounts', task);
  const names = async () => (await index.read('all')) ?? [];
  // Counting is serialised apart from account writes, and never waits for a password hash.
  const guarded = <T>(task: (g: LoginGuard, t: number) => T): Promise<T> =>
    store.exclusive('login-guard', async () => {
      const t = now().getTime();
      const g = prune((await guardDoc.read('all')) ?? { pairs: {}, addresses: {}, accounts: {} }, t);
      const out = task(g, t);
      await guardDoc.write('all', g);
      return out;
    });

  const audit = store.log<AccountAuditRecord>(ACCOUNT_AUDIT_LOG);
  // A listener's failure is its own (the relay catches it); the change is made.
  const events = relays.of<AccountEvent>('accounts.event');
  const emit = (event: AccountEvent) => events.emit(event);
  const existing = async (username: string): Promise<User> => {
    const user = await users.read(username);
    if (!user) throw new AccountError('not_found', '没有这个账号。');
    return user;
  };
  /** Refuses a change after which no enabled admin would remain. Runs inside serial(). */
  const keepAnAdmin = async (username: string) => {
    for (const n of await names()) {
      if (n === username) continue;
      const u = await users.read(n);
      if (u && u.role === 'admin' && !u.disabled) return;
    }
    throw new AccountError('last_admin', '这是最后一个可用的管理员账号，不能停用或改成其他角色。请先给另一个账号设为管理员。');
  };
  const open = async (user: User) => {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now().getTime() + SESSION_HOURS * 3600_000).toISOString();
    await sessions.write(tokenKey(token), { username: user.username, expiresAt, generation: user.sessionGeneration ?? 0 });
    return { ok: true as const, user: toPublic(user), token, expiresAt };
  };
  const sessionOf = async (token: string): Promise<SessionInfo | undefined> => {
    if (!token || token.length > 200) return undefined;
    const id = tokenKey(token);
    const s = await sessions.read(id);
    if (!s) return undefined;
    const u = Date.parse(s.expiresAt) > now().getTime() ? await users.read(s.username) : undefined;
    if (!u || u.disabled || (s.generation ?? 0) !== (u.sessionGeneration ?? 0)) {
      await sessions.delete(id);
      return undefined;
    }
    return { id, user: toPublic(u), expiresAt: s.expiresAt };
  };

  return {
    count: async () => (await names()).length,
    create: (input, by) =>
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
        await audit.append({ at: user.createdAt, by: by ?? 'system', action: 'create', username, changes: { displayName: user.displayName, role: user.role, departments: user.departments } });
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
      // The right password for a disabled account: said so (only to whoever knows the password), no session.
      if (user.disabled) return { ok: false, reason: 'disabled' };
      return open(user);
    },
    async openSession(username) {
      const user = await users.read(username);
      if (!user) return { ok: false, reason: 'invalid' };
      if (user.disabled) return { ok: false, reason: 'disabled' };
      return open(user);
    },
    sessionOf,
    session: async (token) => (await sessionOf(token))?.user,
    async logout(token) {
      const id = tokenKey(token);
      await sessions.delete(id);
      emit({ type: 'signed_out', sessionId: id });
    },
    update: (username, changes, by) =>
      serial(async () => {
        const user = await existing(username);
        if (changes.role !== undefined && !ROLES.includes(changes.role)) throw new AccountError('invalid_role', '角色只能是 officer、editor 或 admin');
        const next: User = { ...user };
        const changed: AccountAuditRecord['changes'] = {};
        const displayName = changes.displayName?.trim();
        if (displayName && displayName !== user.displayName) next.displayName = changed.displayName = displayName;
        if (changes.role !== undefined && changes.role !== user.role) next.role = changed.role = changes.role;
        if (changes.departments !== undefined) {
          const departments = [...new Set(changes.departments.map((d) => d.trim()).filter(Boolean))];
          if (departments.join('\n') !== user.departments.join('\n')) next.departments = changed.departments = departments;
        }
        if (Object.keys(changed).length === 0) return toPublic(user);
        if (user.role === 'admin' && next.role !== 'admin' && !user.disabled) await keepAnAdmin(username);
        await users.write(username, next);
        await audit.append({ at: now().toISOString(), by, action: 'update', username, changes: changed });
        emit({ type: 'updated', user: toPublic(next) });
        return toPublic(next);
      }),
    setDisabled: (username, disabled, by) =>
      serial(async () => {
        const user = await existing(username);
        if ((user.disabled === true) === disabled) return toPublic(user);
        if (disabled && user.role === 'admin') await keepAnAdmin(username);
        const next: User = { ...user, disabled, ...(disabled ? { sessionGeneration: (user.sessionGeneration ?? 0) + 1 } : {}) };
        await users.write(username, next);
        await audit.append({ at: now().toISOString(), by, action: disabled ? 'disable' : 'enable', username });
        if (disabled) emit({ type: 'sessions_ended', username, reason: 'disabled' });
        else emit({ type: 'updated', user: toPublic(next) });
        return toPublic(next);
      }),
    setPassword: (username, password, by) =>
      serial(async () => {
        const user = await existing(username);
        const weak = passwordProblem(password, username);
        if (weak) throw new AccountError('weak_password', weak);
        const next: User = { ...user, passwordHash: await hashPassword(password), sessionGeneration: (user.sessionGeneration ?? 0) + 1 };
        await users.write(username, next);
        await audit.append({ at: now().toISOString(), by, action: 'password', username });
        emit({ type: 'sessions_ended', username, reason: 'password' });
        return toPublic(next);
      }),
    audit: (limit) => audit.recent(limit),
    onEvent: (listener) => events.on((event) => listener(event)),
  };
}
