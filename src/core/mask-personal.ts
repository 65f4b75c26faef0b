/**
 * Masks personal numbers before anything is stored or logged: 身份证号 (18 or 15 digits),
 * bank card numbers (16–19 digits), mobile and landline phone numbers. Full-width digits and
 * digits split by spaces or dashes are recognised too. Pure.
 */

const FULL_WIDTH_DIGIT = /[０-９Ｘｘ]/g;
const toHalf = (s: string) =>
  s.replace(FULL_WIDTH_DIGIT, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/** Digits possibly broken up by single spaces or dashes, as people type long numbers. */
const G = '[\\s-]?';
const digits = (n: number) => Array.from({ length: n }, () => '\\d').join(G);

const ID18 = new RegExp(`(?<![\\d])[1-9]${G}${digits(16)}${G}[\\dXx](?![\\d])`, 'g');
const BANK = new RegExp(`(?<![\\d])\\d(?:${G}\\d){15,18}(?![\\d])`, 'g');
const ID15 = new RegExp(`(?<![\\d])[1-9]${G}${digits(14)}(?![\\d])`, 'g');
const MOBILE = new RegExp(`(?<![\\d])(?:\\+?86${G})?1[3-9]\\d${G}?\\d{4}${G}?\\d{4}(?![\\d])`, 'g');
const LANDLINE = /(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)/g;

function keepEnds(match: string, head: number, tail: number): string {
  const ds = match.replace(/[\s-]/g, '');
  if (ds.length <= head + tail) return '*'.repeat(ds.length);
  return ds.slice(0, head) + '*'.repeat(ds.length - head - tail) + ds.slice(-tail);
}

export function maskPersonal(text: string): string {
  let s = toHalf(text);
  s = s.replace(ID18, (m) => keepEnds(m, 3, 2));
  s = s.replace(BANK, (m) => keepEnds(m, 0, 4));
  s = s.replace(MOBILE, (m) => keepEnds(m.replace(/^\+?86[\s-]?/, ''), 3, 4));
  s = s.replace(ID15, (m) => keepEnds(m, 3, 2));
  s = s.replace(LANDLINE, (m) => keepEnds(m, 4, 2));
  return s;
}
