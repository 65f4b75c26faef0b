/** Call-back ticket numbers carry the day as citizens in 梧州 read it (UTC+8), and count up. */
import { describe, expect, it } from 'vitest';
import { createHandoffService } from '../../src/handoff/handoff-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { withLatency } from '../helpers/latency-store.js';

describe('call-back tickets', () => {
  it('are dated in China time: 01:00 on 30 November in 梧州 is still 29 November in UTC', async () => {
    let at = new Date('2026-11-29T17:00:00Z');
    const desk = createHandoffService(createMemoryStore(), () => at);
    expect(await desk.nextTicket()).toBe('HJ202611300001');
    at = new Date('2026-11-30T15:59:00Z'); // 23:59 in 梧州
    expect(await desk.nextTicket()).toBe('HJ202611300002');
  });
});

describe('two instances on one store', () => {
  it('never give one ticket number twice, and seal call-back numbers with one key both can open', async () => {
    const store = withLatency(createMemoryStore());
    const [a, b] = [createHandoffService(store), createHandoffService(store)];
    const tickets = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).nextTicket()));
    expect(new Set(tickets).size).toBe(20);
    // Both make the sealing key at once, each for its own citizen's number.
    await Promise.all(
      [a, b].map((desk, i) =>
        desk.apply(`s${i}`, { type: 'request_callback', by: 'citizen', callback: { ticket: tickets[i]!, phone: `1381234567${i}`, dueAt: '2026-12-01T02:00:00Z' }, at: '2026-11-30T02:00:00Z' }),
      ),
    );
    for (const desk of [a, b]) expect([(await desk.get('s0')).callback?.phone, (await desk.get('s1')).callback?.phone]).toEqual(['13812345670', '13812345671']);
  });
});
