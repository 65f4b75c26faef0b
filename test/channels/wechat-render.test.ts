/** Rendering the core's replies as one WeChat text, and reading a numbered answer back. */
import { describe, expect, it } from 'vitest';
import { choiceFor, cutToBytes, positionOutOfRange, renderWechat, TEXT_LIMIT_BYTES } from '../../src/channels/wechat/render-wechat.js';
import type { AnswerCard, Reply } from '../../src/core/types.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const card = (sections: number): AnswerCard => ({
  entryId: 'item-resident-id-card',
  title: '居民身份证申领',
  kind: 'item',
  aspect: 'general',
  summary: '首次申领、换领、补领居民身份证，到户籍所在地或居住地公安机关户政窗口办理。',
  sections: Array.from({ length: sections }, (_, i) => ({ heading: `第${i + 1}部分`, lines: ['本人到场，现场采集照片和指纹。', '费用：工本费 20 元，补领 40 元。', '时限：20 个工作日内领证，可选邮寄到家。'] })),
  legalBasis: ['《中华人民共和国居民身份证法》第八条'],
  sources: [
    { title: '梧州市公安局户政指南', url: 'https://example.gov.cn/a', checked: '2026-10-01', reliability: 'official' },
    { title: '广西政务服务网', checked: '2026-09-20', reliability: 'official' },
  ],
  lastVerified: '2026-10-01',
  verified: true,
  caution: '节假日窗口时间以公告为准',
});
const answer = (sections: number): Reply => ({ type: 'text', text: 'full text', card: card(sections) });

describe('renderWechat', () => {
  it('numbers the choices and reads 1 / １ / 第2个 / the label back; other text stays text', () => {
    const out = renderWechat([{ type: 'choices', text: '您要开的是哪一类？', choices: [{ label: '个体工商户', value: 'flow:answer:individual' }, { label: '公司', value: 'flow:answer:company' }] }], null);
    expect(out.text).toBe('您要开的是哪一类？\n回复数字选择：\n1. 个体工商户\n2. 公司');
    expect(choiceFor('1', out.choices)).toBe('flow:answer:individual');
    expect(choiceFor(' １ ', out.choices)).toBe('flow:answer:individual');
    expect(choiceFor('第2个', out.choices)).toBe('flow:answer:company');
    expect(choiceFor('2.', out.choices)).toBe('flow:answer:company');
    expect(choiceFor('公司', out.choices)).toBe('flow:answer:company');
    expect(choiceFor('第二个', out.choices)).toBe('flow:answer:company');
    expect(choiceFor('一', out.choices)).toBe('flow:answer:individual');
    expect(choiceFor('3', out.choices)).toBeNull();
    // A place beyond the list is told apart from ordinary text, so the reply can say which numbers there are.
    expect(positionOutOfRange('3', out.choices)).toBe(2);
    expect(positionOutOfRange('第五个', out.choices)).toBe(2);
    expect(positionOutOfRange('2', out.choices)).toBeNull();
    expect(positionOutOfRange('开个公司要什么材料', out.choices)).toBeNull();
    expect(positionOutOfRange('3', [])).toBeNull();
    expect(choiceFor('开个公司要什么材料', out.choices)).toBeNull();
    expect(choiceFor('1', [])).toBeNull();
  });

  it('offers a typed-answer question\'s navigation by its words only, so a typed number stays an answer', () => {
    const out = renderWechat([{ type: 'choices', text: '店铺面积多少平方米？', choices: [{ label: '上一步', value: 'flow:back' }, { label: '重新开始', value: 'flow:restart' }] }], null);
    expect(out.choices).toEqual([]);
    expect(out.text).toContain('「上一步」或「重新开始」');
    expect(choiceFor('2', out.choices, out.words)).toBeNull();
    expect(choiceFor('上一步', out.choices, out.words)).toBe('flow:back');
  });

  it('writes a short answer whole, with the sources on one short line', () => {
    const out = renderWechat([answer(2)], 'https://yici.example.gov.cn');
    expect(out.text).toContain('【居民身份证申领】');
    expect(out.text).toContain('第2部分：');
    expect(out.text).toContain('来源：梧州市公安局户政指南 等 2 项（核对于 2026-10-01）');
    expect(out.text.match(/来源/g)).toHaveLength(1);
    expect(out.text).not.toContain('完整内容');
  });

  it('shortens a long answer to the limit, keeping the caution, the sources, the choices and a link to the rest', () => {
    const replies: Reply[] = [answer(40), { type: 'choices', text: '您还想了解：', choices: [{ label: '材料清单', value: 'aspect:materials' }, { label: '转人工', value: 'handoff' }] }];
    const out = renderWechat(replies, 'https://yici.example.gov.cn');
    expect(bytes(out.text)).toBeLessThanOrEqual(TEXT_LIMIT_BYTES);
    expect(out.text).toContain('第1部分');
    expect(out.text).not.toContain('第40部分');
    expect(out.text).toContain('完整内容可在网页版查看：https://yici.example.gov.cn/');
    expect(out.text).toContain('提示：节假日窗口时间以公告为准');
    expect(out.text).toContain('来源：');
    expect(out.text).toContain('1. 材料清单\n2. 转人工');
    expect(out.choices.map((c) => c.value)).toEqual(['aspect:materials', 'handoff']);
  });

  it('links a checklist to its printable page, cutting a long material list before the link', () => {
    const materials = Array.from({ length: 80 }, (_, i) => ({ name: `材料名称很长的第${i + 1}项证明文件`, originals: 1, copies: i % 2, usedBy: ['x'] }));
    const out = renderWechat([{ type: 'checklist', id: 'abc123def456', url: '/checklist/abc123def456', title: '开办小商店一件事', materials }], 'https://yici.example.gov.cn');
    expect(out.text).toContain('可打印的清单（办事时给窗口看）：https://yici.example.gov.cn/checklist/abc123def456');
    expect(out.text).toMatch(/另有 \d+ 项，见清单/);
    expect(bytes(out.text)).toBeLessThanOrEqual(TEXT_LIMIT_BYTES);
  });

  it('says in the queue notice that the answer comes in WeChat, not on a page to keep open', () => {
    const out = renderWechat([{ type: 'handoff', status: 'queued', text: '已为您转接人工服务（综合窗口）。您前面还有 0 位。请不要关闭页面，工作人员接入后会在这里回复您；也可以回复「取消转人工」。' }], null);
    expect(out.text).toContain('工作人员接入后会在微信里回复您');
    expect(out.text).not.toContain('关闭页面');
  });

  it('cuts by bytes without splitting a character', () => {
    const cut = cutToBytes('一二三四五', 10);
    expect(cut).toBe('一二…');
    expect(bytes(cut)).toBeLessThanOrEqual(10);
  });
});
