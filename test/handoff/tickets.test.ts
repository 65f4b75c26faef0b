/** Call-back ticket numbers carry the day as citizens in 梧州 read it (UTC+8), and count up. */
import { describe, expect, it } from 'vitest';
import { createHandoffService } from '../../src/handoff/handoff-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

describe('call-back tickets', () => {
  it('are dated in China time: 01:00 on 30 November in 梧州 is still 29 November in UTC', async () => {
    let at = new Date('2026-11-29T17:00:00Z');
    const desk = createHandoffService(createMemoryStore(), () => at);
    expect(await desk.nextTicket()).toBe('HJ202611300001');
    at = new Date('2026-11-30T15:59:00Z'); // 23:59 in 梧州
    expect(await desk.nextTicket()).toBe('HJ202611300002');
  });
});
