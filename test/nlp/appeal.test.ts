import { describe, expect, it } from 'vitest';
import { appealWhenRefused, classifyMessage } from '../../src/nlp/appeal.js';

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

  it('reads a letter about the service at a counter as a complaint, and a letter that asks for an answer (恳请解答) as a question', () => {
    const complaint =
      '尊敬的领导：本人上周二上午在政务服务中心二楼办理业务时，窗口工作人员中途离岗半个多小时，后面排队的群众只能长时间等候，现场也无人解释。望贵单位加强管理。';
    expect(classifyMessage(complaint)).toMatchObject({ appeal: 'complaint', long: true });
    const asking =
      '尊敬的人社局领导：本人在企业工作，明年到退休年龄，但养老保险累计缴费只有十三年。请问缴费不满十五年的，能否继续缴费到满十五年再领养老金？恳请解答。';
    expect(classifyMessage(asking)).toMatchObject({ appeal: null, long: true });
    // Without the courtesy that asks for an answer, a plea to a leader stays a complaint.
    expect(classifyMessage(asking.replace('恳请解答', '恳请领导重视'))).toMatchObject({ appeal: 'complaint' });
  });
});

describe('classifyMessage: letters that ask nothing, and thanks for what was done', () => {
  it('takes a thank-you letter that only tells a story for thanks, whatever matter it names', () => {
    const letter =
      '去年我父亲办退休，社保窗口的李姐一遍遍教他怎么在手机上做认证，前后跑了好几趟都不嫌烦。现在退休金每个月按时到账，我们一家都很感激。谢谢人社局的同志们！';
    expect(classifyMessage(letter)).toMatchObject({ appeal: 'thanks', long: true });
  });

  it('takes a letter that ends by asking a body to act for a complaint, or a report when it reports', () => {
    const complaint =
      '小区门口那家快餐店天天开到半夜，桌椅摆满人行道，老人推轮椅都过不去，跟店主说了几次也不改，也不知道他的营业执照是怎么批下来的。希望城管部门尽快处理。';
    expect(classifyMessage(complaint)).toMatchObject({ appeal: 'complaint', long: true });
    const report =
      '我们镇上有个人没有任何资质，在自家堂屋里给人拔牙镶牙，用的器械看着就不干净，上个月邻居拔完牙发炎住了院，这种私自行医太危险了。请卫健局去查处。';
    expect(classifyMessage(report)).toMatchObject({ appeal: 'report', long: true });
    const toUs =
      '我在一家装修公司干了八个月，老板一直拖着不给签劳动合同，工资也总是晚发半个月，问他就说下个月一起算。我们好几个工友都是这样。请你们督促一下这家公司。';
    expect(classifyMessage(toUs)).toMatchObject({ appeal: 'complaint', long: true });
  });

  it('reads past a story’s embedded words (要带她, 请教育局, 还是免费刻的) and a body asked twice over (尽快来查一下)', () => {
    const cases: [string, 'thanks' | 'complaint'][] = [
      ['谢谢社区的同志。我妈瘫痪多年，以前每次复查都要带她坐两个钟头的车，今年医生直接上门看了，还顺便把护理补贴的手续办好了。我们全家都很感激你们。', 'thanks'],
      ['我家孩子读的小学让每个学生交两百块买校服，不买就不让参加升旗仪式，家长群里好多人都敢怒不敢言。这样强制收费合规吗？请教育局查一查。', 'complaint'],
      ['镇上有家药店没有执业药师也照样卖处方药，前几天有个老人买错药吃出了问题，家里人找上门去还被骂了一顿。请市场监管部门尽快来查一下。', 'complaint'],
      ['我对婚姻登记处一位工作人员有意见。上周我们去办手续，她当着后面排队的好多人大声问我们的私事，让人很不舒服。这种事能不能小声点问？希望加强培训。', 'complaint'],
      ['上周去办营业执照，从交材料到拿执照只用了半天，印章还是免费刻的，窗口的小姑娘还一样一样教我在手机上领发票，比我想的快多了，以前在外地开店跑了好几趟。谢谢你们！', 'thanks'],
    ];
    for (const [text, kind] of cases) expect(classifyMessage(text).appeal, text).toBe(kind);
    // A question that ends by hoping for a reply stays a question.
    expect(classifyMessage('我妈的残疾证下个月就到期了，她腿脚不方便，家里就我一个人照顾她。换证要带什么材料？希望尽快回复，谢谢。').appeal).toBeNull();
  });

  it('takes praise in everyday words (给你们点个赞) at the end of a story for thanks', () => {
    const praise = '前几天去给孩子办入学登记，房产和户口都是网上核验的，交完材料十分钟就弄好了，以前听邻居说要跑好几个部门。现在真的方便多了，给你们点个大大的赞！';
    expect(classifyMessage(praise)).toMatchObject({ appeal: 'thanks', long: true });
  });

  it('keeps a long message a question when it asks, wants something or asks in any words', () => {
    for (const q of [
      '您好 麻烦问一下 我妈今年满60了 以前在厂里交了十几年社保 厂子改制后她一直自己续着交 现在到年纪了 退休金要怎么去领啊 她不会用手机 谢谢您了',
      '我想给我爸办个残疾证，他前年中风以后左边手脚都不灵活了，走路要人扶，家里人商量了好久，社区的同志也说可以办，麻烦你们了，谢谢。',
      '我是在外地打工的，孩子跟着爷爷奶奶在老家读书，今年要升初中了，老人不识字也不会用手机，学校那边说要网上报名，这个报名是不是一定要家长本人来弄。谢谢。',
    ]) {
      expect(classifyMessage(q).appeal, q).toBeNull();
    }
  });

  it('takes a short thanks for what was done for thanks, and leaves a thanks with a question or a bare topic alone', () => {
    expect(classifyMessage('谢谢你们，上次帮我妈办的残疾证很快就拿到了').appeal).toBe('thanks');
    for (const q of ['残疾证办好了 谢谢 下一步去哪领补贴', '退休手续，谢谢', '谢谢，已经看到了，那要带户口本吗', '谢谢 我想问下上次说的材料']) {
      expect(classifyMessage(q).appeal, q).toBeNull();
    }
  });
});

