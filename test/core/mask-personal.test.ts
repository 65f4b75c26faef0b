import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPersonal } from '../../src/core/mask-personal.js';

describe('maskPersonal', () => {
  it('masks an 18-digit ID number, keeping only its first 3 and last 2 characters', () => {
    const out = maskPersonal('我的身份证是450403199001011234');
    expect(out).toBe('我的身份证是450*************34');
    expect(out).not.toContain('19900101');
  });

  it('masks ID numbers ending in X and written in full-width digits', () => {
    expect(maskPersonal('４５０４０３１９９００１０１１２３Ｘ')).toBe('450*************3X');
  });

  it('masks mobile numbers, with or without +86 and separators', () => {
    expect(maskPersonal('电话13812345678')).toBe('电话138****5678');
    expect(maskPersonal('+86 138-1234-5678')).toBe('+86 138****5678');
  });

  it('masks bank card numbers typed in groups', () => {
    const out = maskPersonal('卡号 6222 0212 3456 7890 123');
    expect(out).toMatch(/\*{10,}0123$/);
    expect(out).not.toContain('3456');
  });

  it('masks landlines but leaves the 12345 hotline, dates and small numbers alone', () => {
    expect(maskPersonal('打0774-2812345')).toBe('打0774*****45');
    expect(maskPersonal('热线0774-12345，2025年5月10日，3个工作日')).toBe('热线0774-12345，2025年5月10日，3个工作日');
  });
});

describe('maskPersonal: numbers written every way people write them (issue 11)', () => {
  it.each([
    ['138.1234.5678', '138****5678'],
    ['138  1234  5678', '138****5678'],
    ['138—1234—5678', '138****5678'],
    ['138 — 1234 — 5678', '138****5678'],
    ['+86 138 1234 5678', '+86 138****5678'],
    ['１３８－１２３４－５６７８', '138****5678'],
    ['0774-1234567', '0774*****67'],
    ['(0774) 1234567', '(0774*****67'],
    ['4504 0319 9001 0112 3x', '450*************3X'],
    ['450403 19900101 123X', '450*************3X'],
    ['6222.0212.3456.7890', '************7890'],
  ])('%s → %s', (input, masked) => {
    expect(maskPersonal(input)).toBe(masked);
  });

  it('masks the house numbers of an address and keeps the road', () => {
    expect(maskPersonal('我家在新兴二路123号5栋601')).toBe('我家在新兴二路***号*栋***');
    expect(maskPersonal('住阳光小区5栋2单元601室')).toBe('住阳光小区*栋*单元***室');
    expect(maskPersonal('长洲镇泗洲村3组12号')).toBe('长洲镇泗洲村*组**号');
  });

  it('masks numbers that follow a letter when the run is broken by separators (found by the property below)', () => {
    // Only a code in one piece after a letter (HJ202501010001) is left: this is not one.
    const out = maskPersonal('ID450403199001011234 13812345678');
    expect(out).toBe(`ID${'*'.repeat(25)}5678`);
    // The X of an ID number is a letter too: the digits after it are not a ticket.
    expect(maskPersonal('45040319900101123X 13812345678')).not.toContain('1381234');
  });

  it('keeps a leading + so the digits before it do not join a masked number (found by the property below)', () => {
    const out = maskPersonal('0000000+86 130 000 000 0000');
    expect(out).toBe('0000000+861**********00');
    expect(maskPersonal(out)).toBe(out);
  });

  it('leaves ordinary numbers alone', () => {
    const plain = '孩子3岁，2025年5月10号去3号窗口（3楼），交3600元，20个工作日办好，编号HJ202501010001，热线12345，第2-3项，1.5万';
    expect(maskPersonal(plain)).toBe(plain);
  });
});

/** Digits joined by the separators maskPersonal knows, so a check sees a number the way a reader does. */
const SEP_CHARS = [' ', '  ', '.', '-', '—', '–', '－', '　', ' - ', '·', ')', '(', ''];
const joined = (s: string) =>
  s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/(?<=\d)[ \t\n\r\u3000.．\-‐‑‒–—―－·•()（）]{1,3}(?=\d)/g, '');
const PERSONAL = [
  /(?<!\d)(?:86)?1[3-9]\d{9}(?!\d)/, // mobile
  /(?<!\d)[1-9]\d{16}[\dXx](?!\d)/, // 身份证号
  /(?<!\d)[1-9]\d{14}(?!\d)/, // old 身份证号
  /(?<!\d)0\d{9,11}(?!\d)/, // landline with area code
];

