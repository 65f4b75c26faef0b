import { describe, expect, it } from 'vitest';
import { computeChecklist } from '../../src/knowledge/compute-checklist.js';
import type { ItemEntry } from '../../src/knowledge/schema.js';
import { fixtureKb } from '../helpers/fixture-kb.js';

const kb = fixtureKb();
const get = (id: string) => kb.entries.find((e) => e.id === id) as ItemEntry;
const base = {
  id: 'c1',
  title: '清单',
  entry: kb.entries.find((e) => e.id === 'bundle-shop')!,
  createdAt: '2026-11-26T00:00:00.000Z',
  answers: [],
  exclude: [],
  caution: '以窗口最新告知为准。',
};

describe('computeChecklist', () => {
  it('lists every material once with the items that use it and their legal basis', () => {
    const c = computeChecklist({ ...base, items: [get('item-licence'), get('item-tobacco')] });
    expect(c.materials.map((m) => m.name)).toEqual(['身份证', '申请表']);
    expect(c.materials[0]).toMatchObject({ usedBy: ['个体工商户设立登记', '烟草专卖零售许可证核发'], legalBasis: ['《测试条例》'] });
    expect(c.items.map((i) => i.id)).toEqual(['item-licence', 'item-tobacco']);
  });

  it('moves a document that a listed item issues out of what to bring', () => {
    const licence = { ...get('item-licence'), produces: ['business-licence'] };
    const tobacco = {
      ...get('item-tobacco'),
      materials: [...get('item-tobacco').materials, { name: '营业执照', ref: 'business-licence', originals: 1, copies: 1, required: true }],
    };
    const c = computeChecklist({ ...base, items: [licence, tobacco] });
    expect(c.materials.map((m) => m.name)).not.toContain('营业执照');
    expect(c.produced).toEqual([{ name: '营业执照', by: '个体工商户设立登记', usedBy: ['烟草专卖零售许可证核发'] }]);
  });

  it('separates substitutes, situational materials and exclusions', () => {
    const item = {
      ...get('item-licence'),
      materials: [
        { name: '身份证', originals: 1, copies: 0, required: true, substitute: { kind: 'e-certificate' as const, note: '刷脸核验' } },
        { name: '委托书', originals: 1, copies: 0, required: false, when: '委托他人办理的' },
        { name: '旧证件', originals: 1, copies: 0, required: true },
      ],
    };
    const c = computeChecklist({ ...base, items: [item], exclude: [{ nameIncludes: '旧证', reason: '第一次办' }] });
    expect(c.replaced.map((m) => [m.name, m.how])).toEqual([['身份证', '电子证照：刷脸核验']]);
    expect(c.situational.map((m) => [m.name, m.when])).toEqual([['委托书', '委托他人办理的']]);
    expect(c.excluded).toEqual([{ name: '旧证件', reason: '第一次办' }]);
    expect(c.materials).toEqual([]);
  });

  it('carries the caution unless every entry is verified with no unverified field', () => {
    expect(computeChecklist({ ...base, items: [get('item-licence')] }).caution).toBe('以窗口最新告知为准。'); // the bundle is unverified
    const verifiedEntry = get('item-licence');
    expect(computeChecklist({ ...base, entry: verifiedEntry, items: [verifiedEntry] }).caution).toBeNull();
  });
});
