/**
 * The handoff state machine, checked by what happens to a case — who holds it, which queue it is
 * in, what the citizen's conversation shows, what is recorded — over stories of commands and over
 * random sequences of them; not by repeating the table of src/handoff/transitions.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHandoffService } from '../../src/handoff/handoff-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import {
  isOpen,
  modeOf,
  newCase,
  transition,
  type CaseStatus,
  type Command,
  type HandoffCase,
  type TransitionResult,
} from '../../src/handoff/transitions.js';

const T0 = Date.parse('2026-11-26T09:00:00.000Z');
/** Minutes after 09:00, as the ISO time commands carry. */
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const request = (minute: number, department = '市场监管', by: 'citizen' | 'bot' = 'citizen'): Command => ({
  type: 'request',
  by,
  department,
  entryId: 'item-x',
  reason: '转人工',
  at: at(minute),
});
const callback = (minute: number, ticket = 'HJ202611260001'): Command => ({
  type: 'request_callback',
  by: 'citizen',
  callback: { ticket, phone: '13812345678', dueAt: at(minute + 24 * 60) },
  at: at(minute),
});

/** Applies commands one after another; a refusal fails the test with its reason. */
function story(c: HandoffCase, ...steps: [Command, boolean?][]): HandoffCase {
  for (const [cmd, admin] of steps) {
    const r = transition(c, cmd, admin ?? false);
    if (!r.ok) throw new Error(`${cmd.type} by ${cmd.by} refused: ${r.reason}`);
    c = r.case;
  }
  return c;
}

/** The result of a command expected to be refused, checking that the case was left as it was. */
function refused(c: HandoffCase, cmd: Command, admin = false): Extract<TransitionResult, { ok: false }> {
  const before = structuredClone(c);
  const r = transition(c, cmd, admin);
  expect(c).toEqual(before);
  if (r.ok) throw new Error(`${cmd.type} by ${cmd.by} was accepted in ${c.status}`);
  expect(r.reason).toMatch(/\p{Script=Han}/u);
  return r;
}

const fresh = () => newCase('s1', '综合窗口');
const queued = () => story(fresh(), [request(0)]);
const claimedByLi = () => story(queued(), [{ type: 'claim', by: 'li', at: at(5) }]);

describe('a conversation handed to a person', () => {
  it('is queued for the department asked for, taken by an officer, resolved, and then the bot is back', () => {
    const q = queued();
    expect(q).toMatchObject({ department: '市场监管', entryId: 'item-x', reason: '转人工', queuedAt: at(0), officer: null });
    expect([modeOf(q.status), isOpen(q.status)]).toEqual(['queued', true]);

    const c = story(q, [{ type: 'claim', by: 'li', at: at(5) }]);
    expect(c).toMatchObject({ officer: 'li', claimedAt: at(5) });
    expect([modeOf(c.status), isOpen(c.status)]).toEqual(['officer', true]);

    const done = story(c, [{ type: 'resolve', by: 'li', note: '已解答', at: at(20) }]);
    expect([modeOf(done.status), isOpen(done.status)]).toEqual(['bot', false]);
    // The record says who did what, when, and from which state to which.
    expect(done.history).toEqual([
      { type: 'request', from: 'bot', to: 'queued', by: 'citizen', at: at(0), department: '市场监管', note: '转人工' },
      { type: 'claim', from: 'queued', to: 'claimed', by: 'li', at: at(5) },
      { type: 'resolve', from: 'claimed', to: done.status, by: 'li', at: at(20), note: '已解答' },
    ]);
  });

  it('can be asked for again once resolved, starting clean but keeping the record', () => {
    const done = story(claimedByLi(), [{ type: 'resolve', by: 'li', note: '已解答', at: at(20) }]);
    const again = story(done, [request(60, '人社')]);
    expect(again).toMatchObject({ status: 'queued', department: '人社', officer: null, claimedAt: null, queuedAt: at(60) });
    expect(modeOf(again.status)).toBe('queued');
    expect(again.history.map((e) => e.type)).toEqual(['request', 'claim', 'resolve', 'request']);
  });

  it('cannot be asked for twice while a request is open', () => {
    for (const c of [queued(), claimedByLi(), story(fresh(), [callback(0)])]) {
      expect(refused(c, request(9)).code).toBe('invalid_transition');
    }
  });
});

