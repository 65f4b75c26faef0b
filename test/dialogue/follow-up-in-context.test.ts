/**
 * A short question read in the context of the matter under discussion (src/dialogue/step.ts ›
 * IN_CONTEXT): unanswered alone, it is answered about that matter when all its words are the
 * matter's or say nothing of their own and the gate answers the matter with the question after its
 * title; a message with a word of its own stays a question of its own. Examples from the fit lists
 * of eval/follow-ups.yaml (fitFollowUps, topicChanges) — never from the held-out lists.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initialState, step, type ConversationState } from '../../src/dialogue/step.js';
import type { Engine } from '../../src/knowledge/engine.js';
import { realEngine } from '../helpers/real-engine.js';

let engine: Engine;
let afterShop: ConversationState;
let matter: Set<string>;
beforeAll(async () => {
  engine = await realEngine();
  afterShop = step(initialState(), { text: '开小卖部要办什么证' }, { engine }).state;
  const current = engine.entry(afterShop.currentEntryId!)!;
  matter = new Set([current.id, ...(current.kind === 'faq' ? current.related.slice(0, 1) : [])]);
});

const second = (text: string) => step(structuredClone(afterShop), { text }, { engine });

describe('a follow-up read in context', () => {
  it.each(['本人必须到场？', '审核不通过怎么办', '我户口不在梧州能办吗'])('answers 「%s」 after 开小卖部 about that matter', (q) => {
    // Alone, the gate does not answer it.
    expect(engine.search(q, 3).answerable).toBe(false);
    const answered = second(q).events.find((e) => e.type === 'answered');
    expect(answered).toMatchObject({ type: 'answered', followUp: true });
    expect(matter.has((answered as { entryId: string }).entryId)).toBe(true);
  });

  it.each(['停电一整天了', '明天几度', '哪里可以钓鱼'])('does not answer 「%s」 about the matter under discussion', (q) => {
    const ev = second(q).events;
    expect(ev.some((e) => e.type === 'answered' && matter.has(e.entryId))).toBe(false);
  });

  it('counts a word many entries use as saying nothing of its own, and one no entry or labelled question uses as its own', () => {
    const shop = engine.entry(afterShop.currentEntryId!)!;
    expect(engine.unexplainedWords(shop.id, '一定要本人去吗')).not.toContain('本人');
    expect(engine.unexplainedWords(shop.id, '停电一整天了')).toContain('停电');
  });
});
