/** Live delivery with several instances: sockets on every instance, a platform (Teams) once. */
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/channels/channel.js';
import { deliverLive } from '../../src/server/start-server.js';
import type { MessageEvent } from '../../src/service/chat-service.js';

function channels() {
  const calls: string[] = [];
  const make = (name: string, delivery?: Channel['delivery']): Channel => ({
    name,
    ...(delivery ? { delivery } : {}),
    deliver: async () => (calls.push(name), true),
    close: async () => {},
  });
  return { calls, list: [make('web', 'connections'), make('teams', 'platform'), make('unspecified')] };
}
const event = (from: MessageEvent['message']['from']): MessageEvent => ({ sessionId: 's', mode: 'officer', message: { seq: 3, from, replies: [{ type: 'text', text: '您好' }], at: '2026-01-01T00:00:00Z' } });

describe('live delivery of a message added on some instance', () => {
  it('goes to every channel on the instance where it was added', () => {
    const { calls, list } = channels();
    deliverLive(list)(event('officer'), true);
    expect(calls).toEqual(['web', 'teams', 'unspecified']);
  });

  it('goes only to this instance’s own connections when another instance added it (the platform was called there)', () => {
    const { calls, list } = channels();
    deliverLive(list)(event('system'), false);
    expect(calls).toEqual(['web']);
  });

  it('does not push the citizen’s own words or the bot’s answers (the turn answers those)', () => {
    const { calls, list } = channels();
    deliverLive(list)(event('user'), true);
    deliverLive(list)(event('bot'), true);
    expect(calls).toEqual([]);
  });
});
