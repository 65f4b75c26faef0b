/** Issue 13 item 2: one list of counter departments, and every department as written mapped to one. */
import { describe, expect, it } from 'vitest';
import { counterDepartmentOf, counterDepartments, entryCounterDepartment, GENERAL_COUNTER } from '../../src/knowledge/departments.js';
import { formatProblem, parseKnowledge } from '../../src/knowledge/parse-knowledge.js';
import { FIXTURE_FILES } from '../helpers/fixture-kb.js';
import { realKb } from '../helpers/real-engine.js';

const settingsWith = (departments: string) => {
  const base = FIXTURE_FILES.find((f) => f.path === 'settings.yaml')!.content;
  return [...FIXTURE_FILES.filter((f) => f.path !== 'settings.yaml'), { path: 'settings.yaml', content: `${base}\ndepartments:\n${departments}` }];
};

describe('counter departments', () => {
  const list = counterDepartments({
    departments: [
      { name: '市场监管', matches: ['市场监督管理'] },
      { name: '民政', matches: ['婚姻登记'] },
      { name: '人社', matches: ['人力资源和社会保障', '社会保险经办'] },
      { name: '医保', matches: ['医疗保障'] },
      { name: '教育', matches: ['教育行政'] },
    ],
  });

  it('always includes 综合窗口', () => {
    expect(list.map((d) => d.name)).toEqual(['市场监管', '民政', '人社', '医保', '教育', GENERAL_COUNTER]);
  });

  it('maps a department as written to the counter department whose word comes first', () => {
    expect(counterDepartmentOf(list, '县级以上市场监督管理局（企业登记机关）')).toBe('市场监管');
    expect(counterDepartmentOf(list, '市场监管')).toBe('市场监管');
    expect(counterDepartmentOf(list, '婚姻登记机关（县级民政部门）')).toBe('民政');
    expect(counterDepartmentOf(list, '社会保险经办机构（县级人力资源和社会保障部门）；参加职工医保的到医疗保障部门')).toBe('人社');
    // 人民政府 holds 民政, and is no department.
    expect(counterDepartmentOf(list, '县级人民政府教育行政部门（市、县教育局）')).toBe('教育');
    expect(counterDepartmentOf(list, '交通运输局')).toBeNull();
  });

  it('gives an FAQ without a department its related entry’s, and a matter without one 综合窗口', async () => {
    const kb = await realKb();
    const lookup = (id: string) => kb.entries.find((e) => e.id === id);
    const faq = kb.entries.find((e) => e.kind === 'faq' && !e.department && e.related.some((id) => lookup(id)?.department?.includes('公安')));
    expect(faq && entryCounterDepartment(kb.settings, faq, lookup)).toBe('公安');
    expect(entryCounterDepartment(kb.settings, kb.entries.find((e) => e.kind === 'bundle'), lookup)).toBe(GENERAL_COUNTER);
    expect(entryCounterDepartment(kb.settings, undefined, lookup)).toBe(GENERAL_COUNTER);
  });

  it('maps every department of the shipped knowledge base to a counter department, the issue’s cases included', async () => {
    const kb = await realKb();
    const shipped = counterDepartments(kb.settings);
    const unmapped = kb.entries.filter((e) => e.department && counterDepartmentOf(shipped, e.department) === null).map((e) => `${e.id}: ${e.department}`);
    expect(unmapped).toEqual([]);
    const byId = (id: string) => kb.entries.find((e) => e.id === id)!;
    const of = (id: string) => counterDepartmentOf(shipped, byId(id).department!);
    expect(of('item-company-registration')).toBe('市场监管');
    expect(of('item-marriage-registration')).toBe('民政');
    // The old 转办 list's names, as officers' accounts may hold them, all mean one of the list.
    for (const old of ['县级市场监督管理局', '公安户政', '人力资源和社会保障局', '医疗保障局', '住房公积金管理中心', '民政局', '卫生健康委员会', '教育局', '残疾人联合会', '不动产登记中心', '税务局', '烟草专卖局', '农业农村局（渔政）']) {
      expect(counterDepartmentOf(shipped, old), old).not.toBeNull();
    }
  });

  it('refuses, in settings, a department listed twice; and an entry whose department maps to none', () => {
    const twice = parseKnowledge(settingsWith('  - name: 民政\n  - name: 民政\n'));
    expect(twice.ok).toBe(false);
    expect(!twice.ok && twice.problems.map(formatProblem).join('\n')).toContain('「民政」 is listed twice');
    const none = parseKnowledge(settingsWith('  - name: 民政\n    matches: [婚姻登记]\n'));
    expect(none.ok).toBe(false);
    expect(!none.ok && none.problems.map(formatProblem).some((p) => / › department: 「.+」 is none of the counter departments/.test(p))).toBe(true);
  });
});
