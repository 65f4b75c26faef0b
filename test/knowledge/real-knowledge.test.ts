/** The shipped knowledge base must validate, and every entry must keep what makes it trustworthy. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import { formatProblem } from '../../src/knowledge/parse-knowledge.js';

const loaded = await loadKnowledge(resolve(import.meta.dirname, '../../knowledge'));

describe('the shipped knowledge base', () => {
  it('validates', () => {
    expect(loaded.ok ? [] : loaded.problems.map(formatProblem)).toEqual([]);
  });

  const entries = loaded.ok ? loaded.kb.entries : [];

  it('has at least 10 items and bundles', () => {
    expect(entries.filter((e) => e.kind === 'item' || e.kind === 'bundle').length).toBeGreaterThanOrEqual(10);
  });

  it.each(entries.map((e) => [e.id, e] as const))('%s has sources and a verified date or an unverified flag', (_id, e) => {
    expect(e.sources.length).toBeGreaterThan(0);
    for (const s of e.sources) expect(s.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (e.verified) expect(e.lastVerified).toBeDefined();
    else expect(e.verified).toBe(false);
  });

  it.each(entries.filter((e) => e.kind === 'item' || e.kind === 'bundle').map((e) => [e.id, e] as const))(
    '%s has a legal basis, and an item has materials',
    (_id, e) => {
      if (e.kind !== 'item' && e.kind !== 'bundle') return;
      expect(e.legalBasis.length).toBeGreaterThan(0);
      if (e.kind === 'item') expect(e.materials.length).toBeGreaterThan(0);
    },
  );

  it('keeps local 梧州 details that are not confirmed flagged in the settings', () => {
    if (!loaded.ok) return;
    expect(loaded.kb.settings.unconfirmed).toEqual(expect.arrayContaining(['centre.address', 'centre.hours']));
  });
});