describe('officers on one case', () => {
  it('lets the first of two officers take the case and tells the second who has it', () => {
    const c = claimedByLi();
    const r = refused(c, { type: 'claim', by: 'wang', at: at(6) });
    expect(r.code).toBe('already_claimed');
    expect(r.reason).toContain('li');
    // Not even the holder can take it twice.
    expect(refused(c, { type: 'claim', by: 'li', at: at(6) }).code).toBe('already_claimed');
  });

  it('lets only the holder, or an admin, release, resolve or transfer it', () => {
    const commands: Command[] = [
      { type: 'release', by: 'wang', at: at(9) },
      { type: 'resolve', by: 'wang', note: '越权', at: at(9) },
      { type: 'transfer', by: 'wang', department: '人社', note: '越权', at: at(9) },
    ];
    for (const cmd of commands) {
      const r = refused(claimedByLi(), cmd);
      expect(r.code, cmd.type).toBe('not_yours');
      expect(r.reason, cmd.type).toContain('li');
      const admin = story(claimedByLi(), [cmd, true]);
      expect(admin.history.at(-1), cmd.type).toMatchObject({ type: cmd.type, by: 'wang', from: 'claimed' });
      expect(admin.status).not.toBe('claimed');
    }
  });

  it('gives the conversation back to the bot on release, and it can be queued again', () => {
    const released = story(claimedByLi(), [{ type: 'release', by: 'li', at: at(9) }]);
    expect(released).toMatchObject({ officer: null, claimedAt: null, queuedAt: null });
    expect([modeOf(released.status), isOpen(released.status)]).toEqual(['bot', false]);
    expect(story(released, [request(30)]).status).toBe(queued().status);
  });

  it('lets a waiting citizen cancel: the case leaves the queue', () => {
    const cancelled = story(queued(), [{ type: 'release', by: 'citizen', at: at(2) }]);
    expect([modeOf(cancelled.status), isOpen(cancelled.status)]).toEqual(['bot', false]);
  });

  it('transfers to another department’s queue, where another officer takes it', () => {
    const moved = story(claimedByLi(), [{ type: 'transfer', by: 'li', department: '人社', note: '社保问题', at: at(8) }]);
    expect(moved).toMatchObject({ department: '人社', officer: null, claimedAt: null, queuedAt: at(8) });
    expect(modeOf(moved.status)).toBe('queued');
    expect(moved.history.at(-1)).toMatchObject({ type: 'transfer', department: '人社', note: '社保问题', by: 'li' });
    const taken = story(moved, [{ type: 'claim', by: 'wang', at: at(12) }]);
    expect(taken).toMatchObject({ officer: 'wang', department: '人社' });
  });

  it('refuses a transfer to the department the case is already in', () => {
    expect(refused(claimedByLi(), { type: 'transfer', by: 'li', department: '市场监管', note: '', at: at(8) }).code).toBe('invalid_transition');
  });
});

describe('a finished case', () => {
  const finished = {
    resolved: () => story(claimedByLi(), [{ type: 'resolve', by: 'li', note: '已解答', at: at(20) }]),
    'called back': () => story(fresh(), [callback(0)], [{ type: 'callback_done', by: 'li', note: '已回电', at: at(90) }]),
    'closed unreached': () => story(fresh(), [callback(0)], [{ type: 'close', by: 'li', note: '联系不上', at: at(90) }]),
  };
  it.each(Object.entries(finished))('%s: no officer command touches it, an admin’s neither; only the citizen asking again reopens it', (_name, make) => {
    const officer: Command[] = [
      { type: 'claim', by: 'li', at: at(100) },
      { type: 'release', by: 'li', at: at(100) },
      { type: 'resolve', by: 'li', note: '再次', at: at(100) },
      { type: 'transfer', by: 'li', department: '人社', note: '再次', at: at(100) },
      { type: 'callback_done', by: 'li', note: '再次', at: at(100) },
      { type: 'close', by: 'li', note: '再次', at: at(100) },
    ];
    for (const cmd of officer) {
      expect(isOpen(make().status), cmd.type).toBe(false);
      expect(refused(make(), cmd, true).code, cmd.type).toBe('invalid_transition');
    }
    expect(modeOf(story(make(), [request(120)]).status)).toBe('queued');
    expect(story(make(), [callback(120, 'HJ202611260002')]).callback?.ticket).toBe('HJ202611260002');
  });
});

