import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/knowledge/engine.js';
import { realEngine } from '../helpers/real-engine.js';

/** The pinyin initials people type for a card or a fund (lexicon › synonyms): sfz, sbk, gjj. Our own phrasings. */
describe('pinyin initials', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await realEngine();
  }, 60_000);

  it.each([
    ['sfz丢了怎么补', 'item-resident-id-card'],
    ['sbk在哪里领', 'item-social-security-card'],
    ['gjj租房能取吗', 'item-housing-fund-withdrawal'],
  ])('answers 「%s」 with %s', (q, id) => {
    const r = engine.search(q, 3);
    expect(r.band).toBe('answer');
    expect(r.results[0]!.entry.id).toBe(id);
  });
});
