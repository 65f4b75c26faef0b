/**
 * Citizens who need a person rather than a better search. They ask for one in their own words
 * (「找个人帮我」「能不能叫个人跟我说」「我要跟人说话」), say they cannot use a chat
 * (「我不识字」「不会打字」「眼睛不好看不清」), do not follow the answers (「看不懂」「你说的我听不懂」),
 * or say the bot has failed them (「你们这个机器人真没用」「我已经问了三遍了」). None of these is a
 * question to rephrase, nor a complaint for 12345. Pure; works on normalised text (nlp/normalize.ts:
 * simplified characters, no punctuation).
 */

/**
 * What such a message says: it cannot use the chat, does not follow it, the bot has failed it, or
 * it asks the bot to look up the citizen's own records (「帮我查下社保交了几年」), which it cannot.
 */
export type HelpNeed = 'cannot_use' | 'not_understood' | 'bot_failed' | 'lookup';

/** Longer messages tell a story or ask a question; a person asked for in one is not the ask. */
const MAX_CHARS = 20;

/** A person, as citizens name one: 人 (as a whole word here), 真人, 工作人员, 客服. */
const PERSON = '(?:人|真人|工作人员|客服|人工)';
/**
 * A person asked to help, talk or explain: 「找个人帮我」「叫个人跟我说」「有没有人帮我弄一下」
 * 「我要跟人说话」. 「让别人帮我去办」 (someone else doing it for the citizen), 「有没有人管」 (a
 * complaint) and 「找人代办」 are not: the person must be found, called or talked to here, for help.
 */
const PERSON_ASKED = [
  new RegExp(`(?:找|叫|喊|派|来)(?:一)?(?:个|位)?${PERSON}(?:来)?(?:帮|教|问|说|讲|聊|跟|和|给我|过来|指导|接待)`, 'u'),
  new RegExp(`(?:找|叫|喊)(?:一)?(?:个|位)?${PERSON}(?:来|过来)?(?:吧|吗|呀|啊)?$`, 'u'),
  new RegExp(`有没有${PERSON}(?:在|能|可以|来)?(?:帮|教|跟我|给我讲|说一下|讲一下|接待)`, 'u'),
  new RegExp(`(?:跟|和|同|与)${PERSON}(?:说|讲|聊|谈|通话|沟通|对话)`, 'u'),
  // A call asked for: 「有人能打给我吗」「给我回个电话」.
  /打(?:个)?电话给我|给我(?:打|回)(?:个)?电话|回(?:个)?电话给我|(?:人|工作人员|客服)(?:能|可以)?打给我/u,
];

/** Does the citizen ask, in their own words, for a person to help them? */
export function asksForPersonInWords(norm: string): boolean {
  const text = norm.replace(/\s+/gu, '');
  if (text.length === 0 || [...text].length > MAX_CHARS) return false;
  return PERSON_ASKED.some((p) => p.test(text));
}

/** Cannot read, type or see well enough to use a chat, or cannot work it. */
const CANNOT_USE = /不识字|唔识字|不认字|不认识字|不会打字|打不了字|不会写字|不会拼音|不会用(?:手机|电脑|网|这个|这些|微信)?|不会上网|不会弄|不会操作|不会搞|弄不来|搞不来|看不清|眼睛不好|眼神不好|眼花|没文化|文化不高|没读过书/u;
/** Does not follow what the bot said. Whole short messages only: 「…的证明是什么意思」 is a question. */
const NOT_UNDERSTOOD = /^(?:我|我们)?(?:还是|完全|根本|有点|都)?(?:看|听|搞|弄|读)(?:不|没)(?:懂|明白|明|清楚)(?:你|您)?(?:在)?(?:说|讲|写)?(?:的)?(?:是)?(?:什么|啥)?(?:意思)?$|^(?:你|您)?(?:说|讲|写)的(?:是)?(?:什么|啥)(?:意思)?$|^(?:你|您)(?:说|讲|写)的(?:我|我们)(?:看|听)?(?:不|没)(?:懂|明白)$|^什么意思$|^啥意思$|^不明白$|^不懂$/u;
/** Says the bot has failed: names the bot (or what it does) with a failure, or counts the asking. */
const BOT = /机器人|智能客服|小助手|你们这个|你这个|回答|答案|回复/u;
const FAILED = /没用|没有用|不管用|不好用|太差|好差|真差|智障|垃圾|废物|不靠谱|不对|乱答|乱回|答不上|什么都不知道|啥都不知道|一问三不知/u;
const ASKED_AGAIN = /(?:问|说)了(?:好|有)?(?:几|两|三|四|五|六|七|八|九|十|很多|多少|\d+)(?:遍|次|回)|答非所问|牛头不对马嘴|不是我(?:要)?问的|人工智障/u;

