/**
 * What a question asks about (materials, fee, time …), detected with a naive Bayes classifier
 * from `natural` over segmented words. Only words seen in the training phrases count as cues;
 * a question with no cue is `general` (an overview answer).
 */
// natural's naive Bayes classifier module alone (typed in natural-bayes.d.ts from the index.d.ts
// natural ships), not the package's top-level index: that one loads natural's storage back ends
// (mongoose, pg, redis), whose dotenv reads `.env` into process.env and prints to stdout at every
// start — measured +110 MB RSS and ~1.5 s of CPU per process (issue 12, item 9). Nor the
// classifiers' index: it also loads the MaxEnt classifier and its part-of-speech lexicon, which
// cost ~100 ms and ~38 MB at every start (issue 16) for a class this module never uses.
import BayesClassifier from 'natural/lib/natural/classifiers/bayes_classifier.js';

export const ASPECTS = [
  'general',
  'materials',
  'conditions',
  'steps',
  'time',
  'fee',
  'place',
  'legal',
  'explain',
] as const;
export type Aspect = (typeof ASPECTS)[number];

/** Training phrases, already segmented by spaces so the classifier does not depend on jieba's dictionary. */
const TRAINING: Record<Exclude<Aspect, 'general'>, string[]> = {
  materials: [
    '要 带 什么 材料', '需要 什么 材料', '准备 啥 资料', '材料 清单', '要 哪些 证件', '带 什么 东西 去',
    '资料 有 哪些', '要 交 什么', '提交 什么 材料', '要 不要 带 户口本', '需要 复印件 吗', '原件 复印件',
    '材料 要 几份', '要 带 身份证 吗', '所需 材料', '证明 材料', '申请 材料', '要 准备 什么',
  ],
  conditions: [
    '什么 条件', '条件 是 什么', '能 不能 办', '符合 什么 条件', '谁 可以 申请', '有 什么 要求', '够 不够 资格',
    '满足 条件', '办理 条件', '申请 条件', '可以 办 吗', '有 资格 吗', '外地人 能 办 吗', '外地 能 办 吗', '异地 能 办 吗', '多大 年龄 可以',
    '受理 条件', '要求 是 什么',
  ],
  steps: [
    '流程 是 什么', '办理 流程', '步骤', '怎么 操作', '程序', '先 做 什么 后 做 什么', '具体 流程', '办事 流程',
    '网上 怎么 申请', '怎么 申请', '申请 流程', '第一步', '操作 步骤', '怎么 走 流程',
  ],
  time: [
    '要 多久', '多长 时间', '几天 能 办好', '什么 时候 拿到', '时限', '多久 出证', '几个 工作日', '当天 能 拿 吗',
    '办结 时间', '要 等 多久', '多久 能 下来', '几天', '时间 多长', '什么 时候 办', '期限 多久', '有效期 多久',
  ],
  fee: [
    // jieba keeps 要钱, 收钱, 花钱 and 交钱 whole: each rides in a phrase of its own words.
    '多少 钱', '收费 吗 收钱', '要 钱 吗 要钱', '费用', '收 多少 费', '免费 吗', '工本费', '花 多少 钱 花钱', '贵 不 贵', '要 交 钱 吗 交钱',
    '收费 标准', '收不收费', '价格', '多少钱',
  ],
  place: [
    '在 哪里 办', '去 哪 办', '地址', '哪个 窗口', '在 哪儿', '哪里 可以 办', '办理 地点', '网上 能 办 吗', '可以 网上 办 吗',
    '线上 办理', '在 哪 申请', '去 哪个 部门', '哪个 部门 管', '电话 多少', '几点 上班', '上班 时间', '办公 时间', '地点',
  ],
  legal: [
    '依据 是 什么', '法律 依据', '哪个 文件 规定', '政策 依据', '根据 什么 规定', '有 什么 规定', '哪条 法律', '法规',
    '文件 号', '设定 依据', '条例 规定',
  ],
  explain: [
    '是 什么', '什么 意思', '是 啥', '怎么 理解', '有 什么 用', '干 什么 用', '为什么 要 办', '区别 是 什么', '有 什么 区别',
    '是 什么 东西', '解释 一下', '什么 叫',
  ],
};

