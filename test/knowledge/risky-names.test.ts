import { describe, expect, it } from 'vitest';
import { riskyNames } from '../../src/knowledge/risky-names.js';
import { fixtureKb } from '../helpers/fixture-kb.js';
import type { Entry } from '../../src/knowledge/schema.js';

const base = fixtureKb().entries.find((e) => e.kind === 'item')!;
const entryWith = (keywords: string[]): Entry => ({ ...base, id: 'item-test', keywords } as Entry);
const why = (keyword: string, realText: string[] = []) =>
  riskyNames([entryWith([keyword])], ['有限公司'], realText, ['梧州', '万秀区'])
    .filter((r) => r.field === 'keywords')
    .map((r) => r.why);

describe('kb:check risky names', () => {
  it('warns about digits, generic nouns, places, one character and two syllables', () => {
    expect(why('3600元')[0]).toContain('数字');
    expect(why('有限公司')[0]).toContain('通用名词');
    expect(why('梧州')[0]).toContain('地名');
    expect(why('证')[0]).toContain('不到两个汉字');
    expect(why('烟证')[0]).toContain('两个音节');
  });

  it('warns about a name that holds a place (迁入梧州 says where, not what)', () => {
    expect(why('迁入梧州').join(' ')).toContain('含地名「梧州」');
    expect(why('企业迁移')).toEqual([]);
  });

  it('warns about a name common in real text outside the knowledge base', () => {
    const text = Array.from({ length: 500 }, (_, i) => (i === 0 ? '我想开小卖部' : '今天天气不错'));
    expect(why('开小卖部', text).join(' ')).toContain('太常见');
    expect(why('开小卖部', ['今天天气不错'])).toEqual([]);
  });
});
