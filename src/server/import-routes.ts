/**
 * Spreadsheet import into drafts (CSV or .xlsx: preview first, then create the drafts of the good
 * rows) and export of the knowledge base (CSV with the same columns, or JSON).
 */
import express, { Router, type Response } from 'express';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as toCsv } from 'csv-stringify/sync';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import type { EditorService } from '../editor/editor-service.js';
import { exportRows, importRows, titleKey } from '../editor/import-rows.js';
import type { KnowledgeBase } from '../knowledge/parse-knowledge.js';
import { entryForFile } from '../knowledge/write-entry.js';
import { csrfGuard, requireRole, userOf } from './auth-routes.js';
import { parseOr400, refuseDeepJson } from './validate.js';

export const IMPORT_PATH = '/api/kb/import';
const MAX_ROWS = 2000;
/** A spreadsheet as base64 or CSV text; read only after sign-in and the CSRF check have passed. */
const importJson = express.json({ limit: '8mb', strict: true, verify: refuseDeepJson() });

async function readRows(format: 'csv' | 'xlsx', data: string): Promise<string[][]> {
  if (format === 'csv') {
    try {
      return parseCsv(data, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
    } catch (err) {
      throw new AppError(422, 'unreadable_file', `CSV 读不出来：${(err as Error).message}`);
    }
  }
  // exceljs takes about half a second to import: loaded on the first spreadsheet, not at start-up.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(Buffer.from(data, 'base64') as unknown as ArrayBuffer);
  } catch {
    throw new AppError(422, 'unreadable_file', '.xlsx 文件读不出来，请确认是 Excel 2007 以后的格式。');
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new AppError(422, 'unreadable_file', '表格里没有工作表。');
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = (row.values as unknown[]).slice(1);
    rows.push(values.map((v) => (v === null || v === undefined ? '' : typeof v === 'object' && v && 'text' in v ? String((v as { text: unknown }).text) : String(v))));
  });
  return rows;
}

export function importRoutes(deps: { editor: EditorService; kb: () => KnowledgeBase; now?: () => Date }): Router {
  const r = Router();
  const now = deps.now ?? (() => new Date());
  const guard = requireRole('editor', 'admin');
  const me = (res: Response) => userOf(res)!.username;

  const body = z.strictObject({
    format: z.enum(['csv', 'xlsx'], { error: 'format 只能是 csv 或 xlsx' }),
    data: z.string({ error: '请提供文件内容 data' }).min(1, { error: '文件是空的' }),
    commit: z.boolean().default(false),
  });
  r.post(IMPORT_PATH, guard, csrfGuard, importJson, async (req, res) => {
    const b = parseOr400(body, req.body);
    const rows = await readRows(b.format, b.data);
    if (rows.length > MAX_ROWS + 1) throw new AppError(422, 'too_many_rows', `一次最多导入 ${MAX_ROWS} 行。`);
    const kb = deps.kb();
    const open = (await deps.editor.drafts()).filter((d) => d.status === 'pending');
    const titles = new Map<string, string>();
    for (const e of kb.entries) titles.set(titleKey(e.title), `已有条目「${e.title}」（${e.id}）`);
    for (const d of open) if (!titles.has(titleKey(d.entry.title))) titles.set(titleKey(d.entry.title), `待审核草稿「${d.entry.title}」（${d.entryId}）`);
    const takenIds = new Set([...kb.entries.map((e) => e.id), ...open.map((d) => d.entryId)]);
    const { results, unknownColumns } = importRows(rows, now().toISOString().slice(0, 10), { takenIds, titles });
    const created: { row: number; draftId: string }[] = [];
    if (b.commit) {
      for (const x of results) {
        if (!x.entry) continue;
        const d = await deps.editor.createDraft(me(res), { entry: x.entry, note: `从表格导入（第 ${x.row} 行）` });
        if (d.ok) created.push({ row: x.row, draftId: d.value.id });
        else x.problems.push(d.message);
      }
    }
    res.json({
      rows: results.map((x) => ({ row: x.row, title: x.title, ok: x.entry !== null && x.problems.length === 0, problems: x.problems, id: x.entry?.id ?? null })),
      good: results.filter((x) => x.entry && x.problems.length === 0).length,
      bad: results.filter((x) => !x.entry || x.problems.length > 0).length,
      unknownColumns,
      created,
    });
  });

  r.get('/api/kb/export.csv', guard, (_req, res) => {
    res.setHeader('Content-Disposition', 'attachment; filename="yici-items.csv"');
    res.type('text/csv; charset=utf-8').send(`\uFEFF${toCsv(exportRows(deps.kb().entries))}`);
  });
  r.get('/api/kb/export.json', guard, (_req, res) => {
    res.setHeader('Content-Disposition', 'attachment; filename="yici-knowledge.json"');
    res.json({ exportedAt: now().toISOString(), entries: deps.kb().entries.map(entryForFile) });
  });
  return r;
}
