/**
 * 问清是哪一种 when the gate is unsure (src/dialogue/step.ts): the first result is the entry that
 * explains a matter's kinds, the gate only offers buttons, yet the question names one kind — that
 * kind is answered if it is among the nearest; a question that names none still gets buttons.
 * The gate is made unsure on purpose (answer threshold 0.999), so the rule is tested apart from
 * the fitted numbers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initialState, step } from '../../src/dialogue/step.js';
import type { Engine } from '../../src/knowledge/engine.js';
import { SHIPPED_GATE } from '../../src/knowledge/gate-model.js';
import { realEngine } from '../helpers/real-engine.js';

let unsure: Engine;
beforeAll(async () => {
  unsure = await realEngine({ gate: { ...SHIPPED_GATE!, answer: 0.999 } });
});

const events = (text: string) => step(initialState(), { text }, { engine: unsure }).events;

describe('an unsure gate and a named kind', () => {
  it('answers the kind the question names', () => {
    const q = '我爸以前在工厂上班交过职工养老保险，现在70岁怎么领';
    const r = unsure.search(q, 3);
    expect(r.band).toBe('suggest');
    expect(r.results[0]?.entry.id).toBe('faq-pension-which-scheme');
    expect(events(q)).toContainEqual(expect.objectContaining({ type: 'answered', entryId: 'item-basic-pension' }));
  });

  it('offers buttons, answering nothing, when no kind is named', () => {
    const q = '家里老人的养老金现在70岁了怎么领';
    expect(unsure.search(q, 3).band).toBe('suggest');
    const ev = events(q);
    expect(ev.some((e) => e.type === 'answered')).toBe(false);
    expect(ev.some((e) => e.type === 'suggested')).toBe(true);
  });
});
