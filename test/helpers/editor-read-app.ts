/**
 * A test app serving the editors' routes that only read (dashboard, inbox, uses) for a signed-in
 * editor, over a store and running totals the test gives; publishing and preview are not wired.
 */
import type { RequestHandler } from 'express';
import type { EditorService } from '../../src/editor/editor-service.js';
import type { DashboardTotals } from '../../src/service/dashboard-totals.js';
import { editorRoutes } from '../../src/server/editor-routes.js';
import type { Store } from '../../src/storage/ports.js';
import { fixtureEngine } from './fixture-engine.js';
import { startTestApp } from './test-app.js';

export function startEditorReadApp(store: Store, totals: DashboardTotals, now: () => Date): ReturnType<typeof startTestApp> {
  const asEditor: RequestHandler = (_req, res, next) => {
    res.locals.user = { username: 'editora', role: 'editor', disabled: false };
    next();
  };
  return startTestApp({
    extra: [
      asEditor,
      editorRoutes({
        // These routes neither publish nor preview.
        editor: {} as EditorService,
        preview: () => ({ ok: false, problems: [] }),
        usesOf: () => ({ bundles: [], flows: [] }),
        kb: () => fixtureEngine().kb,
        version: () => 1,
        engine: fixtureEngine,
        store,
        totals,
        staleDays: 365,
        now,
      }),
    ],
  });
}
