import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { Reply } from '../../src/core/types.js';
import { createClaimTimeoutSweep } from '../../src/handoff/claim-timeout-sweep.js';
import { createHandoffService } from '../../src/handoff/handoff-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

const MINUTE = 60_000;

/** A handoff desk and a sweep on a clock the test moves; the posts the citizen would see. */
function setup(start: string, store = createMemoryStore()) {
  let t = Date.parse(start);
  const now = () => new Date(t);
  const handoff = createHandoffService(store, now);
  const posts: { sessionId: string; replies: Reply[] }[] = [];
  const conversations = {
    post: async (sessionId: string, _from: 'officer' | 'system', replies: Reply[]) => {
      posts.push({ sessionId, replies });
      return null;
    },
  };
  const sweep = createClaimTimeoutSweep({ handoff, conversations, timeoutMinutes: 10, now, logger: silentLogger }).sweep;
  const request = (sessionId: string) => handoff.apply(sessionId, { type: 'request', by: 'citizen', department: '综合窗口', entryId: null, reason: 'asked', at: now().toISOString() });
  return { handoff, posts, sweep, request, advance: (ms: number) => void (t += ms), now };
}

describe('the claim-timeout sweep', () => {
  // A clock years behind the real one: judged by Date.now(), every wait would look long over.
  it('judges waits by the injected clock, not the real one', async () => {
    const s = setup('2020-01-06T02:00:00Z');
    await s.request('waiting-1');
    s.advance(9 * MINUTE);
    await s.sweep();
    expect(s.posts).toEqual([]);
    s.advance(1 * MINUTE + 1000);
    await s.sweep();
    expect(s.posts.map((p) => p.sessionId)).toEqual(['waiting-1']);
    const [notice, offer] = s.posts[0]!.replies;
    expect(notice).toMatchObject({ type: 'handoff', status: 'queued', text: expect.stringContaining('工作人员暂时都在忙') });
    expect(offer?.type === 'choices' && offer.choices.map((c) => c.label)).toEqual(['留下电话等回电', '继续等待']);
  });

  it('offers each wait once, and again when the citizen queues anew', async () => {
    const s = setup('2026-11-30T02:00:00Z');
    await s.request('waiting-2');
    s.advance(11 * MINUTE);
    await s.sweep();
    await s.sweep();
    expect(s.posts).toHaveLength(1);
    await s.handoff.apply('waiting-2', { type: 'release', by: 'citizen', at: s.now().toISOString() });
    await s.sweep();
    await s.request('waiting-2');
    s.advance(11 * MINUTE);
    await s.sweep();
    expect(s.posts).toHaveLength(2);
  });

  // Issue 13 item 5: the offer was remembered in memory only, so every restart sent it again.
  it('does not offer the same wait again after a restart (the offer is kept with the case)', async () => {
    const store = createMemoryStore();
    const first = setup('2026-11-30T02:00:00Z', store);
    await first.request('waiting-3');
    first.advance(11 * MINUTE);
    await first.sweep();
    expect(first.posts).toHaveLength(1);
    // A new process: a new desk and a new sweep on the same store, later on.
    const second = setup(new Date(first.now().getTime() + MINUTE).toISOString(), store);
    await second.sweep();
    await second.sweep();
    expect(second.posts).toEqual([]);
    // Transferred, the case waits anew in another queue: that wait may be offered once.
    await second.handoff.apply('waiting-3', { type: 'transfer', by: 'chief', department: '民政', note: '', at: second.now().toISOString() }, true);
    second.advance(11 * MINUTE);
    await second.sweep();
    await second.sweep();
    expect(second.posts.map((p) => p.sessionId)).toEqual(['waiting-3']);
  });

  it('leaves claimed cases alone', async () => {
    const s = setup('2026-11-30T02:00:00Z');
    await s.request('claimed-1');
    await s.handoff.apply('claimed-1', { type: 'claim', by: 'lihua', at: s.now().toISOString() });
    s.advance(60 * MINUTE);
    await s.sweep();
    expect(s.posts).toEqual([]);
  });
});
