/**
 * Service items from a spreadsheet (the way many centres keep their catalogue) turned into
 * draft entries, with a report of what is wrong in each row. Pure: rows of cells in, entries and
 * problems out. Reading CSV / .xlsx files happens in src/server/import-routes.ts.
 */
import { entrySchema, type Entry } from '../knowledge/schema.js';

/** Column headers we understand, in Chinese as centres write them, mapped to fields. */
export const COLUMNS: Record<string, string> = {
  编号: 'id',
  事项编号: 'id',
  事项名称: 'title',
  名称: 'title',
  别名: 'aliases',
  实施部门: 'department',
  部门: 'department',
  白话说明: 'summary',
  说明: 'summary',
  办理条件: 'conditions',
  受理条件: 'conditions',
  申请材料: 'materials',
  材料: 'materials',
  办理流程: 'steps',
  流程: 'steps',
  办理地点: 'offline',
  网上办理: 'online',
  承诺时限: 'promised',
  法定时限: 'statutory',
  收费: 'fees',
  收费标准: 'fees',
  设定依据: 'legalBasis',
  依据: 'legalBasis',
  来源: 'source',
  来源网址: 'sourceUrl',
  核实日期: 'checked',
};

export const HEADERS = ['编号', '事项名称', '别名', '实施部门', '白话说明', '办理条件', '申请材料', '办理流程', '办理地点', '网上办理', '承诺时限', '法定时限', '收费', '设定依据', '来源', '来源网址', '核实日期'];

export interface RowResult {
  row: number;
  title: string;
  entry: Entry | null;
  problems: string[];
}

const lines = (v: string | undefined): string[] =>
  (v ?? '')
    .split(/[\n；;]+/)
    .map((x) => x.replace(/^\s*(\d+[.、)）]|[·•-])\s*/, '').trim())
    .filter(Boolean);

/** 「营业执照（原件1份，复印件1份）」 → name and counts; no counts means one original. */
function material(text: string) {
  const m = /^(.*?)[（(]([^）)]*)[）)]\s*$/.exec(text);
  const name = (m ? m[1]! : text).trim();
  const spec = m ? m[2]! : '';
  const originals = /原件\s*(\d+)/.exec(spec)?.[1];
  const copies = /复印件\s*(\d+)/.exec(spec)?.[1];
  return { name, originals: originals ? Number(originals) : copies ? 0 : 1, copies: copies ? Number(copies) : 0 };
}

