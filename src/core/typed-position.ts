/**
 * A button picked by typing its place — 「2」, 「２」, 「2.」, 「第2个」, 「第二项」 — as people do who
 * do not tap, and as WeChat, which has no buttons, numbers them. Pure.
 */
const POSITION = /^(?:第\s*)?(\d{1,2}|[一二三四五六七八九])\s*(?:个|项|条|号|种)?\s*[.。、．]?$/u;
const HAN_DIGITS = '一二三四五六七八九';

/** The place typed (1 for the first), or null when the text is not one. */
export function typedPosition(text: string): number | null {
  const t = text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).trim();
  const m = POSITION.exec(t);
  if (!m) return null;
  return /\d/.test(m[1]!) ? Number(m[1]) : HAN_DIGITS.indexOf(m[1]!) + 1;
}