describe('appealWhenRefused (a message nothing answers, read again as a 诉求)', () => {
  it('takes a problem described, or someone asked to act, for a complaint', () => {
    for (const t of ['下水道堵了，一下雨整条街都浸水', '我们村的自来水黄黄的，能不能派人来检测一下', '小区垃圾几天没人收，臭到不得了', '工地晚上十二点还在打桩，吵得睡不着，请管一管']) {
      expect(appealWhenRefused(t), t).toBe('complaint');
    }
  });

  it('keeps a report’s words a report, and a suggestion offered as one a suggestion', () => {
    expect(appealWhenRefused('有人在河边私自倒建筑垃圾')).toBe('report');
    expect(appealWhenRefused('我想提个建议：12345热线能不能也支持粤语')).toBe('suggestion');
  });

  it('takes a wish or an idea for the city for a suggestion, and exasperation for a complaint', () => {
    expect(appealWhenRefused('希望政务中心多开几个窗口，排队太久了')).toBe('suggestion');
    expect(appealWhenRefused('希望学校周边多安排交警维持秩序')).toBe('suggestion');
    expect(appealWhenRefused('排了两个钟头都没轮到，窗口就开两个，太离谱了')).toBe('complaint');
    // A question that mentions running around is still a question.
    expect(appealWhenRefused('听说入学的事可以一起办，报名、学籍这些是不是一次就行，不用跑来跑去')).toBeNull();
    // Asking the bot for something is a request, not a wish for the city.
    expect(appealWhenRefused('有的，最好是消费在150-500元之间的，给我找一家')).toBeNull();
  });

  it('tells thanks to the staff (a 诉求) from thanks to the bot (a courtesy)', () => {
    expect(appealWhenRefused('感谢不动产窗口的小李，耐心帮我弄了一个多小时')).toBe('thanks');
    expect(appealWhenRefused('谢谢你们的服务，很满意')).toBe('thanks');
    expect(appealWhenRefused('谢谢你啊，问题解决了')).toBe('courtesy');
  });

  it('leaves questions, requests and advice asked for as they are', () => {
    for (const t of [
      '想查一下男朋友以前有没有结过婚，民政局能帮查吗？',
      '厂里一直没给我交社保，现在还能补交吗？',
      '你好，帮我找一个评分在4分以上的餐馆，谢谢。',
      '你建议我办个体户还是公司？',
      '护照过期了怎么换新的',
      '我想办个护照',
      '房东不退押金，我该去哪里申请仲裁',
    ]) {
      expect(appealWhenRefused(t), t).toBeNull();
    }
  });
});
