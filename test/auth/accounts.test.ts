/** Lock-out that is exact under parallel requests and cannot be turned against a colleague; common passwords refused. */
import { describe, expect, it } from 'vitest';
import { createAccounts, FAILURE_WINDOW_MS, LOCK_MS, MAX_FAILURES, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, passwordProblem } from '../../src/auth/accounts.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

const PASSWORD = 'Window-Desk-2026';

async function setup(limits: Parameters<typeof createAccounts>[2] = {}) {
  const store = createMemoryStore();
  let t = Date.parse('2026-03-02T01:00:00Z');
  const clock = { advance: (ms: number) => (t += ms) };
  const accounts = createAccounts(store, () => new Date(t), limits);
  await accounts.create({ username: 'lihua', password: PASSWORD, role: 'officer' });
  return { store, accounts, clock };
}

describe('login lock-out', () => {
  it('checks at most MAX_FAILURES passwords per account and address, even when 100 arrive at once', async () => {
    const { accounts } = await setup();
    const results = await Promise.all(Array.from({ length: 100 }, () => accounts.login('lihua', 'wrong-password-1', '203.0.113.9')));
    // Four wrong answers, the fifth locks, and the other 95 are refused without their password being checked.
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(MAX_FAILURES - 1);
    expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(100 - MAX_FAILURES + 1);
    expect((await accounts.login('lihua', PASSWORD, '203.0.113.9')).ok).toBe(false);
  });

  it('lets the real officer sign in from another address while an attacker is locked out', async () => {
    const { accounts } = await setup();
    await Promise.all(Array.from({ length: 30 }, () => accounts.login('lihua', 'wrong-password-1', '203.0.113.9')));
    expect(await accounts.login('lihua', PASSWORD, '203.0.113.9')).toMatchObject({ ok: false, reason: 'locked' });
    expect(await accounts.login('lihua', PASSWORD, '10.0.0.7')).toMatchObject({ ok: true });
  });

  it('locks an address that tries many names, and an account tried from many addresses', async () => {
    // Smaller limits than the defaults (MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_ACCOUNT), to keep the test fast.
    expect(MAX_FAILURES_PER_ADDRESS).toBeGreaterThan(MAX_FAILURES);
    expect(MAX_FAILURES_PER_ACCOUNT).toBeGreaterThan(MAX_FAILURES_PER_ADDRESS);
    const { accounts, clock } = await setup({ perAddress: 8, perAccount: 12 });
    for (let i = 0; i < 8; i++) await accounts.login(`nobody${i}`, 'wrong-password-1', '198.51.100.1');
    expect(await accounts.login('lihua', PASSWORD, '198.51.100.1')).toMatchObject({ ok: false, reason: 'locked' });
    expect((await accounts.login('lihua', PASSWORD, '198.51.100.2')).ok).toBe(true);

    for (let i = 0; i < 12; i++) await accounts.login('lihua', 'wrong-password-1', `192.0.2.${i}`);
    expect(await accounts.login('lihua', PASSWORD, '10.0.0.7')).toMatchObject({ ok: false, reason: 'locked' });
    clock.advance(LOCK_MS + 1);
    expect((await accounts.login('lihua', PASSWORD, '10.0.0.7')).ok).toBe(true);
  });

  it('keeps failed attempts in one document, keyed by hashes, and forgets them after the window', async () => {
    const { store, accounts, clock } = await setup();
    for (const name of ['13812345678', '450403199001011234', 'lihua']) await accounts.login(name, 'wrong-password-1', '203.0.113.9');
    const guard = await store.documents<Record<string, Record<string, unknown>>>('login-guard').read('all');
    const raw = JSON.stringify(guard);
    expect(raw).not.toMatch(/13812345678|450403199001011234|lihua|203\.0\.113\.9/);
    expect(Object.keys(guard!.pairs!)).toHaveLength(3);
    expect(await store.documents('login-failures').read('13812345678')).toBeUndefined();

    clock.advance(FAILURE_WINDOW_MS + 1);
    await accounts.login('someone', 'wrong-password-1', '10.0.0.1');
    const after = await store.documents<Record<string, Record<string, unknown>>>('login-guard').read('all');
    expect(Object.keys(after!.pairs!)).toHaveLength(1);
  });
});

