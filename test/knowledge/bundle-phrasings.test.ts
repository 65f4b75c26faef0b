/**
 * Issue 13 item 14: the common ways of asking about a bundle (its name, with or without 一件事,
 * with an aspect word — 要什么材料, 怎么办, 需要多久, 在哪里办 …) are answered with that bundle, on
 * the shipped knowledge base. The phrasings are templates over each bundle's title, not questions
 * from the evaluation sets.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/knowledge/engine.js';
import { realEngine } from '../helpers/real-engine.js';

let engine: Engine;
beforeAll(async () => {
  engine = await realEngine();
});

const phrasings = (title: string): string[] => {
  const name = title.replace(/一件事$/, '');
  return [title, name, `${name}要什么材料`, `${name}需要什么`, `${name}怎么办`, `${name}需要多久`, `${name}在哪里办`, `${title}要带什么`, `办理${name}`, `我想问问${name}`];
};

describe('every bundle, asked the common ways', () => {
  it('is answered with that bundle (or an FAQ of it), never refused or only suggested', () => {
    const bundles = engine.kb.entries.filter((e) => e.kind === 'bundle');
    expect(bundles.length).toBeGreaterThan(10);
    const missed: string[] = [];
    for (const b of bundles) {
      for (const q of phrasings(b.title)) {
        const r = engine.search(q, 3);
        const first = r.results[0]?.entry;
        const right = !!first && (first.id === b.id || (first.kind === 'faq' && first.related.includes(b.id)));
        if (r.band !== 'answer' || !right) missed.push(`${q} → ${r.band} ${first?.id ?? '—'}`);
      }
    }
    expect(missed).toEqual([]);
  });
});
