import { describe, expect, it } from 'vitest';
import { ADAPTIVE_CARD, renderActivities, submittedChoice } from '../../src/channels/teams/adaptive-cards.js';

describe('replies as Adaptive Cards', () => {
  it('turns choices into submit buttons that carry the choice value', () => {
    const [a] = renderActivities([{ type: 'choices', text: '以什么身份开店？', choices: [{ label: '个体工商户', value: 'flow:answer:entity:individual' }, { label: '公司', value: 'flow:answer:entity:company' }] }], null);
    expect(a!.attachments![0]!.contentType).toBe(ADAPTIVE_CARD);
    expect(a!.attachments![0]!.content.actions).toEqual([
      { type: 'Action.Submit', title: '个体工商户', data: { yiciChoice: 'flow:answer:entity:individual' } },
      { type: 'Action.Submit', title: '公司', data: { yiciChoice: 'flow:answer:entity:company' } },
    ]);
    expect(a!.text).toContain('[个体工商户]');
  });

  it('renders 您是不是想问 as buttons too, one per offered entry', () => {
    const [a] = renderActivities([{ type: 'choices', kind: 'suggest', text: '您是不是想问：', choices: [{ label: '居民身份证申领', value: 'suggest:item-resident-id-card' }, { label: '都不是', value: 'none' }] }], null);
    expect(a!.attachments![0]!.content.actions).toEqual([
      { type: 'Action.Submit', title: '居民身份证申领', data: { yiciChoice: 'suggest:item-resident-id-card' } },
      { type: 'Action.Submit', title: '都不是', data: { yiciChoice: 'none' } },
    ]);
  });

  it('links a checklist to its printable page only when the public address is known', () => {
    const checklist = { type: 'checklist' as const, id: 'c1', url: '/checklist/c1', title: '开办小商店', materials: [{ name: '身份证', originals: 1, copies: 1, usedBy: ['个体工商户设立登记'] }] };
    const [withUrl] = renderActivities([checklist], 'https://yici.example.gov.cn/');
    expect(withUrl!.attachments![0]!.content.actions).toEqual([{ type: 'Action.OpenUrl', title: '打开可打印的清单', url: 'https://yici.example.gov.cn/checklist/c1' }]);
    expect(JSON.stringify(withUrl)).toContain('身份证（原件 1 份，复印件 1 份）');
    const [without] = renderActivities([checklist], null);
    expect(without!.attachments![0]!.content.actions).toBeUndefined();
  });

  it('sends plain text and handoff notices as text, and reads back only our own submits', () => {
    expect(renderActivities([{ type: 'text', text: '您好' }, { type: 'handoff', status: 'queued', text: '已为您转人工' }], null)).toEqual([
      { type: 'message', text: '您好' },
      { type: 'message', text: '已为您转人工' },
    ]);
    expect(submittedChoice({ yiciChoice: 'flow:back' })).toBe('flow:back');
    expect(submittedChoice({ action: 'x' })).toBeNull();
    expect(submittedChoice('flow:back')).toBeNull();
    expect(submittedChoice({ yiciChoice: 'x'.repeat(201) })).toBeNull();
  });
});
