import { describe, expect, it } from 'vitest';
import { exportRows, HEADERS, importRows } from '../../src/editor/import-rows.js';
import { fixtureKb } from '../helpers/fixture-kb.js';

const header = ['事项名称', '实施部门', '白话说明', '办理条件', '申请材料', '办理流程', '办理地点', '承诺时限', '收费', '设定依据', '来源', '备注列'];
const good = ['小餐饮店登记', '县级市场监督管理局', '开小吃店先登记。', '有固定场所', '申请表（原件1份）\n经营者身份证（原件1份，复印件1份）', '1. 提交\n2. 审核', '政务服务中心', '5个工作日', '不收费', '《某某条例》', '某县办事指南', ''];

describe('spreadsheet import', () => {
  it('turns a good row into an unverified item, reading materials with their counts', () => {
    const { results, unknownColumns } = importRows([header, good], '2026-11-26', new Set());
    expect(unknownColumns).toEqual(['备注列']);
    const [r] = results;
    expect(r).toMatchObject({ row: 2, title: '小餐饮店登记', problems: [] });
    expect(r!.entry).toMatchObject({
      kind: 'item',
      id: expect.stringMatching(/^item-import-[0-9a-z]+$/),
      verified: false,
      materials: [
        { name: '申请表', originals: 1, copies: 0 },
        { name: '经营者身份证', originals: 1, copies: 1 },
      ],
      steps: ['提交', '审核'],
      fees: { free: true, text: '不收费' },
      legalBasis: [{ name: '某某条例' }],
    });
  });

  it('reports every problem of a bad row, by spreadsheet row number, and creates no entry for it', () => {
    const noTitle = [...good];
    noTitle[0] = '';
    const noMaterials = [...good];
    noMaterials[4] = '';
    noMaterials[2] = '';
    const { results } = importRows([['编号', ...header], ['item-Bad ID', ...good], ['', ...noTitle], ['', ...noMaterials], ['', '', '', '', '', '', '', '', '', '', '', '', '']], '2026-11-26', new Set());
    expect(results.map((r) => [r.row, r.entry === null])).toEqual([[2, true], [3, true], [4, true]]);
    expect(results[0]!.problems.join()).toContain('应写成 item-英文小写');
    expect(results[1]!.problems).toContain('缺少「事项名称」');
    expect(results[2]!.problems).toEqual(expect.arrayContaining(['缺少或写错了「白话说明」', '缺少或写错了「申请材料」']));
  });

  it('refuses an id that already exists or repeats in the sheet', () => {
    const { results } = importRows([['编号', ...header], ['item-shop', ...good], ['item-shop', ...good]], '2026-11-26', new Set(['item-licence']));
    expect(results[1]!.problems).toContain('编号 item-shop 在表格里重复');
    const existing = importRows([['编号', ...header], ['item-licence', ...good]], '2026-11-26', new Set(['item-licence']));
    expect(existing.results[0]!.problems.join()).toContain('已经有条目或待审核草稿了');
  });

  it('derives the id of a row without 编号 from its title: the same in any file on any day, never a taken id', () => {
    const idOf = (rows: string[][], today: string, taken: Set<string> = new Set()) => importRows(rows, today, { takenIds: taken }).results.map((r) => r.entry?.id);
    const other = [...good];
    other[0] = '夜市摊位登记';
    const [a, b] = idOf([header, good, other], '2026-11-26');
    expect(a).not.toBe(b);
    // Another file, another day, another row: the same title gives the same id (once it is not taken).
    expect(idOf([header, other], '2026-11-27')).toEqual([b]);
    // Taken by a published entry or an open draft: the next free one.
    const [c] = idOf([header, good], '2026-11-26', new Set([a!]));
    expect(c).toBe(`${a}-2`);
    expect(idOf([header, good], '2026-11-26', new Set([a!, `${a}-2`]))).toEqual([`${a}-3`]);
  });

  it('reports a title that is already an entry, an open draft or an earlier row, loosely compared', () => {
    const titles = new Map([['小餐饮店登记', '待审核草稿「小餐饮店登记」（item-x）']]);
    const spaced = [...good];
    spaced[0] = ' 小餐饮店 登记！';
    const { results } = importRows([header, spaced], '2026-11-26', { takenIds: new Set(), titles });
    expect(results[0]!.entry).toBeNull();
    expect(results[0]!.problems.join()).toContain('与待审核草稿「小餐饮店登记」（item-x）重名');
    const inFile = importRows([header, good, good], '2026-11-26', { takenIds: new Set() });
    expect(inFile.results[0]!.problems).toEqual([]);
    expect(inFile.results[1]!.problems).toEqual(['「小餐饮店登记」与表格第 2 行重名']);
    expect(inFile.results[1]!.entry).toBeNull();
  });

  it('exports items with the import columns, so an export reads back', () => {
    const kb = fixtureKb();
    const rows = exportRows(kb.entries);
    expect(rows[0]).toEqual(HEADERS);
    const back = importRows(rows, '2026-11-26', new Set());
    expect(back.unknownColumns).toEqual([]);
    expect(back.results.map((r) => r.problems)).toEqual(back.results.map(() => []));
    expect(back.results.map((r) => r.entry?.title)).toEqual(kb.entries.filter((e) => e.kind === 'item').map((e) => e.title));
  });
});