/**
 * The citizen's own records asked to be looked up: 「帮我查下社保交了几年」「查一下我的公积金余额」
 * 「我的营业执照办到哪了」. 「怎么查社保缴费记录」 asks how, and is a question. Asked of the bot itself
 * (帮我查, 你能查, 查我的: LOOKUP_OF_BOT), or whether one can (能不能查: LOOKUP_ASKED, which needsHelp
 * also takes for a lookup when no guide answers).
 */
const OF_BOT = '(?:帮我|给我|帮忙|麻烦你?|你(?:能|可以))';
const LOOK_UP = '(?:查|查询|查一下|查下|查查|看下|看一下|看看)';
const OF_MINE = '(?:查|查询)(?:一下|下)?我(?:的|家|们)';
const LOOKUP_OF_BOT = new RegExp(`${OF_BOT}${LOOK_UP}|${OF_MINE}`, 'u');
const LOOKUP_ASKED = new RegExp(`(?:${OF_BOT}|能不能|可不可以)${LOOK_UP}|${OF_MINE}`, 'u');
const RECORD = /社保|医保|公积金|养老金|养老保险|缴费|余额|记录|进度|到账|交了几年|交了多少|几年了|审批|结果|状态/u;
const PROGRESS = /(?:我的|我家).{0,8}(?:办到哪|审批到哪|进度|到账了没|批下来了没|下来没有)|办到哪一步|办到哪了/u;

/** A person's own record, not a matter (帮我查下公积金提取要什么材料 asks about the matter). */
const OWN_RECORD = /余额|记录|明细|到账|交了几年|交了多少|交了没|交咗未|几年了|缴费年限|办到哪|进度/u;

/**
 * Whether the message asks the bot itself to look up the citizen's own records or progress (「帮我查下
 * 社保交了几年」「麻烦你查一下我的公积金余额」) — which no guide holds, whatever words a guide shares
 * with it: the dialogue asks this before answering. Not a question about progress alone (「办到哪一步
 * 了在哪看」 after a matter asks where that matter's progress is shown). Short messages only, as needsHelp.
 */
export function asksToLookUp(norm: string): boolean {
  const text = shortMessage(norm);
  return text !== null && LOOKUP_OF_BOT.test(text) && OWN_RECORD.test(text);
}

/** The message without spaces — null when empty or longer than MAX_CHARS (numbers, an ID or phone masked or not, count as one). */
function shortMessage(norm: string): string | null {
  const text = norm.replace(/\s+/gu, '');
  return text.length > 0 && [...text.replace(/[\d*＊xX]+/gu, '#')].length <= MAX_CHARS ? text : null;
}

/**
 * What a message that no entry answers says about the citizen's need for a person — or null. The
 * dialogue asks this only when the search answers nothing, so 「社保卡不会用」 stays a question when
 * an entry answers it.
 */
export function needsHelp(norm: string): HelpNeed | null {
  // Numbers (an ID or phone number, masked or not) do not make a message a story.
  const text = shortMessage(norm);
  if (text === null) return null;
  if (ASKED_AGAIN.test(text) || (BOT.test(text) && FAILED.test(text))) return 'bot_failed';
  if ((LOOKUP_ASKED.test(text) && RECORD.test(text)) || PROGRESS.test(text)) return 'lookup';
  if (CANNOT_USE.test(text)) return 'cannot_use';
  if (NOT_UNDERSTOOD.test(text)) return 'not_understood';
  return null;
}