describe('passwordProblem', () => {
  it.each(['password12', 'P@ssw0rd!!', 'Passw0rd-2024', 'qwerty12345', 'Qwertyuiop1', '1qaz2wsx3edc', 'Sunshine2024!', 'abc1234567', 'Woaini1314!', 'aaaaaaaaaa1', 'Iloveyou!!1'])(
    'refuses the common password %s with a reason in Chinese',
    (pw) => {
      expect(passwordProblem(pw, 'lihua')).toMatch(/太常见/);
    },
  );

  it('refuses the username itself, and accepts a password of its own', () => {
    expect(passwordProblem('Lihua-2026!!', 'lihua')).toBe('密码不能包含用户名');
    expect(passwordProblem('L1hua-2026!!', 'lihua')).toBe('密码不能包含用户名');
    expect(passwordProblem('Window-Desk-2026', 'lihua')).toBeNull();
    expect(passwordProblem('Tr0ub4dor&3x', 'lihua')).toBeNull();
  });
});

describe('account administration', () => {
  it('disabling ends every session and refuses sign-in; enabling lets the account sign in again', async () => {
    const { accounts } = await setup();
    const events: unknown[] = [];
    accounts.onEvent((e) => events.push(e));
    const r = await accounts.login('lihua', PASSWORD, '10.0.0.7');
    if (!r.ok) throw new Error('sign-in failed');
    expect((await accounts.sessionOf(r.token))?.user.username).toBe('lihua');
    expect(await accounts.setDisabled('lihua', true, 'chief')).toMatchObject({ disabled: true });
    expect(await accounts.session(r.token)).toBeUndefined();
    expect(await accounts.login('lihua', PASSWORD, '10.0.0.7')).toEqual({ ok: false, reason: 'disabled' });
    expect(await accounts.openSession('lihua')).toEqual({ ok: false, reason: 'disabled' });
    expect(events).toEqual([{ type: 'sessions_ended', username: 'lihua', reason: 'disabled' }]);
    await accounts.setDisabled('lihua', false, 'chief');
    expect((await accounts.login('lihua', PASSWORD, '10.0.0.7')).ok).toBe(true);
    // The session from before stays ended.
    expect(await accounts.session(r.token)).toBeUndefined();
  });

  it('a new password is checked, ends every session, and only the new one signs in', async () => {
    const { accounts } = await setup();
    const r = await accounts.login('lihua', PASSWORD, '10.0.0.7');
    if (!r.ok) throw new Error('sign-in failed');
    await expect(accounts.setPassword('lihua', 'Qwerty123456', 'chief')).rejects.toMatchObject({ code: 'weak_password' });
    expect(await accounts.session(r.token)).toBeDefined();
    await accounts.setPassword('lihua', 'Counter-Lamp-77', 'chief');
    expect(await accounts.session(r.token)).toBeUndefined();
    expect((await accounts.login('lihua', PASSWORD, '10.0.0.7')).ok).toBe(false);
    expect((await accounts.login('lihua', 'Counter-Lamp-77', '10.0.0.7')).ok).toBe(true);
  });

  it('never leaves no enabled admin, even when two admins step down at once', async () => {
    const { accounts } = await setup();
    await accounts.create({ username: 'chief', password: 'Strong-pass-2026', role: 'admin' });
    await expect(accounts.setDisabled('chief', true, 'chief')).rejects.toMatchObject({ code: 'last_admin' });
    await expect(accounts.update('chief', { role: 'officer' }, 'chief')).rejects.toMatchObject({ code: 'last_admin' });
    await accounts.create({ username: 'deputy', password: 'Strong-pass-2026', role: 'admin' });
    const both = await Promise.allSettled([accounts.update('chief', { role: 'editor' }, 'chief'), accounts.setDisabled('deputy', true, 'deputy')]);
    expect(both.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect((await accounts.list()).filter((u) => u.role === 'admin' && !u.disabled)).toHaveLength(1);
    await expect(accounts.update('nobody', { displayName: 'x' }, 'chief')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps who changed what in the audit log, newest first, and nothing for a change that changed nothing', async () => {
    const { accounts } = await setup();
    await accounts.update('lihua', { displayName: '李华', departments: ['税务局'] }, 'chief');
    await accounts.update('lihua', { displayName: '李华' }, 'chief');
    await accounts.setDisabled('lihua', false, 'chief');
    const log = await accounts.audit(10);
    expect(log.map((e) => [e.action, e.by])).toEqual([['update', 'chief'], ['create', 'system']]);
    expect(log[0]!.changes).toEqual({ displayName: '李华', departments: ['税务局'] });
  });
});
