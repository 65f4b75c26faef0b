/**
 * Issue 10: a death in the family is asked about by what is done after it (knowledge/lexicon.yaml ›
 * actions › 去世). A question that says someone died is not answered with a matter of the living
 * that shares its other words — 退休一件事, 基本养老金申领 — but with one whose names mention a
 * death (身后一件事). Our own phrasings; they fail without the action group.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/knowledge/engine.js';
import { realEngine } from '../helpers/real-engine.js';

let engine: Engine;
beforeAll(async () => {
  engine = await realEngine();
});

describe('a death in the family', () => {
  it('「老伴走了，养老金还能领吗」 is about what is done after a death, not claiming a pension', () => {
    for (const q of ['我老伴走了，她的养老金还能领吗', '家里老人过世了，要销户口、停养老金、注销社保卡，能不能一次办完']) {
      const r = engine.search(q, 3);
      expect(r.results[0]?.entry.id, q).toBe('bundle-after-death');
      for (const other of ['item-basic-pension', 'bundle-retirement']) expect(r.results.slice(0, 1).map((x) => x.entry.id), q).not.toContain(other);
    }
  });

  it('claiming a pension, with no death said, is still the pension', () => {
    expect(engine.search('退休了养老金怎么领', 3).results[0]?.entry.id).not.toBe('bundle-after-death');
  });
});
