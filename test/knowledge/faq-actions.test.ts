/**
 * Issue 10: an FAQ answers one situation, and its answer says which. A question asking for an
 * action (找不到 → 补领) that the FAQ's title never mentions but its answer covers is answered by
 * it (src/knowledge/search-index.ts › buildIndex, `actionText`). Our own phrasing; it fails with
 * the FAQ's actions read from its title, aliases and keywords only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/knowledge/engine.js';
import { realEngine } from '../helpers/real-engine.js';

let engine: Engine;
beforeAll(async () => {
  engine = await realEngine();
});

describe('actions an FAQ covers', () => {
  it('the ID card of the deceased cannot be found: the FAQ on cancelling the household record answers it', () => {
    const r = engine.search('老人走了身份证找不到了，销户口怎么办', 3);
    expect(r.results[0]?.entry.id).toBe('faq-hukou-cancellation-after-death');
    expect(r.band).toBe('answer');
    expect(r.ambiguous).toBeNull();
  });

});
