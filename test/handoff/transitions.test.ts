import { describe, expect, it } from 'vitest';
import { modeOf, newCase, transition, type CaseStatus, type Command, type HandoffCase } from '../../src/handoff/transitions.js';

const at = '2026-11-26T09:00:00.000Z';
const commands: Record<Command['type'], Command> = {
  request: { type: 'request', by: 'citizen', department: '市场监管', entryId: 'item-x', reason: '转人工', at },
  claim: { type: 'claim', by: 'li', at },
  release: { type: 'release', by: 'li', at },
  resolve: { type: 'resolve', by: 'li', note: '已解答', at },
  transfer: { type: 'transfer', by: 'li', department: '人社', note: '社保问题', at },
  request_callback: { type: 'request_callback', by: 'citizen', callback: { ticket: 'T1', phone: '13812345678', dueAt: at }, at },
  callback_done: { type: 'callback_done', by: 'li', note: '已回电', at },
  close: { type: 'close', by: 'li', note: '联系不上', at },
};

const inStatus = (status: CaseStatus): HandoffCase => ({
  ...newCase('s1', '市场监管'),
  status,
  officer: status === 'claimed' ? 'li' : null,
});

/** Every allowed transition; anything not listed must be refused. */
const ALLOWED: Record<CaseStatus, Partial<Record<Command['type'], CaseStatus>>> = {
  bot: { request: 'queued', request_callback: 'callback_requested' },
  queued: { claim: 'claimed', transfer: 'queued', request_callback: 'callback_requested', release: 'bot' },
  claimed: { release: 'bot', resolve: 'resolved', transfer: 'queued' },
  resolved: { request: 'queued', request_callback: 'callback_requested' },
  callback_requested: { callback_done: 'called_back', close: 'closed' },
  called_back: { request: 'queued', request_callback: 'callback_requested' },
  closed: { request: 'queued', request_callback: 'callback_requested' },
};

describe('handoff transition table', () => {
  for (const [status, allowed] of Object.entries(ALLOWED) as [CaseStatus, Partial<Record<Command['type'], CaseStatus>>][]) {
    for (const [type, cmd] of Object.entries(commands) as [Command['type'], Command][]) {
      const to = allowed[type];
      it(`${status} --${type}--> ${to ?? 'refused'}`, () => {
        const r = transition(inStatus(status), cmd);
        if (to) {
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.case.status).toBe(to);
          expect(r.event).toMatchObject({ type, from: status, to, by: cmd.by, at });
          expect(r.case.history.at(-1)).toEqual(r.event);
        } else {
          expect(r.ok).toBe(false);
          if (r.ok) return;
          expect(r.reason.length).toBeGreaterThan(0);
        }
      });
    }
  }
});

describe('handoff rules', () => {
  it('refuses a second claim, naming who holds the case', () => {
    const r = transition(inStatus('claimed'), { type: 'claim', by: 'wang', at });
    expect(r).toMatchObject({ ok: false, code: 'already_claimed', reason: expect.stringContaining('li') });
  });

  it('lets only the holder (or an admin) release, resolve or transfer a claimed case', () => {
    const c = inStatus('claimed');
    expect(transition(c, { type: 'resolve', by: 'wang', note: 'x', at })).toMatchObject({ ok: false, code: 'not_yours' });
    expect(transition(c, { type: 'resolve', by: 'wang', note: 'x', at }, true).ok).toBe(true);
  });

  it('records department, officer and times', () => {
    let c = newCase('s1', '综合');
    const steps: Command[] = [commands.request, commands.claim, commands.transfer];
    for (const cmd of steps) {
      const r = transition(c, cmd);
      if (!r.ok) throw new Error(r.reason);
      c = r.case;
    }
    expect(c).toMatchObject({ status: 'queued', department: '人社', officer: null, entryId: 'item-x', queuedAt: at });
    expect(c.history.map((e) => e.type)).toEqual(['request', 'claim', 'transfer']);
  });

  it('refuses a transfer to the same department', () => {
    const r = transition(inStatus('queued'), { ...commands.transfer, department: '市场监管' } as Command);
    expect(r).toMatchObject({ ok: false });
  });

  it('maps statuses to the contract modes', () => {
    expect([modeOf('bot'), modeOf('queued'), modeOf('claimed'), modeOf('resolved'), modeOf('callback_requested')]).toEqual(['bot', 'queued', 'officer', 'bot', 'bot']);
  });
});
