import { describe, expect, it } from 'vitest';
import { commonMattersFirst, formatProblem, parseKnowledge } from '../../src/knowledge/parse-knowledge.js';
import type { Entry } from '../../src/knowledge/schema.js';
import { FIXTURE_FILES } from '../helpers/fixture-kb.js';

const withFile = (path: string, content: string) => [...FIXTURE_FILES.filter((f) => f.path !== path), { path, content }];
const problemsOf = (files: ReturnType<typeof withFile>) => {
  const r = parseKnowledge(files);
  if (r.ok) throw new Error('expected problems');
  return r.problems.map(formatProblem);
};

describe('parseKnowledge', () => {
  it('accepts the fixture knowledge base', () => {
    const r = parseKnowledge(FIXTURE_FILES);
    expect(r.ok).toBe(true);
  });

  it('names file, entry and field, and says how to fix a missing field', () => {
    const broken = FIXTURE_FILES.find((f) => f.path === 'items/tobacco.yaml')!.content.replace(/\nfees:[\s\S]*?text: 不收费。\n/, '\n');
    const problems = problemsOf(withFile('items/tobacco.yaml', broken));
    expect(problems).toContain('items/tobacco.yaml › item-tobacco › fees: Invalid input: expected object, received undefined — add this field');
  });

  it('refuses an action group added twice under one name', () => {
    const lexicon = FIXTURE_FILES.find((f) => f.path === 'lexicon.yaml')!.content;
    const twice = lexicon.replace('  - name: 注销\n', '  - name: 注销\n    words: [关门大吉]\n  - name: 注销\n');
    expect(twice).not.toBe(lexicon);
    expect(problemsOf(withFile('lexicon.yaml', twice)).some((p) => p.includes('动作组「注销」重复了'))).toBe(true);
  });

  it('reports a wrong date format and an unknown field', () => {
    const broken = FIXTURE_FILES.find((f) => f.path === 'items/birth.yaml')!.content
      .replace('lastVerified: 2026-11-01', 'lastVerified: 26/11/2026')
      .concat('\nfee: 5元\n');
    const problems = problemsOf(withFile('items/birth.yaml', broken));
    expect(problems.some((p) => p.startsWith('items/birth.yaml › item-birth › lastVerified: must be a date written YYYY-MM-DD'))).toBe(true);
    expect(problems.some((p) => p.includes('item-birth › (whole entry)') && p.includes('remove or rename fee'))).toBe(true);
  });

  it('reports YAML syntax errors with the line', () => {
    const problems = problemsOf(withFile('items/bad.yaml', 'id: item-bad\ntitle: [unclosed\n'));
    expect(problems.some((p) => p.startsWith('items/bad.yaml › line') && p.includes('fix the YAML syntax'))).toBe(true);
  });

  it('reports duplicate ids, unknown bundle items and a verified entry without a date', () => {
    const dup = FIXTURE_FILES.find((f) => f.path === 'items/birth.yaml')!.content.replace('title: 出生登记', 'title: 出生登记二');
    const bundle = FIXTURE_FILES.find((f) => f.path === 'bundles/shop.yaml')!.content.replace('item-tobacco]', 'item-nope]');
    const undated = FIXTURE_FILES.find((f) => f.path === 'items/social-card.yaml')!.content.replace('lastVerified: 2026-11-01', '');
    const problems = problemsOf([
      ...withFile('bundles/shop.yaml', bundle).filter((f) => f.path !== 'items/social-card.yaml'),
      { path: 'items/birth-copy.yaml', content: dup },
      { path: 'items/social-card.yaml', content: undated },
    ]);
    expect(problems.some((p) => p.includes('item-birth › id: the id is already used in'))).toBe(true);
    expect(problems).toContain('bundles/shop.yaml › bundle-shop › items[1]: no item has the id item-nope — list the id of an existing item (kind: item)');
    expect(problems.some((p) => p.includes('item-social-card › lastVerified: a verified entry must say when'))).toBe(true);
  });

  it('refuses markers that contradict each other: a verified FAQ whose answer is unverified, a fee with no charge named', () => {
    const faq = FIXTURE_FILES.find((f) => f.path === 'faq/faq.yaml')!;
    const doubted = faq.content.replace('  verified: false\n', '  verified: true\n  lastVerified: 2026-11-01\n');
    expect(doubted).toContain('unverified: [answer]');
    const charged = FIXTURE_FILES.find((f) => f.path === 'items/tobacco.yaml')!.content.replace('free: true', 'free: false');
    const problems = problemsOf(withFile('items/tobacco.yaml', charged).filter((f) => f.path !== faq.path).concat({ path: faq.path, content: doubted }));
    expect(problems.some((p) => p.includes('› verified: verified: true says the faq') && p.includes('unverified lists answer'))).toBe(true);
    expect(problems).toContain(
      'items/tobacco.yaml › item-tobacco › fees.free: free: false says a fee is charged, but the text names no charge (an amount in 元, 工本费, 制作费, 缴费 …) — say what is charged in fees.text, or set free: true (keep fees under unverified if no rule was found)',
    );
    const named = charged.replace('text: 不收费。', 'text: 补领每证 40 元。');
    expect(parseKnowledge(withFile('items/tobacco.yaml', named)).ok).toBe(true);
  });

  it('requires sources, legal basis and materials on an item', () => {
    const bare = FIXTURE_FILES.find((f) => f.path === 'items/tobacco.yaml')!.content
      .replace(/\nsources:[\s\S]*?checked: 2026-11-01/, '\nsources: []')
      .replace(/\nlegalBasis:\n {2}- name: 测试条例/, '\nlegalBasis: []')
      .replace(/\nmaterials:[\s\S]*?copies: 0/, '\nmaterials: []');
    const problems = problemsOf(withFile('items/tobacco.yaml', bare));
    expect(problems.some((p) => p.includes('item-tobacco › sources: needs at least one source'))).toBe(true);
    expect(problems.some((p) => p.includes('item-tobacco › legalBasis: needs at least one legal basis'))).toBe(true);
    expect(problems.some((p) => p.includes('item-tobacco › materials: needs at least one material'))).toBe(true);
  });

  it('joins folded Chinese lines without inserting spaces', () => {
    const folded = FIXTURE_FILES.find((f) => f.path === 'items/birth.yaml')!.content.replace(
      'summary: 出生登记的白话说明。',
      'summary: >-\n  宝宝出生后，\n  一个月内去上户口。',
    );
    const r = parseKnowledge(withFile('items/birth.yaml', folded));
    expect(r.ok && r.kb.entries.find((e) => e.id === 'item-birth')?.summary).toBe('宝宝出生后，一个月内去上户口。');
  });

  it('refuses to start without local settings', () => {
    const problems = problemsOf(FIXTURE_FILES.filter((f) => f.path !== 'settings.yaml'));
    expect(problems.some((p) => p.startsWith('settings.yaml › settings › (file)'))).toBe(true);
  });

  it('orders bundles by settings commonMatters and reports ids that are not bundles', () => {
    const settings = FIXTURE_FILES.find((f) => f.path === 'settings.yaml')!.content;
    const ok = parseKnowledge(withFile('settings.yaml', `${settings}commonMatters: [bundle-shop]\n`));
    expect(ok.ok && ok.kb.settings.commonMatters).toEqual(['bundle-shop']);
    const problems = problemsOf(withFile('settings.yaml', `${settings}commonMatters: [bundle-shop, bundle-nope, item-tobacco, bundle-shop]\n`));
    expect(problems).toContain('settings.yaml › settings › commonMatters[1]: no entry has the id bundle-nope — list each bundle id (bundle-…) once, most asked first');
    expect(problems.some((p) => p.includes('commonMatters[2]: item-tobacco is an item, not a bundle'))).toBe(true);
    expect(problems.some((p) => p.includes('commonMatters[3]: bundle-shop is listed twice'))).toBe(true);
  });

  it('puts the listed bundles first in the bundles\' places and leaves other entries where they were', () => {
    const e = (id: string) => ({ id, kind: id.split('-')[0] }) as Entry;
    const entries = ['bundle-a', 'bundle-b', 'bundle-c', 'faq-x', 'item-y'].map(e);
    expect(commonMattersFirst(entries, ['bundle-c', 'bundle-a']).map((x) => x.id)).toEqual(['bundle-c', 'bundle-a', 'bundle-b', 'faq-x', 'item-y']);
    expect(commonMattersFirst(entries, [])).toBe(entries);
  });
});
