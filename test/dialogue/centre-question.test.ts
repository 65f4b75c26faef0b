import { describe, expect, it } from 'vitest';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { centreQuestion } from '../../src/dialogue/centre-question.js';
import { initialState, step } from '../../src/dialogue/step.js';
import { createEngine } from '../../src/knowledge/engine.js';
import { FIXTURE_FILES, fixtureKb } from '../helpers/fixture-kb.js';
import { normalize } from '../../src/nlp/normalize.js';

const asked = (text: string, alone = true) => centreQuestion(normalize(text), alone);

describe('centreQuestion: questions about the service centre itself', () => {
  it('reads what is asked about the centre: hours, place, phone', () => {
    expect(asked('政务服务中心几点下班')).toEqual(['hours']);
    expect(asked('国庆放假政务大厅上不上班')).toEqual(['hours']);
    expect(asked('你们周六上班吗')).toEqual(['hours']);
    expect(asked('行政服务中心怎么走')).toEqual(['place']);
    expect(asked('政务中心地址在哪，坐几路公交可以到')).toEqual(['place']);
    expect(asked('政务中心的咨询电话是多少')).toEqual(['phone']);
    expect(asked('政務服務中心幾點開門，喺邊度')).toEqual(['hours', 'place']);
  });

  it('the opening hours asked alone are the centre’s only when no matter is under discussion', () => {
    expect(asked('办公时间')).toEqual(['hours']);
    expect(asked('几点上班？')).toEqual(['hours']);
    expect(asked('几点上班？', false)).toBeNull();
    expect(asked('窗口在几楼', true)).toBeNull();
  });

  it('so is a phone number asked alone: 「电话多少」「能打电话问吗」', () => {
    expect(asked('电话多少')).toEqual(['phone']);
    expect(asked('有没有咨询电话')).toEqual(['phone']);
    expect(asked('能打电话问吗')).toEqual(['phone']);
    expect(asked('电话多少', false)).toBeNull();
    expect(asked('电话费怎么交')).toBeNull();
    expect(asked('能打电话预约吗')).toBeNull();
  });

  it('is not a question about the centre when nothing about it is asked, or the message is a story', () => {
    expect(asked('政务中心可以刷医保卡买水吗')).toBeNull();
    expect(asked('你们是机器人吗')).toBeNull();
    expect(asked('政务中心办营业执照要多长时间')).toBeNull();
    expect(asked('工作人员上班时间玩手机，我排了好久他都不理')).toBeNull();
    expect(asked('政务大厅的工作人员上班时间一直在玩手机，我排队排了一个多小时都没人理，太过分了')).toBeNull();
    expect(asked('不动产中心在哪里')).toBeNull();
    expect(asked('今晚足球比赛几点直播')).toBeNull();
  });
});

describe('the centre answered from the settings', () => {
  const withSettings = (settings: string) =>
    createEngine(fixtureKb([{ path: 'settings.yaml', content: settings }, ...FIXTURE_FILES.filter((f) => f.path !== 'settings.yaml')]), createJiebaTokenizer(), { gate: null });
  const reply = (engine: ReturnType<typeof withSettings>, text: string) => {
    const r = step(initialState(), { text }, { engine });
    return { events: r.events, text: r.replies.map((x) => ('text' in x ? x.text : '')).join('\n') };
  };

  it('says what was asked first, the centre’s own phone when it has one, and no caution when everything is confirmed', () => {
    const engine = withSettings(`
city: 测试市
province: 测试省
centre: { name: 测试市政务服务中心, address: 测试路1号, hours: 周一至周五 9:00-17:00, phone: 0000-1111111 }
hotline: { number: 0000-12345, name: 12345 热线 }
officeHours: Mon-Fri 09:00-17:00
`);
    const r = reply(engine, '政务中心电话多少');
    expect(r.events).toEqual([{ type: 'centre_info', asked: ['phone'] }]);
    expect(r.text.startsWith('测试市政务服务中心电话：0000-1111111；也可以拨打12345 热线 0000-12345。')).toBe(true);
    expect(r.text).toContain('测试市政务服务中心办公时间：周一至周五 9:00-17:00。');
    expect(r.text).toContain('测试市政务服务中心地址：测试路1号。');
    expect(r.text).not.toContain('以窗口最新告知为准');
  });

  it('names what the city has not confirmed, with the caution', () => {
    const r = reply(withSettings(FIXTURE_FILES.find((f) => f.path === 'settings.yaml')!.content), '你们在哪里');
    expect(r.events).toEqual([{ type: 'centre_info', asked: ['place'] }]);
    expect(r.text.startsWith('测试市政务服务中心地址：测试路1号。')).toBe(true);
    expect(r.text).toContain('以上地址尚待本地确认，以窗口最新告知为准。');
  });
});
