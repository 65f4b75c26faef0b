/**
 * Names and keywords that could name an entry by accident: the warnings `npm run kb:check` prints.
 * Pure: the real text to compare with is passed in.
 */
import { hanRuns, normalize } from '../nlp/normalize.js';
import type { Entry } from './schema.js';

export interface RiskyName {
  entryId: string;
  field: 'title' | 'aliases' | 'keywords';
  name: string;
  why: string;
}

/** A name found in at least this share of real messages outside the knowledge base is common text. */
export const COMMON_SHARE = 0.002;

export function riskyNames(
  entries: readonly Entry[],
  generic: readonly string[],
  realText: readonly string[],
  places: readonly string[] = [],
): RiskyName[] {
  const genericSet = new Set(generic.map(normalize));
  const placeList = places.map(normalize).filter(Boolean);
  const texts = realText.map(normalize);
  const out: RiskyName[] = [];
  for (const e of entries) {
    if (e.kind === 'faq') continue;
    const fields: [RiskyName['field'], string[]][] = [['title', [e.title]], ['aliases', e.aliases], ['keywords', e.keywords]];
    for (const [field, names] of fields) {
      for (const raw of names) {
        const name = normalize(raw);
        const han = hanRuns(name).join('').length;
        const add = (why: string) => out.push({ entryId: e.id, field, name: raw, why });
        if (/\d/.test(name)) add('含数字或金额，只参与排序，不会单独认定事项');
        else if (genericSet.has(name)) add('是通用名词（lexicon.yaml › generic），不会单独认定事项');
        else if (placeList.includes(name)) add('是地名（lexicon.yaml › places），不会单独认定事项');
        else if (han < 2) add('不到两个汉字，太短，不会单独认定事项');
        else {
          const place = placeList.find((p) => name.includes(p));
          // 迁入梧州: the place says where, and the rest (an action) fits a household as well as a business.
          if (place) add(`含地名「${place}」：地名只说在哪里，不说办什么事，这个名字容易认错事项；考虑去掉地名`);
          if (han < 3) add('只有两个音节：不做同音匹配，只认原字');
          const found = texts.filter((t) => t.includes(name)).length;
          if (texts.length > 0 && found / texts.length >= COMMON_SHARE) {
            add(`在 ${texts.length} 条知识库以外的真实文本里出现 ${found} 次，太常见，容易误认；考虑换成更具体的说法`);
          }
        }
      }
    }
  }
  return out;
}
