/**
 * Issue 11, finding 5: a source, channel or portal address must be http(s). A `javascript:` link
 * on an approved source ran script on Yici's origin when clicked on the checklist page.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, parseKnowledge } from '../../src/knowledge/parse-knowledge.js';
import { webUrl } from '../../src/knowledge/schema.js';
import { renderChecklistPage } from '../../src/server/checklist-page.js';
import type { Checklist } from '../../src/knowledge/compute-checklist.js';
import { FIXTURE_FILES } from '../helpers/fixture-kb.js';

const HOSTILE = ['javascript:alert(document.cookie)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'ftp://files.example.gov.cn/a', 'file:///etc/passwd', 'https:alert(1)'];

describe('web addresses in the knowledge base', () => {
  it('accepts http and https addresses', () => {
    for (const u of ['https://zwfw.wuzhou.gov.cn/guide?id=1', 'http://www.gxzf.gov.cn/']) expect(webUrl.safeParse(u).success, u).toBe(true);
  });

  it('refuses javascript:, data:, vbscript: and every other scheme', () => {
    for (const u of HOSTILE) expect(webUrl.safeParse(u).success, u).toBe(false);
  });

  it('names the file, entry and field, and says what to write instead', () => {
    const file = FIXTURE_FILES.find((f) => f.path === 'items/tobacco.yaml')!;
    const hostile = file.content.replace('url: https://example.gov.cn/guide', 'url: "javascript:alert(1)"');
    expect(hostile).not.toBe(file.content);
    const r = parseKnowledge([...FIXTURE_FILES.filter((f) => f !== file), { path: file.path, content: hostile }]);
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems.map(formatProblem);
    expect(problems.some((p) => p.startsWith('items/tobacco.yaml › item-tobacco › sources[0].url: must be an http:// or https:// address (javascript:, data:, vbscript: and other schemes are refused) — write a full address starting with https://'))).toBe(true);
  });
});

describe('the checklist page', () => {
  const checklist = (url: string): Checklist =>
    ({
      id: 'abcd1234',
      title: '测试清单',
      createdAt: '2026-11-01T00:00:00.000Z',
      caution: null,
      items: [],
      answers: [],
      materials: [],
      situational: [],
      replaced: [],
      excluded: [],
      where: [],
      time: '',
      fees: [],
      sources: [{ title: '来源', url, checked: '2026-11-01' }],
    }) as unknown as Checklist;

  it('links an http(s) source, and shows a non-web address (stored before this rule) as text only', async () => {
    expect(await renderChecklistPage(checklist('https://example.gov.cn/a'), 'http://x/checklist/abcd1234')).toContain('<a href="https://example.gov.cn/a">');
    for (const u of HOSTILE) {
      const html = await renderChecklistPage(checklist(u), 'http://x/checklist/abcd1234');
      expect(html, u).not.toMatch(/<a href="[^"]*(script|data|file|ftp)/i);
      expect(html).toContain('来源');
    }
  });

  it('has no inline script or event handler (the page runs under script-src \'self\')', async () => {
    const html = await renderChecklistPage(checklist('https://example.gov.cn/a'), 'http://x/checklist/abcd1234');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toContain('<script src="/print.js" defer></script>');
  });
});
