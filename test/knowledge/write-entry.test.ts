/** Writing an entry back to YAML loses nothing: every shipped entry round-trips. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadKnowledge } from '../../src/adapters/load-knowledge.js';
import { entrySchema } from '../../src/knowledge/schema.js';
import { entryToYaml, listToYaml } from '../../src/knowledge/write-entry.js';

const loaded = await loadKnowledge(resolve(import.meta.dirname, '../../knowledge'));
const entries = loaded.ok ? loaded.kb.entries : [];

describe('entryToYaml', () => {
  it('round-trips every shipped entry', () => {
    for (const e of entries) expect(entrySchema.parse(parse(entryToYaml(e))), e.id).toEqual(e);
  });

  it('writes keys in a stable order and leaves out defaults', () => {
    const e = entries.find((x) => x.id === 'item-individual-business-registration')!;
    const text = entryToYaml(e);
    expect(text.indexOf('id:')).toBe(0);
    expect(text.indexOf('title:')).toBeLessThan(text.indexOf('summary:'));
    expect(text.indexOf('materials:')).toBeLessThan(text.indexOf('sources:'));
    expect(text).not.toContain('required: true');
    expect(entryToYaml(e)).toBe(text); // deterministic
  });

  it('writes a list file that round-trips', () => {
    const faqs = entries.filter((x) => x.kind === 'faq').slice(0, 3);
    expect((parse(listToYaml(faqs)) as unknown[]).map((x) => entrySchema.parse(x))).toEqual(faqs);
  });
});
