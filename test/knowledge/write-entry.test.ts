/** Writing an entry back to YAML loses nothing: every shipped entry round-trips. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadKnowledge, readYamlFiles } from '../../src/adapters/load-knowledge.js';
import { entrySchema } from '../../src/knowledge/schema.js';
import { entryToYaml, fileWithEntry, listToYaml } from '../../src/knowledge/write-entry.js';

const loaded = await loadKnowledge(resolve(import.meta.dirname, '../../knowledge'));
const entries = loaded.ok ? loaded.kb.entries : [];
const files = await readYamlFiles(resolve(import.meta.dirname, '../../knowledge'));

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

describe('fileWithEntry', () => {
  const kb = loaded.ok ? loaded.kb : null;

  it('changes an entry in its place in a list file, the other entries kept in order', () => {
    const file = Object.values(kb!.fileOf).find((f) => f.startsWith('faq/') && entries.filter((e) => kb!.fileOf[e.id] === f).length >= 3)!;
    const existing = files.find((f) => f.path === file)!.content;
    const ids = (parse(existing) as { id: string }[]).map((x) => x.id);
    const second = entries.find((e) => e.id === ids[1])!;
    const changed = { ...second, aliases: [...second.aliases, '新加的问法'] };
    const written = fileWithEntry(kb!, changed, existing);
    expect(written.file).toBe(file);
    const list = (parse(written.content) as unknown[]).map((x) => entrySchema.parse(x));
    expect(list.map((e) => e.id)).toEqual(ids);
    expect(list[1]).toEqual(changed);
    expect(list[0]).toEqual(entries.find((e) => e.id === ids[0]));
  });

  it('puts a new FAQ in a list file of its own and a new item in its own file', () => {
    const faq = { ...entries.find((e) => e.kind === 'faq')!, id: 'faq-brand-new' };
    expect(fileWithEntry(kb!, faq, undefined)).toEqual({ file: 'faq/editor.yaml', content: listToYaml([faq]) });
    const item = { ...entries.find((e) => e.kind === 'item')!, id: 'item-brand-new' };
    expect(fileWithEntry(kb!, item, undefined)).toEqual({ file: 'items/brand-new.yaml', content: entryToYaml(item) });
  });
});
