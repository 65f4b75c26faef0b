/**
 * After an upgrade, while the totals of the logs written before are being built, the dashboard
 * says so (503 dashboard_building, in Chinese) instead of showing figures that miss the old days;
 * once built, it shows them whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TurnRecord } from '../../src/service/analytics.js';
import { createDashboardTotals } from '../../src/service/dashboard-totals.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { staffHttp } from '../helpers/staff-http.js';
import { startEditorReadApp } from '../helpers/editor-read-app.js';
import type { startTestApp } from '../helpers/test-app.js';

const store = createMemoryStore();
let now = new Date('2026-11-27T04:00:00.000Z');
// The build waits out its grace after the line it draws (the first use): here 1 s of the test's clock.
const totals = createDashboardTotals(store, { now: () => now, graceMs: 1000 });
let app: Awaited<ReturnType<typeof startTestApp>>;
const http = staffHttp(() => app.url);

beforeAll(async () => {
  // Logs from before the totals existed.
  const turns = store.log<TurnRecord>('turns');
  for (const at of ['2026-11-20T02:00:00.000Z', '2026-11-25T02:00:00.000Z']) await turns.append({ at, sessionId: 's', kind: 'answered', entryId: 'item-licence' });
  app = await startEditorReadApp(store, totals, () => now);
});
afterAll(() => app.close());

describe('dashboard while the totals of old logs are built', () => {
  it('answers 503 dashboard_building until the build is done, then the whole figures', async () => {
    const res = await http.json('GET', '/api/kb/dashboard?from=2026-11-01&to=2026-11-27');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('dashboard_building');
    expect(body.error.message).toMatch(/统计数据正在整理/);
    now = new Date(now.getTime() + 1000);
    await totals.build();
    const ok = await http.json('GET', '/api/kb/dashboard?from=2026-11-01&to=2026-11-27');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { totals: { questions: number } }).totals.questions).toBe(2);
  });
});
