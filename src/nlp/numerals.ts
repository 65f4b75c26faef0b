/**
 * Chinese numerals before a unit of age, time or money become Arabic digits, so 「三岁以下」
 * and 「3岁以下」, 「十五年」 and 「15年」 read the same. Only a numeral directly followed by one
 * of the units below is rewritten: 「一件事」, 「一次办」 and 「二手房」 stay as they are. Pure.
 */

const DIGIT: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const MULTIPLIER: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000, 万: 10000 };

/** Units after which a number is a quantity: age, duration, dates and money. */
/** 年 but not 年级: 「一年级」 is a school grade, not a year. */
const UNITS = ['周岁', '岁', '个工作日', '工作日', '个月', '月', '年(?!级)', '天', '日', '周', '小时', '元', '块'];

const NUMERAL = '[零〇一二两三四五六七八九十百千万]+';
const PATTERN = new RegExp(`(${NUMERAL})(?=${UNITS.join('|')})`, 'g');

/** The value of a Chinese numeral such as 十五, 二十, 一百零八, 三万六千; null when it is not one. */
export function numeralValue(s: string): number | null {
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const ch of s) {
    if (ch in DIGIT) {
      if (digit !== null && section === 0 && total === 0) {
        // Digit by digit: 二〇二五 → 2025.
        digit = digit * 10 + DIGIT[ch]!;
        continue;
      }
      digit = DIGIT[ch]!;
    } else if (ch in MULTIPLIER) {
      const m = MULTIPLIER[ch]!;
      if (m === 10000) {
        total += (section + (digit ?? 0)) * m;
        section = 0;
      } else section += (digit ?? 1) * m;
      digit = null;
    } else return null;
  }
  return total + section + (digit ?? 0);
}

export function arabicNumerals(text: string): string {
  return text.replace(PATTERN, (m) => {
    const v = numeralValue(m);
    return v === null ? m : String(v);
  });
}
