import { describe, expect, it } from 'vitest';
import type { PublicUser } from '../../src/auth/accounts.js';
import { silentLogger } from '../../src/core/logger.js';
import { createHandoffService } from '../../src/handoff/handoff-service.js';
import { notifyStaffOfQueuedCases, type CaseNotice } from '../../src/handoff/staff-notifications.js';
import { createLocalBus } from '../../src/storage/local-bus.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { createRelays } from '../../src/storage/relay.js';

const user = (username: string, role: PublicUser['role'], departments: string[] = []): PublicUser => ({ username, displayName: username, role, departments, createdAt: '2026-01-01T00:00:00Z', disabled: false });
const staff = [user('social', 'officer', ['人社窗口']), user('housing', 'officer', ['公积金窗口']), user('anyQueue', 'officer'), user('chief', 'admin'), user('writer', 'editor'), { ...user('gone', 'officer'), disabled: true }];
const settle = () => new Promise((r) => setTimeout(r, 10));
const at = '2026-11-30T02:00:00Z';

function setup() {
  const handoff = createHandoffService(createMemoryStore());
  const told: { username: string; notice: CaseNotice }[] = [];
  notifyStaffOfQueuedCases({
    handoff,
    accounts: async () => staff,
    notify: async (username, notice) => void told.push({ username, notice }),
    title: (id) => ({ 'item-social-security-card': '社会保障卡申领' })[id],
    logger: silentLogger,
  });
  return { handoff, told };
}

describe('staff notifications', () => {
  it('tells the officers who serve the department, those who serve every queue, and admins — not editors, not disabled accounts', async () => {
    const { handoff, told } = setup();
    await handoff.apply('s1', { type: 'request', by: 'citizen', department: '人社窗口', entryId: 'item-social-security-card', reason: '补卡', at });
    await settle();
    expect(told.map((t) => t.username)).toEqual(['social', 'anyQueue', 'chief']);
    expect(told[0]!.notice).toEqual({ sessionId: 's1', title: '新的转人工：社会保障卡申领', text: '部门：人社窗口；原因：补卡' });
  });

  it('tells the new department on a transfer, and nobody on a claim', async () => {
    const { handoff, told } = setup();
    await handoff.apply('s2', { type: 'request', by: 'citizen', department: '人社窗口', entryId: null, reason: '', at });
    await handoff.apply('s2', { type: 'claim', by: 'social', at });
    await settle();
    expect(told.map((t) => t.notice.title)).toEqual(['新的转人工：未识别的事项', '新的转人工：未识别的事项', '新的转人工：未识别的事项']);
    told.length = 0;
    await handoff.apply('s2', { type: 'transfer', by: 'social', department: '公积金窗口', note: '', at });
    await settle();
    expect(told.map((t) => t.username)).toEqual(['housing', 'anyQueue', 'chief']);
    expect(told[0]!.notice.text).toBe('部门：公积金窗口');
  });
});

describe('staff notifications with two instances on one store and one bus', () => {
  it('tell each officer once, from the instance where the case was queued', async () => {
    const store = createMemoryStore();
    const bus = createLocalBus();
    const told: { by: string; username: string }[] = [];
    const instances = ['a', 'b'].map((instanceId) => {
      const handoff = createHandoffService(store, undefined, createRelays({ bus, instanceId }));
      notifyStaffOfQueuedCases({ handoff, accounts: async () => staff, notify: async (username) => void told.push({ by: instanceId, username }), title: () => undefined, logger: silentLogger });
      return handoff;
    });
    await instances[1]!.apply('s3', { type: 'request', by: 'citizen', department: '人社窗口', entryId: null, reason: '', at });
    await settle();
    expect(told).toEqual(['social', 'anyQueue', 'chief'].map((username) => ({ by: 'b', username })));
  });
});