describe('call-backs', () => {
  it('waits for a call, not a chat: the bot keeps the conversation and no officer can take it as a chat', () => {
    const c = story(fresh(), [callback(0)]);
    expect(c.callback).toEqual({ ticket: 'HJ202611260001', phone: '13812345678', dueAt: at(24 * 60) });
    expect([modeOf(c.status), isOpen(c.status)]).toEqual(['bot', true]);
    expect(refused(c, { type: 'claim', by: 'li', at: at(1) }).code).toBe('invalid_transition');
  });

  it('records who called back, or who closed it unreached, and is then finished', () => {
    const called = story(fresh(), [callback(0)], [{ type: 'callback_done', by: 'li', note: '已回电', at: at(90) }]);
    expect(called).toMatchObject({ officer: 'li' });
    expect(called.history.at(-1)).toMatchObject({ type: 'callback_done', by: 'li', note: '已回电', at: at(90) });
    const closed = story(fresh(), [callback(0)], [{ type: 'close', by: 'wang', note: '联系不上', at: at(90) }]);
    expect(closed.history.at(-1)).toMatchObject({ type: 'close', by: 'wang', note: '联系不上' });
    for (const c of [called, closed]) {
      expect(isOpen(c.status)).toBe(false);
      expect(refused(c, { type: 'callback_done', by: 'li', note: '再次', at: at(91) }).code).toBe('invalid_transition');
    }
    expect(called.status).not.toBe(closed.status);
  });

  it('lets a citizen in the queue switch to a call-back, but not one already talking to an officer', () => {
    const c = story(queued(), [callback(3)]);
    expect([modeOf(c.status), isOpen(c.status), c.officer]).toEqual(['bot', true, null]);
    expect(refused(claimedByLi(), callback(6)).code).toBe('invalid_transition');
  });

  it('starts a later request clean: the old call-back is dropped', () => {
    const c = story(fresh(), [callback(0)], [{ type: 'callback_done', by: 'li', note: '已回电', at: at(90) }], [request(200)]);
    expect(c).toMatchObject({ status: 'queued', callback: null, officer: null });
  });
});

/* ---------- random sequences ---------- */

const OFFICERS = ['li', 'wang'];
const DEPARTMENTS = ['市场监管', '人社', '公安'];
// Weighted towards the commands that move a case forward, so that long stories happen often.
const commandArb: fc.Arbitrary<Omit<Command, 'at'>> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('request' as const), by: fc.constantFrom('citizen' as const, 'bot' as const), department: fc.constantFrom(...DEPARTMENTS), entryId: fc.constantFrom(null, 'item-x'), reason: fc.constant('转人工') }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('claim' as const), by: fc.constantFrom(...OFFICERS) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('release' as const), by: fc.constantFrom(...OFFICERS, 'citizen') }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('resolve' as const), by: fc.constantFrom(...OFFICERS), note: fc.constant('已解答') }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('transfer' as const), by: fc.constantFrom(...OFFICERS), department: fc.constantFrom(...DEPARTMENTS), note: fc.constant('转办') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('request_callback' as const),
      by: fc.constant('citizen' as const),
      callback: fc.record({ ticket: fc.constantFrom('HJ1', 'HJ2'), phone: fc.constant('13812345678'), dueAt: fc.constant(at(9999)) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('callback_done' as const), by: fc.constantFrom(...OFFICERS), note: fc.constant('已回电') }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('close' as const), by: fc.constantFrom(...OFFICERS), note: fc.constant('联系不上') }) },
) as fc.Arbitrary<Omit<Command, 'at'>>;
const stepsArb = fc.array(fc.tuple(commandArb, fc.integer({ min: 0, max: 9 }).map((n) => n === 0)), { minLength: 1, maxLength: 40, size: 'max' });

const FINISHED: CaseStatus[] = ['resolved', 'called_back', 'closed'];

/** What must hold of every case a sequence of commands can reach. */
function checkCase(c: HandoffCase): void {
  if (c.status === 'claimed') {
    // A case being served has exactly one officer, the one whose claim put it there.
    expect(c.officer).not.toBeNull();
    expect(c.claimedAt).not.toBeNull();
    const claim = c.history.findLast((e) => e.type === 'claim');
    expect(claim?.by).toBe(c.officer);
  }
  if (c.status === 'queued' || c.status === 'bot') expect([c.officer, c.claimedAt]).toEqual([null, null]);
  if (c.status === 'queued') expect(c.queuedAt).not.toBeNull();
  if (c.status === 'callback_requested') expect(c.callback).not.toBeNull();
  expect(modeOf(c.status) === 'officer').toBe(c.status === 'claimed');
  // The record is a chain: each event starts where the previous one ended, and ends at the status.
  c.history.forEach((e, i) => expect(e.from).toBe(i === 0 ? 'bot' : c.history[i - 1]!.to));
  expect(c.history.at(-1)?.to ?? 'bot').toBe(c.status);
}

