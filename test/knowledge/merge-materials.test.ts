import { describe, expect, it } from 'vitest';
import { mergeMaterials } from '../../src/knowledge/merge-materials.js';
import type { ItemEntry, Material } from '../../src/knowledge/schema.js';

const item = (id: string, title: string, materials: Partial<Material>[]): ItemEntry =>
  ({
    id,
    title,
    kind: 'item',
    materials: materials.map((m) => ({ originals: 1, copies: 0, required: true, ...m })),
  }) as ItemEntry;

describe('mergeMaterials', () => {
  const licence = item('item-a', '个体工商户设立登记', [
    { name: '经营者身份证件', ref: 'id-card', copies: 1 },
    { name: '经营场所使用证明', ref: 'premises-proof' },
    { name: '个体工商户登记申请书' },
  ]);
  const tobacco = item('item-b', '烟草专卖零售许可证核发', [
    { name: '经营者身份证明', ref: 'id-card', originals: 1, copies: 2 },
    { name: '营业执照', ref: 'business-licence', required: false, when: '已经办好执照的' },
    { name: '经营场所使用证明（租赁合同）', ref: 'premises-proof', substitute: { kind: 'data-sharing', note: '共享' } },
    { name: '烟草专卖零售许可证申请表' },
  ]);

  it('lists a document once, with every item that uses it', () => {
    const merged = mergeMaterials([licence, tobacco]);
    const id = merged.find((m) => m.key === 'ref:id-card')!;
    expect(id.usedBy).toEqual(['个体工商户设立登记', '烟草专卖零售许可证核发']);
    expect(merged.filter((m) => m.key === 'ref:id-card')).toHaveLength(1);
    expect(merged).toHaveLength(5);
  });

  it('keeps the first name and the largest counts', () => {
    const id = mergeMaterials([licence, tobacco]).find((m) => m.key === 'ref:id-card')!;
    expect(id.name).toBe('经营者身份证件');
    expect([id.originals, id.copies]).toEqual([1, 2]);
  });

  it('offers a substitute only when every item accepts it', () => {
    const premises = mergeMaterials([licence, tobacco]).find((m) => m.key === 'ref:premises-proof')!;
    expect(premises.substitute).toBeUndefined();
    const alone = mergeMaterials([tobacco]).find((m) => m.key === 'ref:premises-proof')!;
    expect(alone.substitute?.kind).toBe('data-sharing');
  });

  it('merges materials without refs only when their names match after normalisation', () => {
    const a = item('item-x', 'X', [{ name: '结婚证（原件）' }]);
    const b = item('item-y', 'Y', [{ name: '结婚证(原件)' }, { name: '户口簿' }]);
    const merged = mergeMaterials([a, b]);
    expect(merged.map((m) => m.usedBy.length)).toEqual([2, 1]);
  });

  it('makes a material needed without conditions when any item always needs it', () => {
    const c = item('item-c', 'C', [{ name: '营业执照', ref: 'business-licence', required: true }]);
    const lic = mergeMaterials([tobacco, c]).find((m) => m.key === 'ref:business-licence')!;
    expect(lic.required).toBe(true);
    expect(lic.when).toEqual([]);
  });

  it('keeps the situations when every item needs the material only in some situations', () => {
    const d = item('item-d', 'D', [{ name: '营业执照副本', ref: 'business-licence', when: '已办照的' }]);
    const lic = mergeMaterials([tobacco, d]).find((m) => m.key === 'ref:business-licence')!;
    expect(lic.when).toEqual(['已经办好执照的', '已办照的']);
    expect(lic.otherNames).toEqual(['营业执照副本']);
  });
});
