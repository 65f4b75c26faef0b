/**
 * Questions about the government service centre itself — where it is, when it is open, its phone
 * number — rather than about a matter done there: 「政务中心几点下班」「你们在哪里」「政务大厅电话多少」.
 * They are answered from the city's settings (knowledge/settings.yaml › centre, hotline), never
 * from an entry. Pure; works on normalised text (nlp/normalize.ts: simplified, no punctuation).
 */

/** What a question about the centre asks: its opening hours, where it is, how to reach it by phone. */
export type CentreAsk = 'hours' | 'place' | 'phone';

/**
 * Names citizens use for the centre (and 你们, the bot speaking for it). Local centres of one
 * department (不动产中心, 公积金中心) are not these: a question about them is a matter's.
 */
const CENTRE_NAMES = /政务服务中心|政务服务大厅|政务中心|政务大厅|行政服务中心|行政审批中心|市民服务中心|市民中心|便民服务中心|办事大厅|办证大厅|服务大厅|你们/u;

const ASKED: Record<CentreAsk, RegExp> = {
  hours: /几点|上班|下班|开门|关门|营业时间|办公时间|工作时间|开放时间|周末|周六|周日|星期[六天日]|礼拜[六天日]|节假日|假期|放假|春节|国庆|中午|午休|晚上/u,
  place: /在哪|哪里|哪儿|边度|地址|位置|地点|怎么去|怎么走|几路|公交|地铁|停车|导航|几楼/u,
  phone: /电话|热线|号码|联系方式|怎么联系/u,
};

/** The message asks something (not a complaint that mentions the centre's opening hours). */
const ASKS = /[吗呢么嘛]$|怎|哪|什么|啥|几|多少|是否|能不能|可不可以|有没有|是不是|边度|[上下开]不[上下开]|请问|时间$|地址$|电话$|号码$|位置$/u;

/** Longer messages are letters or stories: the centre named in one is not what is asked. */
const MAX_CHARS = 24;

/**
 * Without a name for the centre, only the opening hours or a phone number asked alone, as a whole
 * message, are about it: 「办公时间」「几点上班」 (with no matter under discussion — the dialogue
 * decides that).
 */
const HOURS_ALONE = /^(?:请问)?(?:办公时间|上班时间|工作时间|开放时间|几点上班|几点下班|几点开门|几点关门)(?:是)?(?:几点|什么时候|多少|怎样|怎么样)?(?:到几点)?(?:呢|啊|呀)?$/u;

/** The same for a phone number: 「电话多少」「有没有咨询电话」「能打电话问吗」. */
const PHONE_ALONE = /^(?:请问)?(?:有没有|有)?(?:咨询|联系|办事)?(?:电话|热线)(?:号码|号)?(?:是)?(?:多少|几号|什么)?(?:呢|啊|呀)?$|^(?:请问)?(?:能|可以|能不能|可不可以)(?:打)?电话(?:问|咨询|联系)?(?:吗|不)?$/u;

/**
 * What a message asks about the service centre, in the order hours, place, phone — or null when
 * it is not a question about the centre. `alone`: whether a question naming no centre may be one
 * (the dialogue passes true when no matter is under discussion).
 */
export function centreQuestion(norm: string, alone: boolean): CentreAsk[] | null {
  const text = norm.replace(/\s+/gu, '');
  if (text.length === 0 || [...text].length > MAX_CHARS) return null;
  if (!CENTRE_NAMES.test(text)) return !alone ? null : HOURS_ALONE.test(text) ? ['hours'] : PHONE_ALONE.test(text) ? ['phone'] : null;
  if (!ASKS.test(text)) return null;
  // What is asked, once the centre's name is taken out (服务中心 itself says 中心, not 时间).
  const rest = text.replace(new RegExp(CENTRE_NAMES.source, 'gu'), ' ');
  const asked = (Object.keys(ASKED) as CentreAsk[]).filter((k) => ASKED[k].test(rest));
  return asked.length > 0 ? asked : null;
}