const digitsOf = (n: number, first?: string) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => (first ?? '') + d.join('').slice(first ? first.length : 0));
const personalNumber = fc.oneof(
  fc.tuple(fc.constantFrom('13', '15', '18', '19'), digitsOf(9)).map(([a, b]) => a + b),
  fc.tuple(fc.integer({ min: 1, max: 9 }), digitsOf(16), fc.constantFrom('0', '7', 'X', 'x')).map(([a, b, c]) => `${a}${b}${c}`),
  fc.tuple(fc.integer({ min: 1, max: 9 }), digitsOf(14)).map(([a, b]) => `${a}${b}`),
  fc.tuple(fc.constantFrom('0774', '010', '020', '0771'), digitsOf(7)).map(([a, b]) => a + b),
  fc.tuple(fc.constantFrom('6222', '6217', '4367'), digitsOf(12)).map(([a, b]) => a + b),
);
/** A number as someone might type it: split by separators, maybe with +86 or in full-width digits. */
const written = fc
  .tuple(personalNumber, fc.array(fc.constantFrom(...SEP_CHARS), { minLength: 20, maxLength: 20 }), fc.boolean(), fc.boolean())
  .map(([n, seps, fullWidth, plus86]) => {
    let s = [...n].map((c, i) => (i > 0 && i % 3 === 0 ? seps[i]! : '') + c).join('');
    if (plus86 && /^1[3-9]\d{9}$/.test(n)) s = `+86 ${s}`;
    return fullWidth ? s.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)) : s;
  });
const around = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('电话', '身份证', '我住新兴二路', '，', ' ', '号码是', '3岁', 'abc', ''));

describe('maskPersonal: properties', () => {
  it('never leaves a number that reads as a phone or ID number', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(around, written), { minLength: 1, maxLength: 4 }), around, (parts, end) => {
        const text = parts.map(([a, n]) => a + n).join('') + end;
        const out = joined(maskPersonal(text));
        for (const re of PERSONAL) expect(out, `${text} → ${maskPersonal(text)}`).not.toMatch(re);
      }),
      { seed: 11, numRuns: 3000 },
    );
  });

  // A reader does not need the whole run: in 「tel13812345678 13912345678」 each group is a number.
  // Every span of whole groups of a run is a reading, and none may be a phone or ID number.
  const SEP_CLASS = '[ \\t\\n\\r\\u3000.．\\-‐‑‒–—―－·•()（）]{1,3}';
  const readings = (text: string): string[] => {
    const half = text.replace(/[０-９Ｘｘ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
    const runs = half.match(new RegExp(`\\d(?:(?:${SEP_CLASS})?\\d)*[Xx]?`, 'g')) ?? [];
    return runs.flatMap((run) => {
      const groups = run.split(new RegExp(SEP_CLASS));
      return groups.flatMap((_, i) => groups.slice(i).map((__, j) => groups.slice(i, i + j + 1).join('')));
    });
  };
  const WHOLE = [/^(?:86)?1[3-9]\d{9}$/, /^[1-9]\d{16}[\dXx]$/, /^[1-9]\d{14}$/, /^0\d{9,11}$/];
  // Pieces put side by side with nothing forced between them: numbers after letters (ID, tel, a
  // ticket's HJ), several numbers in one run, other digits, separators, words.
  const chunk = fc.oneof(
    written,
    written,
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 20 }).map((d) => d.join('')),
    fc.constantFrom('ID', 'id', 'tel', 'Tel:', 'No.', 'HJ', 'x', 'X', '电话', '身份证号', '，', '、', ' ', '-', '  ', '. ', '(', ')', '+86 ', '号', '年'),
  );

  it('never leaves any part of a number that reads as a phone or ID number, wherever it stands', () => {
    fc.assert(
      fc.property(fc.array(chunk, { minLength: 1, maxLength: 8 }), (chunks) => {
        const text = chunks.join('');
        const out = maskPersonal(text);
        for (const r of readings(out)) for (const re of WHOLE) expect(r, `${text} → ${out}`).not.toMatch(re);
        for (const re of PERSONAL) expect(joined(out), `${text} → ${out}`).not.toMatch(re);
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent', () => {
    const text = fc.array(fc.oneof(around, written, chunk, fc.string({ maxLength: 12, unit: 'grapheme' })), { maxLength: 6 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(text, (s) => {
        const once = maskPersonal(s);
        expect(maskPersonal(once)).toBe(once);
      }),
      { seed: 11, numRuns: 3000 },
    );
  });
});
