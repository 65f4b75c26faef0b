/**
 * Two instances sharing one store and one bus, as a deployment on PostgreSQL and Redis runs them:
 * what an editor publishes on one is served by the other within a second, under the same version
 * number; publishes on both at once get consecutive versions and keep both changes; a restarted
 * instance serves the stored version, not its own stale folder.
 *
 * One process stands in for two: the memory store's lock and the local bus are shared because both
 * instances are handed the same objects. The memory store says `kind: 'memory'`, so the instances
 * are told with `sharedKnowledge: true` that it is shared (what `kind: 'postgres'` implies).
 */
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import type { PublishedKnowledge } from '../../src/server/live-knowledge.js';
import { createLocalBus } from '../../src/storage/local-bus.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { staffHttp } from '../helpers/staff-http.js';

const root = resolve(import.meta.dirname, '../..');
const store = createMemoryStore();
const bus = createLocalBus();
let a: RunningServer;
let b: RunningServer;
let dirB: string;

/** An instance with its own copy of the shipped knowledge folder. */
async function instance(dir: string): Promise<RunningServer> {
  const config = readConfig({
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    KNOWLEDGE_DIR: join(dir, 'knowledge'),
    FLOWS_DIR: join(root, 'flows'),
    PUBLISH_GATE: 'off',
    LOG_LEVEL: 'silent',
    ADMIN_USERNAME: 'chief',
    ADMIN_PASSWORD: 'Strong-pass-2026',
    RATE_LIMIT_SEARCH_PER_MINUTE: '100000',
  });
  return startServer(config, silentLogger, { store, bus, sharedKnowledge: true, print: () => {} });
}
async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'yici-shared-'));
  await cp(join(root, 'knowledge'), join(dir, 'knowledge'), { recursive: true });
  return dir;
}

const httpA = staffHttp(() => a.url);
const httpB = staffHttp(() => b.url);
let ed1: string;
let ed2: string;

type Entry = Record<string, unknown> & { id: string; aliases: string[] };
const entry = async (http: typeof httpA, id: string) => ((await (await http.json('GET', `/api/kb/entries/${id}`, undefined, ed1)).json()) as { entry: Entry }).entry;
const version = async (http: typeof httpA) => ((await (await http.json('GET', '/api/kb/entries', undefined, ed1)).json()) as { version: number }).version;
/** The entry the instance answers `q` with, or null when it would not answer. */
const answer = async (http: typeof httpA, q: string) => {
  const r = (await (await http.json('GET', `/api/search?q=${encodeURIComponent(q)}&k=1`)).json()) as { answerable: boolean; results: { id: string }[] };
  return r.answerable ? (r.results[0]?.id ?? null) : null;
};
/** A draft adding `alias` to the entry, written by editor 1 on `http`. */
async function draft(http: typeof httpA, id: string, alias: string): Promise<string> {
  const base = await entry(http, id);
  const res = await http.json('POST', '/api/kb/drafts', { entryId: id, entry: { ...base, aliases: [...base.aliases, alias] } }, ed1);
  expect(res.status).toBe(201);
  return ((await res.json()) as { draft: { id: string } }).draft.id;
}

beforeAll(async () => {
  const dirA = await folder();
  dirB = await folder();
  // Started together on an empty store: one of them seeds it, the other loads what was seeded.
  [a, b] = await Promise.all([instance(dirA), instance(dirB)]);
  for (const username of ['editora', 'editorb']) await a.accounts.create({ username, password: 'Editor-desk-2026', role: 'editor' });
  // Sessions are in the shared store: a cookie from one instance is good on the other.
  ed1 = await httpA.login('editora', 'Editor-desk-2026');
  ed2 = await httpA.login('editorb', 'Editor-desk-2026');
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('a knowledge base shared by two instances', () => {
  const ALIAS = '星光夜市摆摊手续';
  const LICENCE = 'item-individual-business-registration';

  it('serves what one instance published on the other within a second, under the same version', async () => {
    expect(await version(httpA)).toBe(1);
    expect(await version(httpB)).toBe(1);
    expect(await answer(httpB, ALIAS)).not.toBe(LICENCE);

    const id = await draft(httpA, LICENCE, ALIAS);
    expect((await httpA.json('POST', `/api/kb/drafts/${id}/approve`, undefined, ed2)).status).toBe(200);
    const published = Date.now();
    while ((await answer(httpB, ALIAS)) !== LICENCE) {
      expect(Date.now() - published, 'instance B still answers from the old version').toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await version(httpB)).toBe(2);
    expect(await version(httpA)).toBe(2);
    // The health check says which version each instance serves (what a load balancer's operator compares).
    for (const s of [a, b]) expect(((await (await fetch(`${s.url}/api/health`)).json()) as { knowledge: { version: number } }).knowledge.version).toBe(2);
    expect((await entry(httpB, LICENCE)).aliases).toContain(ALIAS);
    // The publishing instance writes the file (the export copy); the other's folder is left as it was.
    expect(await readFile(join(dirB, 'knowledge/items/individual-business-registration.yaml'), 'utf8')).not.toContain(ALIAS);
  });

  it('gives two publishes at once on the two instances consecutive versions, and keeps both changes', async () => {
    const before = await version(httpA);
    const one = await draft(httpA, 'item-marriage-registration', '去民政局扯证');
    const two = await draft(httpB, 'item-resident-id-card', '身份证换个新的');
    const [ra, rb] = await Promise.all([
      httpA.json('POST', `/api/kb/drafts/${one}/approve`, undefined, ed2),
      httpB.json('POST', `/api/kb/drafts/${two}/approve`, undefined, ed2),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    const stored = (await store.documents<PublishedKnowledge>('knowledge').read('published'))!;
    expect(stored.version).toBe(before + 2);
    const text = stored.files.map((f) => f.content).join('\n');
    expect(text).toContain('去民政局扯证');
    expect(text).toContain('身份证换个新的');
    for (const http of [httpA, httpB]) {
      // Either instance may still be loading the other's publish: wait for it (a second at most).
      const until = Date.now() + 1000;
      while ((await version(http)) !== before + 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(await version(http)).toBe(before + 2);
      expect((await entry(http, 'item-marriage-registration')).aliases).toContain('去民政局扯证');
      expect((await entry(http, 'item-resident-id-card')).aliases).toContain('身份证换个新的');
    }
  });

  it('serves the stored version after a restart, not the stale files of its own folder', async () => {
    const current = await version(httpA);
    await b.close();
    expect(await readFile(join(dirB, 'knowledge/items/individual-business-registration.yaml'), 'utf8')).not.toContain(ALIAS);
    b = await instance(dirB);
    expect(await version(httpB)).toBe(current);
    expect(await answer(httpB, ALIAS)).toBe(LICENCE);
  });
});
