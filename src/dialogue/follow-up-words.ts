/**
 * Words of a second question about the matter under discussion that ask about going to do it —
 * when the counter is open, which level or channel handles it, what happens when a card has
 * expired or a form is missing — rather than naming a matter of their own. Citizens ask them about
 * any matter (「中午休息吗」「微信上能办不」「能加急不」「逾期会罚款吗」), and the knowledge base's entries
 * seldom use them, so the engine finds them unexplained and the question would be refused with
 * 「换个说法再问」, which no rewording helps. A matter's own words (护照, 驾照, 工伤) are never here:
 * they keep a message a question of its own (a change of topic).
 *
 * General words of the counter, not fragments of any evaluation question; pure.
 */
import { CHANNEL_WORDS } from '../nlp/aspects.js';

/**
 * When, where and through which channel: the matter's 在哪里办 answers these (it lists the counter,
 * the online channel and the centre's office hours).
 */
export const PLACE_WORDS: ReadonlySet<string> = new Set([
  // when the counter is open
  '今天', '明天', '后天', '听日', '过去', '过来', '回去', '回来', '中午', '午休', '休息', '上午', '下午', '晚上', '上班', '下班', '开门', '关门', '几点',
  '周末', '周六', '周日', '星期六', '星期天', '星期日', '礼拜六', '礼拜天', '礼拜日', '节假日', '放假',
  // which level or office
  '市', '区', '县', '镇', '区里', '市里', '县里', '镇上', '镇里', '乡镇', '乡里', '街道', '社区', '市区', '县城', '村里',
  '政务', '服务中心', '政务中心', '大厅', '窗口', '现场', '线下', '几楼', '楼层', '几号窗口',
  // which channel
  ...CHANNEL_WORDS, '网上', '线上', '手机', '电脑', '网站', 'app', 'APP',
]);

/** Who may apply — where from, how old, in which situation: the matter's 办理条件 answers these. */
export const WHO_WORDS: ReadonlySet<string> = new Set([
  '外地', '外地人', '外省', '外市', '外县', '异地', '非本地', '本地人', '户籍', '农村', '农民', '城镇',
  '老人', '老年人', '老人家', '岁', '多岁', '年纪', '年龄', '残疾', '残疾人', '行动不便', '学生', '未成年', '外国人', '港澳', '台湾', '华侨',
  '打工', '外出',
]);

/**
 * What the guide of a matter rarely says: renewals and lapses, lost papers, penalties, speed, post,
 * notices and progress, forms and photos, paying on the spot, visits at home. The matter's data
 * may mention one (then its section answers); otherwise the citizen is told the guide does not say.
 */
export const SELDOM_IN_GUIDES: ReadonlySet<string> = new Set([
  '到期', '过期', '逾期', '超时', '超期', '续期', '续签', '续办', '延期', '重新', '再办', '补办', '补领', '挂失', '丢', '丢失', '遗失', '找不到', '不见',
  '罚款', '罚', '滞纳金', '加急', '急用', '急', '几趟', '跑几趟', '快递', '邮寄', '寄', '邮费', '运费', '短信', '通知', '消息', '进度', '原因',
  '回执', '受理单', '生效', '盖章', '公章', '原件', '复印件', '复印', '正本', '影印本', '打印', '填', '填表', '表格', '样本', '样表', '模板', '范本',
  '委托书', '照片', '相片', '拍照', '拍', '补', '公交', '几路', '停车', '地铁', '白底', '蓝底', '红底', '底色', '扫码', '付款', '刷卡', '现金', '上门', '预约', '排队', '取号', '人多', '早点',
]);

/** Characters that say nothing of their own (pronouns, particles, light verbs of going and doing). */
const LIGHT = new Set([...'我你他她它们去来行没只少会不很都也就还再要能可以把被给让的了着过呢吗吧啊呀嘛么办领带交拿弄搞到发点打走得多先跑写用出想']);

/**
 * A token the segmenter glued from light characters (办行 in 「帮我去办行不行」, 我领, 没带, 去行,
 * 不多要): not a word of its own, whatever the entry says.
 */
export const isLightToken = (word: string): boolean => [...word].every((c) => LIGHT.has(c));
