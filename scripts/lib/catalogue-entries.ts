/**
 * Turns the Guangdong (Zhongshan) service catalogue in bench/data/ into knowledge entries, for
 * scale benchmarks only: its facts are 2021 Guangdong data, not Wuzhou's, so every entry is
 * marked unverified and none of it is ever shipped as knowledge.
 */
import { entrySchema, type Entry } from '../../src/knowledge/schema.js';

interface CatalogueRecord {
  TASK_NAME?: string;
  DEPT_NAME?: string;
  TASK_TYPE_TEXT?: string;
  accept_standard?: string;
  handle_location?: string;
  handle_time?: string;
  material_intro?: string[] | string;
  URL?: string;
}

const clean = (s: string | undefined, fallback: string): string => {
  const t = (s ?? '').replace(/\s+/g, ' ').trim();
  return t.length > 0 && t !== '无' ? t : fallback;
};

export function catalogueEntries(jsonl: string, limit = Infinity): Entry[] {
  const entries: Entry[] = [];
  const seen = new Set<string>();
  for (const [i, line] of jsonl.split('\n').entries()) {
    if (entries.length >= limit) break;
    if (!line.trim()) continue;
    const r = JSON.parse(line) as CatalogueRecord;
    const title = clean(r.TASK_NAME, '');
    if (!title || seen.has(title)) continue;
    seen.add(title);
    const materials = (Array.isArray(r.material_intro) ? r.material_intro : [])
      .map((m) => clean(m, ''))
      .filter(Boolean)
      .slice(0, 12)
      .map((name) => ({ name, originals: 1, copies: 0 }));
    const raw = {
      id: `item-catalogue-${i + 1}`,
      kind: 'item',
      title,
      department: clean(r.DEPT_NAME, '未注明部门'),
      summary: `${title}（${clean(r.TASK_TYPE_TEXT, '政务服务')}事项）。`,
      conditions: [clean(r.accept_standard, '以窗口告知为准')],
      materials: materials.length > 0 ? materials : [{ name: '以窗口一次性告知为准', originals: 1, copies: 0 }],
      steps: ['提交申请', '受理审查', '作出决定'],
      channels: [{ type: 'offline', name: clean(r.handle_location, '政务服务中心').replace(/^办理地点：/, '') }],
      timeLimit: { promised: clean(r.handle_time, '以窗口告知为准') },
      fees: { free: true, text: '以窗口告知为准' },
      legalBasis: [{ name: '以办事指南为准' }],
      sources: [
        {
          title: '广东（中山）政务服务事项目录（2021 年抓取，MIT）',
          reliability: 'third-party',
          checked: '2026-11-26',
        },
      ],
      verified: false,
      unverified: ['summary', 'conditions', 'materials', 'steps', 'channels', 'timeLimit', 'fees', 'legalBasis'],
    };
    entries.push(entrySchema.parse(raw));
  }
  return entries;
}
