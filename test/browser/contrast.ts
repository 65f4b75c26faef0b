/**
 * A contrast check of our own for buttons (axe reports text over some backgrounds only as
 * "incomplete"): the text colour against the first opaque background behind it, by the WCAG
 * formula; 4.5:1 for normal text, 3:1 for large text (≥ 24px, or ≥ 18.66px bold).
 */
import type { Page } from 'playwright-core';

export interface LowContrast {
  text: string;
  ratio: number;
  color: string;
  background: string;
}

export async function lowContrastButtons(page: Page, selector = 'button'): Promise<LowContrast[]> {
  return page.evaluate((sel) => {
    const parse = (c: string): [number, number, number, number] => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const [r, g, b, a = '1'] = m[1]!.split(/[ ,/]+/).filter(Boolean);
      return [Number(r), Number(g), Number(b), Number(a)];
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const backgroundOf = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.5) return c;
      }
      return [255, 255, 255, 1];
    };
    const out: { text: string; ratio: number; color: string; background: string }[] = [];
    for (const el of Array.from(document.querySelectorAll(sel))) {
      const box = (el as HTMLElement).getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || !(el.textContent ?? '').trim()) continue;
      const fg = parse(style.color);
      const bg = backgroundOf(el);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push({ text: (el.textContent ?? '').trim().slice(0, 20), ratio: Math.round(ratio * 100) / 100, color: style.color, background: `rgb(${bg.slice(0, 3).join(', ')})` });
    }
    return out;
  }, selector);
}
