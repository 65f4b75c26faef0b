import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/knowledge/engine.js';
import { realEngine } from '../helpers/real-engine.js';

/**
 * Which pension scheme a question is about: an older person in the countryside (农村老人) is, as a
 * rule, in the resident scheme (城乡居民养老保险), not the employees' (基本养老金申领) — the keyword
 * 农村老人 of item-resident-pension. On the shipped knowledge base; our own phrasings.
 */
describe('the resident pension scheme for older people in the countryside', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await realEngine();
  }, 60_000);

  it('answers a 农村老人 asking where the monthly pension is drawn with the resident scheme', () => {
    const r = engine.search('农村老人每个月的养老钱在哪领', 3);
    expect(r.band).toBe('answer');
    expect(r.results[0]!.entry.id).toBe('item-resident-pension');
  });

  it('leaves a 农村老人 asking about another matter with that matter', () => {
    expect(engine.search('农村老人办残疾证要去哪里', 3).results[0]!.entry.id).toBe('item-disability-certificate');
    expect(engine.search('我是农村老人，想开个小卖部', 3).results[0]!.entry.id).toBe('bundle-small-shop');
  });
});
