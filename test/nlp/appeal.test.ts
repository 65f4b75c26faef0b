import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/nlp/appeal.js';

describe('classifyMessage (诉求)', () => {
  it('recognises thanks, complaints, reports and suggestions', () => {
    expect(classifyMessage('致西地省第二人民医院医生的感谢信').appeal).toBe('thanks');
    expect(classifyMessage('我要投诉窗口工作人员态度差').appeal).toBe('complaint');
    expect(classifyMessage('举报某小区有人违建').appeal).toBe('report');
    expect(classifyMessage('建议在公交站增设候车亭').appeal).toBe('suggestion');
  });

  it('takes a question as a question, even with a weak cue or an advice word in it', () => {
    for (const q of ['个体户营业执照怎么办', '谢谢，那要多少钱', '你建议我办个体户还是公司？', '身份证丢了怎么补办', 'K9县坐公交车要2元？']) {
      expect(classifyMessage(q).appeal, q).toBeNull();
    }
  });

  it('reads a long letter by its weak cues and a long story by the question in it', () => {
    const letter =
      '尊敬的领导：我们小区门口的道路坑洼不平已经半年多了，下雨天积水严重，老人小孩出行非常不便，多次反映都没有结果，恳请相关部门尽快解决。';
    expect(classifyMessage(letter)).toMatchObject({ appeal: 'complaint', long: true });
    const story =
      '我老家是藤县的，去年来梧州打工，现在在市区租了个小铺面，想自己一个人做点小生意，卖些日用品和饮料零食。请问开小卖部要办什么证？';
    const m = classifyMessage(story);
    expect(m).toMatchObject({ appeal: null, long: true });
    expect(m.ask).toBe('请问开小卖部要办什么证?');
  });
});
