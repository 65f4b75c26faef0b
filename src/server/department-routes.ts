/**
 * The counter departments for the staff pages: the list officers are given in /admin and transfer
 * to (转办), with who serves each; and, for the admin, the departments nobody serves and the cases
 * that went to 综合窗口 because of it.
 */
import { Router } from 'express';
import type { DepartmentDesk } from '../handoff/department-desk.js';
import { GENERAL_COUNTER } from '../knowledge/departments.js';
import { requireRole } from './auth-routes.js';

export function departmentRoutes(deps: { departments: DepartmentDesk; title: (entryId: string) => string | undefined }): Router {
  const r = Router();
  const { departments } = deps;

  const listed = async () => {
    const staffing = await departments.staffing();
    return departments.list().map((d) => ({ name: d.name, matches: d.matches, officers: staffing.get(d.name) ?? [] }));
  };

  r.get('/api/departments', requireRole('officer', 'editor', 'admin'), async (_req, res) => {
    res.json({ general: GENERAL_COUNTER, departments: (await listed()).map((d) => ({ name: d.name, matches: d.matches, served: d.officers.length > 0 })) });
  });

  r.get('/api/admin/departments', requireRole('admin'), async (_req, res) => {
    const list = await listed();
    const warnings = await departments.warnings(50);
    res.json({
      general: GENERAL_COUNTER,
      departments: list,
      unserved: list.filter((d) => d.officers.length === 0).map((d) => d.name),
      warnings: warnings.map((w) => ({ ...w, itemTitle: w.entryId ? (deps.title(w.entryId) ?? w.entryId) : null })),
    });
  });
  return r;
}