/** Turns rows (first row = headers) into item entries; a row with problems gets no entry. */
/** A title compared loosely: width, case, spaces and punctuation do not make two matters different. */
export function titleKey(title: string): string {
  return title.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** FNV-1a over the title key, in base 36: the same title gives the same id in every file, on every day. */
function titleHash(title: string): string {
  let h = 0x811c9dc5;
  for (const ch of titleKey(title)) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** What already exists besides the file: ids taken (published entries and open drafts) and titles, each with where it is. */
export interface ImportContext {
  takenIds: ReadonlySet<string>;
  /** titleKey → where that title already is, e.g. 「已有条目 item-x」 or 「待审核草稿 item-y」. */
  titles?: ReadonlyMap<string, string>;
}

/**
 * Turns rows (first row = headers) into item entries; a row with problems gets no entry. A row
 * without 编号 gets an id derived from its title (not from the date and row number, which collided
 * across files of one day and with open drafts); a row whose title is already an entry, an open
 * draft or an earlier row is reported as a duplicate, so importing a file twice creates nothing new.
 */
export function importRows(rows: string[][], today: string, context: ImportContext | ReadonlySet<string>): { results: RowResult[]; unknownColumns: string[] } {
  const { takenIds: existingIds, titles: knownTitles = new Map<string, string>() } = context instanceof Set ? { takenIds: context as ReadonlySet<string> } : (context as ImportContext);
  const titlesInFile = new Map<string, number>();
  const [header = [], ...body] = rows;
  const fields = header.map((h) => COLUMNS[h.trim()] ?? null);
  const unknownColumns = header.filter((h, i) => h.trim() && !fields[i]);
  const seen = new Set<string>();
  const results: RowResult[] = [];
  body.forEach((cells, i) => {
    const row = i + 2; // spreadsheet row number, the header being row 1
    if (cells.every((c) => !c || !c.trim())) return;
    const get = (f: string) => {
      const at = fields.indexOf(f);
      return at >= 0 ? (cells[at] ?? '').trim() : '';
    };
    const problems: string[] = [];
    const title = get('title');
    let id = get('id');
    if (!title) problems.push('缺少「事项名称」');
    if (id && !/^item-[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) problems.push(`「编号」${id} 应写成 item-英文小写，例如 item-shop-licence`);
    if (title) {
      const key = titleKey(title);
      const where = knownTitles.get(key);
      if (where) problems.push(`「${title}」与${where}重名，可能是重复导入；修改已有条目请在编辑页面里改`);
      const earlier = titlesInFile.get(key);
      if (earlier !== undefined) problems.push(`「${title}」与表格第 ${earlier} 行重名`);
      else titlesInFile.set(key, row);
    }
    if (!id) {
      const base = `item-import-${titleHash(title || String(row))}`;
      id = base;
      for (let n = 2; existingIds.has(id) || seen.has(id); n++) id = `${base}-${n}`;
    }
    if (seen.has(id)) problems.push(`编号 ${id} 在表格里重复`);
    seen.add(id);
    if (existingIds.has(id)) problems.push(`编号 ${id} 已经有条目或待审核草稿了；修改已有条目请在编辑页面里改`);
    const fee = get('fees');
    const raw = {
      id,
      kind: 'item',
      title,
      aliases: lines(get('aliases').replace(/[，,、]/g, '；')),
      department: get('department'),
      summary: get('summary'),
      conditions: lines(get('conditions')),
      materials: lines(get('materials')).map(material),
      steps: lines(get('steps')),
      channels: [
        ...(get('offline') ? [{ type: 'offline', name: get('offline') }] : []),
        ...(get('online') ? [{ type: 'online', name: get('online') }] : []),
      ],
      timeLimit: {
        ...(get('promised') ? { promised: get('promised') } : {}),
        ...(get('statutory') ? { statutory: get('statutory') } : {}),
      },
      fees: { free: !fee || /不收费|免费|^无$/.test(fee), text: fee || '不收费' },
      legalBasis: lines(get('legalBasis')).map((name) => ({ name: name.replace(/^《|》$/g, '') })),
      sources: get('source')
        ? [{ title: get('source'), ...(get('sourceUrl') ? { url: get('sourceUrl') } : {}), reliability: 'official', checked: get('checked') || today }]
        : [],
      // Imported facts are not verified until an editor checks them.
      verified: false,
      unverified: ['summary', 'conditions', 'materials', 'steps', 'channels', 'timeLimit', 'fees', 'legalBasis'],
    };
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      const names: Record<string, string> = { summary: '白话说明', department: '实施部门', conditions: '办理条件', materials: '申请材料', steps: '办理流程', channels: '办理地点或网上办理', legalBasis: '设定依据', sources: '来源', title: '事项名称' };
      for (const issue of parsed.error.issues) {
        const f = String(issue.path[0] ?? '');
        const label = names[f] ?? f;
        const p = issue.path.length > 1 ? `「${label}」第 ${Number(issue.path[1]) + 1} 项有问题` : `缺少或写错了「${label}」`;
        if (!problems.includes(p) && !(f === 'title' && !title)) problems.push(p);
      }
    }
    results.push({ row, title, entry: parsed.success && problems.length === 0 ? parsed.data : null, problems });
  });
  return { results, unknownColumns };
}

/** The items of a knowledge base as rows with the same headers, so an export can be imported again. */
export function exportRows(entries: readonly Entry[]): string[][] {
  const rows = [HEADERS];
  for (const e of entries) {
    if (e.kind !== 'item') continue;
    rows.push([
      e.id,
      e.title,
      e.aliases.join('、'),
      e.department,
      e.summary,
      e.conditions.join('\n'),
      e.materials.map((m) => `${m.name}（原件${m.originals}份，复印件${m.copies}份）`).join('\n'),
      e.steps.join('\n'),
      e.channels.filter((c) => c.type === 'offline').map((c) => c.name).join('；'),
      e.channels.filter((c) => c.type === 'online').map((c) => c.name).join('；'),
      e.timeLimit.promised ?? '',
      e.timeLimit.statutory ?? '',
      e.fees.text,
      e.legalBasis.map((l) => `《${l.name}》`).join('\n'),
      e.sources[0]?.title ?? '',
      e.sources[0]?.url ?? '',
      e.sources[0]?.checked ?? '',
    ]);
  }
  return rows;
}
