/**
 * What kind of message this is (诉求): a question about how to get something done, or a
 * complaint, a report, a suggestion or thanks — which the bot must not answer with a service
 * matter, but point to 12345 or a person. Long messages (letters) are read sentence by sentence:
 * the question inside a story is what gets searched. Pure; works on the raw text, before
 * normalisation removes the punctuation that separates sentences.
 */

export type AppealKind = 'complaint' | 'report' | 'suggestion' | 'thanks';

export interface MessageKind {
  /** null: a question (咨询). */
  appeal: AppealKind | null;
  /** The part of the message to search: the whole of a short one, the question inside a long one. */
  ask: string;
  /** A letter or story rather than a question (more than LONG_MESSAGE characters). */
  long: boolean;
}

/** Messages longer than this (characters, punctuation included) are letters or stories; the default of `RetrievalOptions.longMessage`. */
export const LONG_MESSAGE = 60;

/**
 * Cues of each kind. A cue counts once; a message is an appeal of the kind with the most cues
 * when it has at least one strong cue (the first list) or two weak ones (the second).
 */
const CUES: Record<AppealKind, [strong: string[], weak: string[]]> = {
  thanks: [
    ['感谢信', '表扬信', '送锦旗', '锦旗', '致谢', '特此感谢', '衷心感谢', '由衷感谢', '深表感谢', '表示感谢', '表示衷心', '点赞', '表扬'],
    ['感谢', '谢意', '感激', '辛勤', '无私', '救死扶伤', '尽职尽责', '热心', '耐心细致', '好医生', '好警察'],
  ],
  complaint: [
    ['投诉', '不作为', '乱作为', '乱收费', '刁难', '态度恶劣', '态度极差', '态度很差', '态度差', '推诿', '踢皮球', '扯皮', '扰民', '拖欠', '欠薪', '讨薪', '维权', '要个说法', '给个说法', '无人问津', '没人管', '无人管', '久拖不决', '强烈要求', '强烈不满', '苦不堪言'],
    ['噪音', '噪声', '臭味', '积水', '堵塞', '漏水', '停水', '停电', '坑洼', '违停', '占道', '霸凌', '欺骗', '骗', '不满', '恳请', '恳求', '求助', '严重影响', '影响生活', '请求解决', '要求处理', '希望解决', '尽快解决', '有关部门', '相关部门', '领导', '市长', '书记', '多次反映', '反映'],
  ],
  report: [
    ['举报', '检举', '揭发', '偷排', '非法排放', '违法建设', '违章建筑', '违建', '非法经营', '无证经营', '黑作坊', '传销', '赌博'],
    ['违法', '违规', '非法', '污染', '偷工减料', '私自', '擅自', '贪污', '受贿'],
  ],
  suggestion: [
    ['建议', '提议', '呼吁', '希望增设', '希望增加', '希望开通', '希望能够增加', '合理化'],
    ['希望政府', '希望能', '能否考虑', '是否可以考虑', '应该增加', '应当'],
  ],
};

/** A sentence that asks something: question marks or question words. */
const QUESTION = /[?？]|吗|么|呢|如何|怎么|怎样|咋|哪里|哪儿|哪个|什么|啥|多少|几天|多久|是否|能否|可否|可不可以|能不能|要不要|需不需要|有没有|请问/;

function cuesOf(text: string): Record<AppealKind, { strong: number; weak: number }> {
  const out = {} as Record<AppealKind, { strong: number; weak: number }>;
  for (const kind of Object.keys(CUES) as AppealKind[]) {
    const [strong, weak] = CUES[kind];
    out[kind] = {
      strong: strong.filter((w) => text.includes(w)).length,
      weak: weak.filter((w) => text.includes(w)).length,
    };
  }
  return out;
}

/** `longMessage`: from how many characters a message is a letter or story (retrieval passes its option). */
export function classifyMessage(raw: string, longMessage = LONG_MESSAGE): MessageKind {
  const text = raw.normalize('NFKC').trim();
  const long = [...text].length > longMessage;
  const cues = cuesOf(text);
  let appeal: AppealKind | null = null;
  let best = 0;
  for (const kind of Object.keys(cues) as AppealKind[]) {
    const { strong, weak } = cues[kind];
    const weight = strong * 2 + weak;
    // A short message needs a strong cue; a long one (a letter) may also show itself by weak ones.
    const qualifies = strong > 0 || (long && weak >= 2);
    if (qualifies && weight > best) {
      best = weight;
      appeal = kind;
    }
  }
  // 「你建议我办个体户还是公司」 asks for advice: a short question is not a suggestion to the city.
  if (appeal === 'suggestion' && !long && QUESTION.test(text)) appeal = null;
  if (!long) return { appeal, ask: text, long };
  // A long message: the question in it is what the citizen wants answered, usually at the end.
  const sentences = text.split(/(?<=[。！!？?；;\n])/u).map((s) => s.trim()).filter(Boolean);
  const asks = sentences.filter((s) => QUESTION.test(s));
  const ask = asks.length > 0 ? asks.slice(-2).join('') : text;
  return { appeal, ask, long };
}
