import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readYamlFiles } from '../../src/adapters/load-knowledge.js';
import { parseFlows } from '../../src/dialogue/parse-flows.js';
import { stepLabel, usesOf } from '../../src/editor/entry-uses.js';
import { realKb, root } from '../helpers/real-engine.js';

const kb = await realKb();
const parsed = parseFlows(await readYamlFiles(resolve(root, 'flows')), kb);
if (!parsed.ok) throw new Error('flows do not validate');
const flows = parsed.flows;

describe('where an entry is used', () => {
  it('names the bundles that list it and the walkthroughs that put it in their checklist', () => {
    const uses = usesOf(kb, flows, 'item-tobacco-retail-license');
    expect(uses.bundles.map((b) => b.title).sort()).toEqual(['开办小商店一件事', '开办餐饮店一件事']);
    expect(uses.flows.map((f) => f.id).sort()).toEqual(['restaurant', 'small-shop']);
    expect(uses.bundles[0]).toEqual({ id: expect.any(String), title: expect.any(String) });
  });

  it('names the walkthrough that starts from a bundle, and nothing for an unknown entry', () => {
    expect(usesOf(kb, flows, 'bundle-small-shop').flows.map((f) => f.id)).toContain('small-shop');
    expect(usesOf(kb, flows, 'no-such-entry')).toEqual({ bundles: [], flows: [] });
  });
});

describe('a walkthrough step as editors read it', () => {
  it('gives the walkthrough title and the step label, cut at 24 characters', () => {
    expect(stepLabel(flows, 'small-shop/food')).toBe('开办小商店：卖食品的情况');
    const note = stepLabel(flows, 'small-shop/school-note');
    expect(note.startsWith('开办小商店：按《未成年人保护法》')).toBe(true);
    expect(note.endsWith('…')).toBe(true);
    expect(note.length).toBe('开办小商店：'.length + 25);
  });

  it('shows an unknown key as it is', () => {
    expect(stepLabel(flows, 'small-shop/gone')).toBe('small-shop/gone');
    expect(stepLabel(flows, 'nothing')).toBe('nothing');
  });
});
