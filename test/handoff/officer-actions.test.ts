import { describe, expect, it } from 'vitest';
import type { PublicUser } from '../../src/auth/accounts.js';
import type { Reply } from '../../src/core/types.js';
import { createHandoffService } from '../../src/handoff/handoff-service.js';
import { createOfficerActions, OUTSIDE_DEPARTMENTS } from '../../src/handoff/officer-actions.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

const officer = (username: string, departments: string[]): PublicUser => ({ username, displayName: username, role: 'officer', departments, createdAt: '2026-01-01T00:00:00Z', disabled: false });
const li = officer('lihua', ['人社窗口']);
const wang = officer('wangfang', ['公积金窗口']);
const at = '2026-11-30T02:00:00Z';

function setup() {
  const handoff = createHandoffService(createMemoryStore());
  const told: Reply[] = [];
  const conversations = {
    post: async (_sessionId: string, _from: 'officer' | 'system', replies: Reply[]) => {
      told.push(...replies);
      return { replies };
    },
  };
  const actions = createOfficerActions({ handoff, conversations, now: () => new Date(at) });
  const queue = (sessionId: string) => handoff.apply(sessionId, { type: 'request', by: 'citizen', department: '人社窗口', entryId: null, reason: '', at });
  return { handoff, actions, told, queue };
}

describe('officer actions', () => {
  it('refuses a case outside the officer’s departments, and tells the citizen nothing', async () => {
    const { actions, told, queue } = setup();
    await queue('s1');
    expect(await actions.claim(wang, 's1')).toEqual({ ok: false, status: 403, code: 'forbidden', reason: OUTSIDE_DEPARTMENTS });
    expect(told).toEqual([]);
  });

  it('claims, transfers and gives back, telling the citizen each time; a refused command is a 409 with the reason', async () => {
    const { actions, told, queue, handoff } = setup();
    await queue('s2');
    expect(await actions.claim(li, 's2')).toMatchObject({ ok: true, value: { status: 'claimed', officer: 'lihua' } });
    expect(await actions.transfer(li, 's2', '公积金窗口', '要问提取')).toMatchObject({ ok: true, value: { status: 'queued', department: '公积金窗口' } });
    expect(await actions.release(li, 's2')).toMatchObject({ ok: false, code: 'forbidden' }); // no longer lihua's department
    expect(await actions.claim(wang, 's2')).toMatchObject({ ok: true });
    expect(await actions.release(wang, 's2')).toMatchObject({ ok: true, value: { status: 'bot' } });
    expect(await actions.release(wang, 's2')).toMatchObject({ ok: false, status: 409, code: 'invalid_transition' });
    expect(told.map((r) => r.type === 'handoff' && r.status)).toEqual(['claimed', 'queued', 'claimed', 'bot']);
    expect(told[1]).toMatchObject({ text: '您的问题已转给「公积金窗口」，请稍候，工作人员接入后会回复您。' });
    expect((await handoff.get('s2')).history.map((e) => e.type)).toEqual(['request', 'claim', 'transfer', 'claim', 'release']);
  });

  it('closes a call-back as done or given up, quietly', async () => {
    const { actions, told, handoff } = setup();
    for (const [sessionId, how] of [['s3', 'callback_done'], ['s4', 'close']] as const) {
      await handoff.apply(sessionId, { type: 'request_callback', by: 'citizen', callback: { ticket: 'HJ1', phone: '13812345678', dueAt: at }, department: '人社窗口', entryId: null, at });
      expect(await actions.closeCallback(li, sessionId, how, '已回电')).toMatchObject({ ok: true, value: { status: how === 'close' ? 'closed' : 'called_back' } });
    }
    expect(told).toEqual([]);
  });
});
