/**
 * 「可以代办吗」「能让我老婆去办吗」「一定要本人去吗」: may someone else do the matter for the citizen?
 * A question counters hear every day, from families of elderly or working people. It is answered
 * from what the item's own data says — a material needed 「委托他人代办的」, a step that needs the
 * applicants in person — and, where the data says neither, by saying so rather than guessing.
 * Pure; works on normalised text (nlp/normalize.ts).
 */
import type { Entry } from '../knowledge/schema.js';

type Item = Extract<Entry, { kind: 'item' }>;
type Bundle = Extract<Entry, { kind: 'bundle' }>;

/** Longer messages tell a story; the proxy asked about in one may not be the question. */
const MAX_CHARS = 30;

/** People who might go instead: family, friends, anyone else (not a bare 人: 「有没有人帮我弄一下」 asks for the centre's people). */
const OTHERS = '(?:家人|家里人|家属|亲属|亲戚|亲人|朋友|同事|别人|其他人|他人|老婆|老公|爱人|丈夫|妻子|媳妇|儿子|女儿|孩子|子女|爸爸|妈妈|父母|老爸|老妈|哥哥|姐姐|弟弟|妹妹)';

const PROXY = [
  /代办|代理人|委托|委托书|授权书/u,
  new RegExp(`${OTHERS}(?:可以|能|能不能|可不可以|可唔可以|得唔得)?(?:帮|替|代)(?:我|他|她|我们|老人|老人家)?(?:去(?:办|弄|搞|跑|申请|领)?|办|弄|搞|跑|申请|领)`, 'u'),
  new RegExp(`(?:让|叫|请|找|派)(?:我|我的|我家|家里)?${OTHERS}(?:去|来|帮|替|代)`, 'u'),
  // The applicant cannot come: 「她八十岁了走不动」「我没空去」 — someone else would go. (「在外地回不去」
  // more often asks where else it can be done, which the matter's 在哪里办 says.)
  /走不动|行动不便|卧床|瘫痪|下不了床|出不了门|来不了|去不了|没空去|没时间去/u,
  /(?:两个人|两人|双方|夫妻|俩)(?:都|一起)?(?:要|必须|一定要|得|需要)?(?:都)?(?:去|到场|在场|来)|(?:一个人|自己一个)(?:能|可以|就能|就可以)(?:去)?办/u,
  /本人(?:必须|一定|要|需要|得|需不需要|要不要|是否|一定要|必需)?(?:亲自)?(?:到场|去|来|到现场|出面|在场)|(?:一定|必须|非得|非要|只能)(?:要)?本人|不用本人|本人不(?:去|来|到|在)|亲自(?:去|来|到)|使唔使本人|唔使本人/u,
];

/** Does the message ask whether someone else may do it, or whether the citizen must go in person? */
export function asksAboutProxy(norm: string): boolean {
  const text = norm.replace(/\s+/gu, '');
  if (text.length === 0 || [...text].length > MAX_CHARS) return false;
  return PROXY.some((p) => p.test(text));
}

/** A material or situation for someone acting for the applicant. */
const FOR_PROXY = /代办|委托|代理/u;
/** A line that says the applicants come in person. */
const IN_PERSON = /本人[^，。；]{0,4}到场|亲自|本人到|双方本人|本人要|须本人|本人申请/u;

export interface ProxyReading {
  /** Materials needed when someone else does it (the item says it may be done for the applicant). */
  proxyMaterials: string[];
  /** Lines of the item that say the applicants come in person. */
  inPerson: string[];
}

/** What an item's data says about doing it for someone else. */
export function readProxy(item: Item): ProxyReading {
  const proxyMaterials = item.materials
    .filter((m) => FOR_PROXY.test(m.when ?? '') || FOR_PROXY.test(m.name))
    .map((m) => (m.when && !m.name.includes(m.when) ? `${m.name}（${m.when}）` : m.name));
  const lines = [...item.conditions, ...item.steps, ...item.channels.map((c) => c.detail ?? ''), item.timeLimit.statutory ?? ''];
  const inPerson = [...new Set(lines.filter((l) => IN_PERSON.test(l)))];
  return { proxyMaterials, inPerson };
}

/** The words said before the item's materials or steps, by what its data says. */
export function proxyLead(item: Item, reading: ProxyReading, hotline: string): string {
  const { proxyMaterials, inPerson } = reading;
  if (proxyMaterials.length > 0) {
    const also = inPerson.length > 0 ? `另外要注意：${inPerson[0]}` : '';
    return `「${item.title}」可以委托别人代办，代办时要多带：${proxyMaterials.join('；')}。${also}完整材料见下面：`;
  }
  if (inPerson.length > 0) return `「${item.title}」要本人到场办：${inPerson[0]}`;
  return `「${item.title}」的办事指南里没有写能不能请别人代办、要不要本人到场。去之前请先拨打${hotline} 或问窗口，以窗口最新告知为准。要带的材料见下面：`;
}

/**
 * The same for a 一件事 (开办小商店): whether each of its items may be done for the applicant
 * differs, so each is said in a line of its own — what its data says, or that it says nothing.
 */
export function bundleProxyLead(bundle: Bundle, items: readonly Item[], hotline: string): string {
  const lines = items.map((item) => {
    const { proxyMaterials, inPerson } = readProxy(item);
    if (proxyMaterials.length > 0) return `· ${item.title}：可以委托别人代办，代办时要多带${proxyMaterials.join('；')}${inPerson.length > 0 ? `；另外：${inPerson[0]}` : ''}`;
    if (inPerson.length > 0) return `· ${item.title}：要本人到场（${inPerson[0]}）`;
    return `· ${item.title}：办事指南里没有写能不能代办`;
  });
  return [
    `「${bundle.title}」里的几件事，能不能请别人代办各不相同：`,
    ...lines,
    `去之前请先拨打${hotline} 或问窗口，以窗口最新告知为准。完整材料见下面：`,
  ].join('\n');
}
