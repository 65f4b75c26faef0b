/**
 * Words that carry no information about *which* matter is meant: function words, question
 * words and politeness. Aspect words (材料, 多少钱 …) are listed separately in aspects.ts.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    '我 你 您 他 她 它 我们 你们 他们 咱 俺 自己 的 地 得 了 着 过 吗 嘛 呢 啊 呀 吧 哦 哈 噢 喔 呐 啦 么 哇 嗯 唉 ' +
    '是 在 有 没 没有 和 与 跟 或 或者 及 以及 还 还是 也 都 就 才 又 再 很 太 更 最 挺 比较 ' +
    '要 想 想要 打算 准备 能 能不能 可以 可不可以 可能 会 应该 该 必须 需 得要 ' +
    '怎么 怎么办 怎么样 怎样 如何 咋 咋办 咋弄 啥 什么 什么样 哪 哪个 哪些 哪儿 哪里 多少 几 为什么 为啥 是不是 有没有 ' +
    '请问 问 问下 问一下 一下 请 麻烦 帮 帮我 帮忙 谢谢 你好 您好 老师 同志 师傅 小姐 先生 ' +
    '这 那 这个 那个 这些 那些 这样 那样 这里 那里 那要 那么 那就 个 些 一个 一些 上 下 里 中 ' +
    '去 来 到 给 把 被 让 叫 对 从 向 为 因为 所以 但是 但 如果 的话 然后 现在 已经 刚 刚刚 马上 今天 最近 ' +
    '弄 搞 整 做 办 办理 办下来 手续 事 事情 东西 问题 情况 知道 告诉 说 看 看看 了解 咨询 一 二 两 钱 费 久 '
  )
    .split(/\s+/)
    .filter(Boolean),
);