describe('random sequences of commands', () => {
  it('keep every rule, whatever the order', () => {
    const reached = new Set<CaseStatus>();
    const codes = new Set<string>();
    fc.assert(
      fc.property(stepsArb, (steps) => {
        let c = newCase('s1', '综合窗口');
        steps.forEach(([partial, admin], minute) => {
          const cmd = { ...partial, at: at(minute) } as Command;
          const before = structuredClone(c);
          const r = transition(c, cmd, admin);
          // The case given is never modified, whether the command is taken or refused.
          expect(c).toEqual(before);
          if (!r.ok) {
            codes.add(r.code);
            expect(r.reason).toMatch(/\p{Script=Han}/u);
            if (cmd.type === 'claim' && before.status === 'claimed') {
              expect(r.code).toBe('already_claimed');
              expect(r.reason).toContain(before.officer!);
            }
            return; // refused: the case stays as it was
          }
          const after = r.case;
          // Each change is recorded once, as it happened.
          expect(after.history).toEqual([...before.history, r.event]);
          expect(r.event).toMatchObject({ type: cmd.type, by: cmd.by, at: cmd.at, from: before.status, to: after.status });
          expect(after.sessionId).toBe(before.sessionId);
          // A citizen can always ask for a person, unless a request is already open.
          if (cmd.type === 'request') expect(isOpen(before.status)).toBe(false);
          // A case is taken only from the queue, and never passes from one officer to another directly.
          if (cmd.type === 'claim') expect([before.status, after.officer]).toEqual(['queued', cmd.by]);
          expect(before.status === 'claimed' && after.status === 'claimed').toBe(false);
          // Only the holder or an admin acts on a case being served.
          if (before.status === 'claimed') expect(cmd.by === before.officer || admin).toBe(true);
          // A finished case is reopened only by the citizen (or the bot for them), never by an officer.
          if (FINISHED.includes(before.status)) expect(['citizen', 'bot']).toContain(cmd.by);
          // The department changes only when asked for, or by a transfer to a different one.
          if (after.department !== before.department) expect(['request', 'transfer', 'request_callback']).toContain(cmd.type);
          if (cmd.type === 'transfer') {
            expect([after.department, after.status, after.officer]).toEqual([cmd.department, 'queued', null]);
            expect(after.department).not.toBe(before.department);
          }
          if (cmd.type === 'request') expect(after).toMatchObject({ department: cmd.department, queuedAt: cmd.at, officer: null, callback: null });
          if (cmd.type === 'request_callback') expect([after.callback, after.officer]).toEqual([cmd.callback, null]);
          checkCase(after);
          reached.add(after.status);
          c = after;
        });
      }),
      { numRuns: 200 },
    );
    // The sequences did exercise the machine: every status reached, every kind of refusal seen.
    expect([...reached].sort()).toEqual(['bot', 'called_back', 'callback_requested', 'claimed', 'closed', 'queued', 'resolved'].sort());
    expect([...codes].sort()).toEqual(['already_claimed', 'invalid_transition', 'not_yours']);
  });
});

describe('the handoff service applying random commands sent at once', () => {
  it('applies them one at a time in arrival order, tells listeners of each change once and of no refusal', async () => {
    await fc.assert(
      fc.asyncProperty(stepsArb, async (steps) => {
        const service = createHandoffService(createMemoryStore(), () => new Date(T0));
        const heard: TransitionResult[] = [];
        service.onChange((_c, r) => heard.push(r));
        // Everything sent without waiting, as concurrent requests from the console and the chat.
        const results = await Promise.all(
          steps.map(([partial, admin], minute) => service.apply('s1', { ...partial, at: at(minute) } as Command, admin)),
        );
        // The same outcomes as applying them in order to the pure machine.
        let c = newCase('s1', '综合窗口');
        results.forEach((r, i) => {
          const [partial, admin] = steps[i]!;
          const expected = transition(c, { ...partial, at: at(i) } as Command, admin);
          expect(r.ok).toBe(expected.ok);
          if (expected.ok) c = expected.case;
        });
        // Listeners hear the case as stored: the call-back number sealed, never in clear.
        const unsealed = (r: TransitionResult) => (r.ok && r.case.callback ? { ...r, case: { ...r.case, callback: { ...r.case.callback, phone: 'x' } } } : r);
        expect(heard.map(unsealed)).toEqual(results.filter((r) => r.ok).map(unsealed));
        for (const r of heard) if (r.ok && r.case.callback) expect(r.case.callback.phone).toMatch(/^sealed:v1:/);
        const stored = await service.get('s1');
        expect(stored).toEqual(c);
        // The officers' list shows the case exactly while it is open.
        const open = await service.open();
        expect(open.map((o) => o.sessionId)).toEqual(isOpen(stored.status) ? ['s1'] : []);
      }),
      { numRuns: 100 },
    );
  });

  it('lets exactly one of two officers claiming at the same moment take the case', async () => {
    const service = createHandoffService(createMemoryStore(), () => new Date(T0));
    await service.apply('s1', request(0));
    const [a, b] = await Promise.all([service.apply('s1', { type: 'claim', by: 'li', at: at(1) }), service.apply('s1', { type: 'claim', by: 'wang', at: at(1) })]);
    expect([a.ok, b.ok]).toEqual([true, false]);
    expect(b).toMatchObject({ code: 'already_claimed' });
    expect((await service.get('s1')).officer).toBe('li');
  });
});
