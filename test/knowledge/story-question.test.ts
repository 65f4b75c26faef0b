import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/knowledge/engine.js';
import { DEFAULT_RETRIEVAL_OPTIONS } from '../../src/knowledge/retrieval-options.js';
import { realEngine } from '../helpers/real-engine.js';

/**
 * A long message whose question sentences name nothing: the matter may be in the story before them,
 * so the whole message is searched and its nearest matters offered when the gate is all but sure
 * (storyOffer) — offered, never answered.
 * On the shipped knowledge base; our own phrasings.
 */
describe('a story whose question names no matter', () => {
  let engine: Engine;
  let never: Engine;
  beforeAll(async () => {
    engine = await realEngine();
    never = await realEngine({ retrieval: { storyOffer: 1.01 } });
  }, 60_000);

  const story =
    '我儿媳妇前天在红十字会医院生了个男孩，我儿子在外地回不来，家里就我一个老人张罗。听说孩子的出生证、户口、医保和社保卡现在能一起办。请问这个怎么弄，我能替他们去办吗？';

  it('is offered the matter the story names, not answered', () => {
    const r = engine.search(story, 3);
    expect(r.band).toBe('suggest');
    expect(r.answerable).toBe(false);
    expect(r.suggestions[0]!.entry.id).toBe('bundle-newborn');
    expect(r.probability).toBeGreaterThanOrEqual(DEFAULT_RETRIEVAL_OPTIONS.storyOffer);
    // The message as read stays the question sentences: what is asked (where, what to bring) is there.
    expect(r.analyzed.original).not.toContain('红十字会');
  });

  it('is not offered it from its question alone', () => {
    const r = never.search(story, 3);
    expect(r.band).not.toBe('answer');
    expect(r.suggestions.map((s) => s.entry.id)).not.toContain('bundle-newborn');
  });

  it('leaves a question that names its matter, and a letter that asks a body to act, as they were', () => {
    const named = '我家是开小卖部的，铺面在长洲，想顺便卖点烟。请问烟草零售许可证要带什么材料？';
    expect(engine.search(named, 3)).toMatchObject({ band: 'answer' });
    expect(engine.search(named, 3).results[0]!.entry.id).toBe(never.search(named, 3).results[0]!.entry.id);
    const letter = '我家楼下的早餐店每天凌晨四点就开始剁肉和面，声音大得整栋楼都睡不好，老人孩子被吵醒好多次，跟老板说了也不改。希望街道派人来看看。';
    expect(engine.search(letter, 3).band).toBe('refuse');
  });
});
