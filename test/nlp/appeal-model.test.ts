import { describe, expect, it, vi } from 'vitest';
import { appealFeatures, trainAppealModel } from '../../src/nlp/appeal-model.js';
import { appealWhenRefused } from '../../src/nlp/appeal.js';
import { appealModel, prepareAppealModel, readRefusedAppeal } from '../../src/dialogue/appeal-reading.js';

describe('the 诉求 model (naive Bayes over character pairs)', () => {
  const model = trainAppealModel({
    complaint: ['楼下每天很吵睡不着', '垃圾很臭没人清', '路灯坏了好黑'],
    report: ['有人偷偷排污水', '无证诊所给人打针'],
    suggestion: ['希望多开几个窗口', '公园可以多种树'],
    thanks: ['窗口大姐服务很好', '工作人员很耐心'],
    question: ['身份证怎么补办', '社保卡去哪里办', '结婚要带什么材料', '营业执照多少钱'],
  });

  it('reads the kind a message is worded like, with odds against a question', () => {
    expect(model.read('隔壁装修很吵睡不着')).toMatchObject({ kind: 'complaint' });
    expect(model.read('隔壁装修很吵睡不着')!.odds).toBeGreaterThan(0);
    expect(model.read('户口本怎么补办')!.odds).toBeLessThan(0);
    // Nothing it has seen: no reading.
    expect(model.read('qwxz')).toBeNull();
  });

  it('features are the normalised characters and their pairs (traditional read as simplified)', () => {
    expect(appealFeatures('吵！鬧')).toEqual(['吵', '闹', '吵闹']);
  });
});

describe('appealWhenRefused with a model', () => {
  const says = (kind: 'complaint' | 'thanks', odds: number) => ({ read: () => ({ kind, odds }) });
  it('takes the model’s reading for a statement no cue word marks, above the odds it needs', () => {
    expect(appealWhenRefused('奶茶店里面好多苍蝇', says('complaint', 0.5))).toBe('complaint');
    expect(appealWhenRefused('奶茶店里面好多苍蝇', says('complaint', -0.5))).toBeNull();
    expect(appealWhenRefused('奶茶店里面好多苍蝇')).toBeNull();
    // Thanks only with a word of thanks or praise: 「你们效率太低了」 is never answered 不客气.
    expect(appealWhenRefused('你们效率太低了', says('thanks', 1))).toBeNull();
    // Not understanding is help wanted, not a complaint.
    expect(appealWhenRefused('看不懂', says('complaint', 1))).toBeNull();
  });

  it('never for a question, a request, other kinds of questions, typed pinyin or a few words', () => {
    for (const t of ['奶茶店有苍蝇怎么办', '给我找一家奶茶店', '谁发明了奶茶', 'naicha dian you cangying', '人走不开']) {
      expect(appealWhenRefused(t, says('complaint', 5)), t).toBeNull();
    }
  });
});

describe('the shipped model (dialogue/appeal-reading.ts)', () => {
  it('is trained a few milliseconds at a time: the event loop turns while it trains', async () => {
    vi.resetModules();
    const fresh = await import('../../src/dialogue/appeal-reading.js');
    let turns = 0;
    let training = true;
    const tick = (): void => {
      turns++;
      if (training) setImmediate(tick);
    };
    setImmediate(tick);
    await fresh.prepareAppealModel(2);
    training = false;
    expect(turns).toBeGreaterThan(10);
  });

  it('trains in slices, then reads complaints and praise no cue word marks, and leaves questions alone', async () => {
    await prepareAppealModel(2);
    expect(appealModel()).toBe(appealModel());
    expect(readRefusedAppeal('广场舞的音响每晚开到好大声，老人小孩都睡不好')).toBe('complaint');
    expect(readRefusedAppeal('护照过期了怎么换新的')).toBeNull();
    expect(readRefusedAppeal('我打算在河边开个农家乐')).toBeNull();
  });
});
