/**
 * The publish gate judges the change, on the shipped question set (eval/questions.yaml): an edit
 * that stops questions being answered, or pulls unrelated questions to the entry, is refused with
 * the list unless the reviewer overrides with a reason; a harmless edit goes through.
 */
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { staffHttp } from '../helpers/staff-http.js';

const root = resolve(import.meta.dirname, '../..');
let running: RunningServer;
let ed1: string;
let ed2: string;

const http = staffHttp(() => running.url);
const json = http.json;
const login = (username: string) => http.login(username, 'Editor-desk-2026');
type Entry = Record<string, unknown> & { aliases: string[]; keywords?: string[] };
const entry = async (id: string) => ((await (await json('GET', `/api/kb/entries/${id}`, undefined, ed1)).json()) as { entry: Entry }).entry;
const draft = async (id: string, changed: Entry) =>
  ((await (await json('POST', '/api/kb/drafts', { entryId: id, entry: changed, note: '测试' }, ed1)).json()) as { draft: { id: string } }).draft.id;
interface Refusal {
  error: { code: string; message: string; details: { lost: { q: string; after: { id: string | null } }[]; drawn: { q: string; expect: string[] }[]; broke: string[] } };
}

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'yici-gate-'));
  await cp(join(root, 'knowledge'), join(dir, 'knowledge'), { recursive: true });
  running = await startServer(
    readConfig({
      PORT: '0',
      DATA_DIR: join(dir, 'data'),
      KNOWLEDGE_DIR: join(dir, 'knowledge'),
      EVAL_FILE: join(root, 'eval/questions.yaml'),
      LOG_LEVEL: 'silent',
      ADMIN_USERNAME: 'chief',
      ADMIN_PASSWORD: 'Strong-pass-2026',
    }),
    silentLogger,
    { print: () => {} },
  );
  const admin = (await json('POST', '/api/auth/login', { username: 'chief', password: 'Strong-pass-2026' })).headers.get('set-cookie')!.split(';')[0]!;
  for (const username of ['gate-ed1', 'gate-ed2']) {
    expect((await json('POST', '/api/admin/users', { username, password: 'Editor-desk-2026', role: 'editor' }, admin)).status).toBe(201);
  }
  ed1 = await login('gate-ed1');
  ed2 = await login('gate-ed2');
}, 60_000);

afterAll(async () => {
  await running?.close();
});

describe('the publish gate judges the change', () => {
  it('refuses renaming a bundle and deleting its aliases, listing the questions it no longer answers; the draft stays open for an override with a reason', async () => {
    const base = await entry('bundle-medical-institution');
    const id = await draft('bundle-medical-institution', { ...base, title: '医疗机构开设', aliases: [], keywords: [] });
    const res = await json('POST', `/api/kb/drafts/${id}/approve`, {}, ed2);
    expect(res.status).toBe(409);
    const body = (await res.json()) as Refusal;
    expect(body.error.code).toBe('publish_gate');
    expect(body.error.details.lost.map((m) => m.q)).toContain('医疗机构设立一件事怎么办');
    expect(body.error.details.broke).toEqual(body.error.details.lost.map((m) => m.q));
    // Shares with two decimals and counts, never "96.2% → 96.2%".
    expect(body.error.message).toMatch(/\d+\.\d\d%（\d+\/\d+）.*变为 \d+\.\d\d%（\d+\/\d+）/);

    const drafts = (await (await json('GET', '/api/kb/drafts', undefined, ed2)).json()) as { drafts: { id: string; status: string; refusal?: string }[] };
    expect(drafts.drafts.find((d) => d.id === id)).toMatchObject({ status: 'pending', refusal: expect.stringContaining('不再答对') });

    expect((await json('POST', `/api/kb/drafts/${id}/approve`, { override: { reason: '' } }, ed2)).status).toBe(400);
    const forced = await json('POST', `/api/kb/drafts/${id}/approve`, { override: { reason: '名称按省里新目录统一，别名另行补充' } }, ed2);
    expect(forced.status).toBe(200);
    const { revision } = (await forced.json()) as { revision: { gateOverride?: string } };
    expect(revision.gateOverride).toMatch(/不再答对.*理由：名称按省里新目录统一/);
    const history = (await (await json('GET', '/api/kb/entries/bundle-medical-institution/history', undefined, ed1)).json()) as { revisions: { gateOverride?: string }[] };
    expect(history.revisions[0]?.gateOverride).toMatch(/理由/); // newest first
  }, 60_000);

  it('refuses an FAQ that takes 70 other matters\' questions as aliases, listing the questions it would pull', async () => {
    const base = (await entry('faq-restaurant-licenses')) as Entry & { related: string[] };
    const own = new Set([base.id as string, ...base.related]);
    const labelled = parse(await readFile(join(root, 'eval/questions.yaml'), 'utf8')) as { q: string; expect: string[] }[];
    const borrowed = labelled
      .filter((x) => x.expect.length > 0 && !x.expect.some((id) => own.has(id)))
      .filter((_, i) => i % 5 === 0)
      .slice(0, 70)
      .map((x) => x.q);
    expect(borrowed).toHaveLength(70);
    const id = await draft('faq-restaurant-licenses', { ...base, aliases: [...base.aliases, ...borrowed] });
    const res = await json('POST', `/api/kb/drafts/${id}/approve`, {}, ed2);
    expect(res.status).toBe(409);
    const body = (await res.json()) as Refusal;
    expect(body.error.details.drawn.length).toBeGreaterThan(0);
    for (const m of body.error.details.drawn) expect(m.expect.some((x) => own.has(x))).toBe(false);
    expect(body.error.message).toMatch(/个不属于这个条目的问题会转到它这里/);
  }, 60_000);

  it('lets a harmless edit through', async () => {
    const base = await entry('item-marriage-registration');
    const id = await draft('item-marriage-registration', { ...base, aliases: [...base.aliases, '领结婚证明'] });
    const res = await json('POST', `/api/kb/drafts/${id}/approve`, {}, ed2);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revision: { gateOverride?: string } }).revision.gateOverride).toBeUndefined();
  }, 60_000);
});
