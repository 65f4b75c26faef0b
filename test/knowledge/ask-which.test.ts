/** 问清是哪一种 (issue 13 item 17): the pure decision and its validation. */
import { describe, expect, it } from 'vitest';
import { askWhich, kindsNamed, type AskWhichGroup } from '../../src/knowledge/ask-which.js';
import { parseKnowledge } from '../../src/knowledge/parse-knowledge.js';
import { FIXTURE_FILES } from '../helpers/fixture-kb.js';

const pension: AskWhichGroup = {
  ask: 'faq-which',
  options: [
    { name: '职工', entries: ['item-employee', 'bundle-retire'], words: ['职工', '单位', '退休'] },
    { name: '居民', entries: ['item-resident'], words: ['农村', '新农保', '没有单位'] },
  ],
};

describe('kindsNamed', () => {
  it('finds the kinds a text names, the longer word winning over a shorter one inside it', () => {
    expect([...kindsNamed(pension, '我妈没有单位，养老金怎么领')]).toEqual([1]);
    expect([...kindsNamed(pension, '以前在单位上班')]).toEqual([0]);
    expect([...kindsNamed(pension, '养老金怎么领')]).toEqual([]);
    expect([...kindsNamed(pension, '职工和新农保有什么区别')].sort()).toEqual([0, 1]);
  });
});

describe('askWhich', () => {
  const decide = (ranked: string, text: string, current?: string) => askWhich([pension], ranked, text, current);
  it('keeps an entry outside every group', () => {
    expect(decide('item-other', '养老金怎么领')).toEqual({ type: 'keep', entryId: 'item-other' });
  });
  it('asks when the question names no kind', () => {
    expect(decide('item-employee', '我爸70岁了养老金怎么领')).toMatchObject({ type: 'ask', entryId: 'faq-which' });
    expect(decide('bundle-retire', '老人养老金要什么材料')).toMatchObject({ type: 'ask', entryId: 'faq-which' });
  });
  it('asks when the question names both kinds', () => {
    expect(decide('item-employee', '单位交过几年又交了新农保，怎么领')).toMatchObject({ type: 'ask', entryId: 'faq-which' });
  });
  it('keeps the ranked entry when the question names its kind, and switches when it names the other', () => {
    expect(decide('item-employee', '在单位交的养老金怎么领')).toEqual({ type: 'keep', entryId: 'item-employee' });
    expect(decide('item-employee', '农村老人养老金怎么领')).toMatchObject({ type: 'switch', entryId: 'item-resident' });
    expect(decide('item-resident', '我妈退休了养老金怎么领')).toMatchObject({ type: 'switch', entryId: 'item-employee' });
  });
  it('answers the named kind when the explaining entry ranks first, and keeps it when none or both are named', () => {
    expect(decide('faq-which', '交过职工养老保险，现在怎么领')).toMatchObject({ type: 'switch', entryId: 'item-employee' });
    expect(decide('faq-which', '老人的养老金怎么领')).toEqual({ type: 'keep', entryId: 'faq-which' });
    expect(decide('faq-which', '职工和新农保有什么区别')).toEqual({ type: 'keep', entryId: 'faq-which' });
  });
  it('stays with the kind the conversation is about when a follow-up names none', () => {
    expect(decide('item-employee', '养老金要带什么材料', 'item-resident')).toMatchObject({ type: 'switch', entryId: 'item-resident' });
    expect(decide('bundle-retire', '养老金要带什么材料', 'item-employee')).toEqual({ type: 'keep', entryId: 'bundle-retire' });
    expect(decide('item-employee', '养老金要带什么材料', 'item-other')).toMatchObject({ type: 'ask' });
  });
});

describe('askWhich in settings.yaml', () => {
  const withGroups = (yaml: string) =>
    parseKnowledge(FIXTURE_FILES.map((f) => (f.path === 'settings.yaml' ? { ...f, content: `${f.content}\naskWhich:\n${yaml}` } : f)));
  it('accepts a group over existing entries', () => {
    const r = withGroups(`  - ask: faq-id-card-fee
    options:
      - { name: 身份证, entries: [item-id-card], words: [身份证] }
      - { name: 社保卡, entries: [item-social-card], words: [社保卡] }`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.kb.settings.askWhich[0]!.options.map((o) => o.entries)).toEqual([['item-id-card'], ['item-social-card']]);
  });
  it('names each wrong id, the asking entry listed as a kind, an entry under two kinds, and a group of one kind', () => {
    const r = withGroups(`  - ask: faq-nowhere
    options:
      - { name: 甲, entries: [item-id-card, item-missing], words: [甲] }
      - { name: 乙, entries: [item-id-card], words: [乙] }
  - ask: faq-id-card-fee
    options:
      - { name: 丙, entries: [faq-id-card-fee], words: [丙] }
      - { name: 丁, entries: [item-birth], words: [丁] }`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const problems = r.problems.map((p) => `${p.field}: ${p.problem}`);
    expect(problems).toEqual([
      'askWhich[0].ask: no entry has the id faq-nowhere',
      'askWhich[0].options[0].entries[1]: no entry has the id item-missing',
      'askWhich[0].options[1].entries[0]: item-id-card is already listed under askWhich[0].options[0]',
      'askWhich[1].options[0].entries[0]: faq-id-card-fee is the entry that asks; it cannot also be one of the kinds',
    ]);
    const one = withGroups(`  - ask: faq-id-card-fee
    options:
      - { name: 甲, entries: [item-id-card], words: [甲] }`);
    expect(one.ok).toBe(false);
  });
});
