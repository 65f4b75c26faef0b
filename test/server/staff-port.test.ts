import { describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/auth/accounts.js';
import type { Reply } from '../../src/core/types.js';
import { createHandoffService } from '../../src/handoff/handoff-service.js';
import { createOfficerActions } from '../../src/handoff/officer-actions.js';
import { createStaffLinks } from '../../src/handoff/staff-links.js';
import { createStaffPort } from '../../src/server/staff-port.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

async function setup() {
  const store = createMemoryStore();
  const accounts = createAccounts(store);
  const handoff = createHandoffService(store);
  const posted: Reply[][] = [];
  const conversations = {
    post: async (_sessionId: string, _from: 'officer' | 'system', replies: Reply[]) => {
      posted.push(replies);
      return { replies };
    },
  };
  const staffLinks = createStaffLinks(store);
  const port = createStaffPort({ accounts, staffLinks, officerActions: createOfficerActions({ handoff, conversations }) });
  await accounts.create({ username: 'lihua', password: 'Window-Desk-2026', role: 'officer', displayName: '李' });
  await accounts.create({ username: 'zhaomin', password: 'Window-Desk-2026', role: 'editor', displayName: '赵' });
  return { port, staffLinks, handoff, posted };
}

describe('the staff port (officers in Teams)', () => {
  it('links a channel identity to an officer account with a one-time code, never to a non-staff account', async () => {
    const { port, staffLinks } = await setup();
    const officer = await staffLinks.issue('lihua');
    expect(await port.link(officer.code, 'teams:aad-1')).toBe('lihua');
    expect(await port.whoIs('teams:aad-1')).toBe('lihua');
    const editor = await staffLinks.issue('zhaomin');
    expect(await port.link(editor.code, 'teams:aad-2')).toBeNull();
  });

  it('acts as the console does for an officer, and refuses an account that is not staff', async () => {
    const { port, handoff, posted } = await setup();
    await handoff.apply('waiting-1', { type: 'request', by: 'citizen', department: '综合窗口', entryId: null, reason: 'asked', at: new Date().toISOString() });
    expect(await port.claim('zhaomin', 'waiting-1')).toEqual({ ok: false, code: 'forbidden', reason: '这个账号不是工作人员账号。' });
    expect(await port.claim('lihua', 'waiting-1')).toEqual({ ok: true });
    expect(await port.claim('lihua', 'waiting-1')).toMatchObject({ ok: false, code: 'already_claimed' });
    expect(await port.reply('lihua', 'waiting-1', '您好')).toEqual({ ok: true });
    expect(await port.resolve('lihua', 'waiting-1')).toEqual({ ok: true });
    expect((await handoff.get('waiting-1')).history.at(-1)).toMatchObject({ type: 'resolve', note: '在 Teams 中结束' });
    expect(posted.map((r) => r[0]?.type)).toEqual(['handoff', 'text', 'handoff']);
  });
});