/** Channels other than the counter, by name (the dialogue's words of where include them). */
export const CHANNEL_WORDS: readonly string[] = ['微信', '支付宝', '小程序', '公众号', '智桂通', '桂通办', '自助机', '手机上'];

/**
 * Words of going to the counter that no training phrase carries: a question with one of them and
 * no cue of the classifier asks that aspect. 周末 / 预约 / 排队 are where and when to go (在哪里办
 * gives the counter and the centre's office hours), 照片 / 表格 what to bring, 代办 / 委托 who may
 * apply, 手续费 what it costs. A rule, not more training phrases: phrases carrying 办 / 能 / 吗 with
 * them moved other aspects' questions (「办这个要花钱吗」 read as place; a fee phrase with 手续费 moved
 * it too) — the naive Bayes model has too few phrases to absorb them. 老人 is left out: in a first
 * question it describes a situation (「家里老人想办社保卡」 wants the overview, not the conditions).
 */
const COUNTER_WORDS: readonly (readonly [Aspect, readonly string[]])[] = [
  // Which day, and which channel (「微信上能办不」: the 在哪里办 section lists the online channels).
  ['place', ['周末', '周六', '周日', '星期六', '星期天', '星期日', '节假日', '预约', '排队', '取号', ...CHANNEL_WORDS]],
  ['materials', ['照片', '相片', '表格']],
  ['conditions', ['代办', '委托']],
  ['fee', ['手续费']],
];

/**
 * Phrases that say the aspect outright, whatever else the question says: paying (给钱, 付钱 —
 * 「使唔使俾钱」 reads 要不要给钱), how many days, which day or when it comes (「多少天」「哪天能拿」「几时可以攞」, read 什么时候可以领), what comes next
 * (「下一步做什么」「接下来呢」). Checked on the segmented words joined, before the classifier: more
 * training phrases were tried and moved other aspects' held-out questions (docs/benchmarks.md).
 */
const DECIDING: readonly (readonly [Aspect, RegExp])[] = [
  ['fee', /给钱|付钱|交钱|收钱|要钱|花钱|钱怎么(?:给|交|付)/u],
  ['time', /多少天|几多天|哪天|哪一天|几号(?:能|可以)?(?:拿|领)|什么时候(?:可以|能)?(?:领|拿|到账|发|下来|出来)/u],
  ['steps', /下一步|接下来|然后呢|之后呢|然后(?:要|该)?(?:做|干|办)什么/u],
];

export interface AspectDetector {
  detect(words: readonly string[]): Aspect;
}

export function createAspectDetector(): AspectDetector {
  const classifier = new BayesClassifier();
  const cues = new Set<string>();
  for (const [aspect, phrases] of Object.entries(TRAINING)) {
    for (const phrase of phrases) {
      const tokens = phrase.split(' ');
      tokens.forEach((t) => cues.add(t));
      classifier.addDocument(tokens, aspect);
    }
  }
  classifier.train();
  // Words common to many aspects are not cues on their own.
  // 不 is a negation (「也不卖烟」), not a fee question, though 「贵 不 贵」 is one.
  for (const weak of ['是', '什么', '要', '吗', '能', '不能', '可以', '办', '的', '有', '怎么', '哪', '去', '在', '多', '不']) cues.delete(weak);
  return {
    detect(words) {
      const joined = words.join('');
      const decided = DECIDING.find(([, re]) => re.test(joined));
      if (decided) return decided[0];
      const cueWords = words.filter((w) => cues.has(w));
      if (cueWords.length === 0) return COUNTER_WORDS.find(([, ws]) => words.some((w) => ws.includes(w)))?.[0] ?? 'general';
      return classifier.classify(words.filter((w) => w.trim().length > 0)) as Aspect;
    },
  };
}

/** Every word used as an aspect cue; retrieval ignores them when judging how much of a question an entry explains. */
export const ASPECT_WORDS: ReadonlySet<string> = new Set([
  ...Object.values(TRAINING)
    .flat()
    .flatMap((p) => p.split(' '))
    .filter((w) => w.length >= 2 && !['户口本', '身份证', '外地人', '网上', '线上'].includes(w)),
  ...COUNTER_WORDS.flatMap(([, ws]) => ws),
]);
