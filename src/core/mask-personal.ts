/**
 * Masks personal data before anything is stored or logged (PIPL): 身份证号 (18 or 15 digits,
 * final X), bank card numbers (16–19 digits), mobile numbers (with or without +86), landlines
 * with an area code, and the house numbers of street addresses. Pure.
 *
 * People write long numbers in many ways — 138.1234.5678, 138  1234  5678, 138—1234—5678,
 * +86 138 1234 5678, (0774)1234567, full-width digits — so a number is taken as a *run*: digits
 * joined by up to three separator characters (spaces, dots, dashes of any width, brackets). The
 * run's digits decide what it is. Short numbers (3岁, 2025年, 3600元, 20个工作日, the 12345
 * hotline) are never runs of that length and stay as they are. Masking is idempotent.
 */

/** Characters that may stand between the digits of one number (at most three in a row). */
export const NUMBER_SEPARATORS = ' \\t\\n\\r\\u3000.．\\-‐‑‒–—―－·•()（）';
const SEP = `[${NUMBER_SEPARATORS}]{1,3}`;

/** An optional +, the digits with separators, and a final X that only an ID number may have. */
const RUN = new RegExp(`(\\+\\s?)?\\d(?:(?:${SEP})?\\d)*([Xx])?`, 'g');

const FULL_WIDTH = /[０-９Ｘｘ＋]/g;
const toHalf = (s: string) => s.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

const stars = (n: number) => '*'.repeat(n);
function keepEnds(digits: string, head: number, tail: number): string {
  if (digits.length <= head + tail) return stars(digits.length);
  return digits.slice(0, head) + stars(digits.length - head - tail) + digits.slice(-tail);
}

/**
 * The masked form of one run's digits, or null when the run is not personal. `byLetter`: the run
 * follows a Latin letter and has no separators (a ticket such as HJ202501010001), so only a
 * recognised kind is masked.
 */
function maskDigits(digits: string, byLetter: boolean): string | null {
  if (/^[1-9]\d{16}[\dXx]$/.test(digits)) return keepEnds(digits.toUpperCase(), 3, 2); // 身份证号
  if (/^X/i.test(digits.slice(-1))) return null;
  if (/^(?:0{0,2}86)1[3-9]\d{9}$/.test(digits)) return `+86 ${keepEnds(digits.slice(-11), 3, 4)}`; // +86 mobile
  if (/^1[3-9]\d{9}$/.test(digits)) return keepEnds(digits, 3, 4); // mobile
  if (/^[1-9]\d{14}$/.test(digits)) return keepEnds(digits, 3, 2); // 15-digit 身份证号
  if (/^0\d{9,11}$/.test(digits)) return keepEnds(digits, 4, 2); // landline with area code
  if (/^\d{16,19}$/.test(digits)) return keepEnds(digits, 0, 4); // bank card
  // Several numbers written together, or one of an unknown kind: too long to be ordinary.
  if (digits.length >= 11 && !byLetter) return keepEnds(digits, 0, 4);
  return null;
}

function maskNumbers(s: string): string {
  return s.replace(RUN, (match: string, plus: string | undefined, x: string | undefined, offset: number) => {
    // A code such as HJ202501010001 is written in one piece; a run broken by separators after a
    // letter (ID450403199001011234 13812345678, an ID's final X then more digits) is not one.
    const byLetter = /[A-Za-z]/.test(s[offset - 1] ?? '') && /^\d+[Xx]?$/.test(match);
    const digits = match.replace(/[^\dXx]/g, '');
    // A leading + the masked form does not write stays, so the digits before it (0000000+86…)
    // do not join the masked ones into a new number.
    const keepPlus = (m: string) => (plus && !m.startsWith('+') ? plus + m : m);
    const masked = maskDigits(digits, byLetter);
    if (masked !== null) return keepPlus(masked);
    if (x) {
      // Not an ID number: the X is an ordinary letter; mask the digits before it on their own.
      const body = match.slice(0, -1);
      const bodyMasked = maskDigits(body.replace(/\D/g, ''), byLetter);
      return (bodyMasked === null ? body : keepPlus(bodyMasked)) + x;
    }
    return match;
  });
}

/**
 * House numbers: after a road, street, lane, village or estate name (新兴二路123号5栋601 →
 * 新兴二路***号*栋***), and building / unit / room numbers anywhere (5栋601室, 3单元502). The
 * road's name stays so an officer still knows the area; ordinary numbers (3号窗口, 5月10号, 3楼)
 * stay too.
 */
const UNIT = '(?:号楼|号院|号|弄|巷|栋|幢|座|单元|楼|层|室|户|组)';
const TAIL = `(?:\\d+(?:-\\d+)?${UNIT})*(?:\\d+(?:-\\d+)?)?`;
const ROAD = new RegExp(`((?:[路街巷弄村区苑园厦]|大道|小区|花园|大厦|公寓|社区|新村|广场))(\\d+(?:-\\d+)?(?:号楼|号院|号|弄|巷|栋|幢|座|组)${TAIL})`, 'g');
const BUILDING = new RegExp(`\\d+(?:-\\d+)?(?:栋|幢|单元)${TAIL}|\\d+(?:-\\d+)?室`, 'g');
const hideDigits = (s: string) => s.replace(/\d/g, '*');

function maskAddresses(s: string): string {
  return s.replace(ROAD, (_m, road: string, rest: string) => road + hideDigits(rest)).replace(BUILDING, hideDigits);
}

/** The text with personal numbers and house numbers masked; safe to store and log. */
export function maskPersonal(text: string): string {
  return maskAddresses(maskNumbers(toHalf(text)));
}

/** True when a login name or other key looks like a phone, ID or card number, and so must not be stored as it is. */
export const looksPersonal = (text: string): boolean => maskPersonal(text) !== toHalf(text);
