/**
 * The served knowledge version: counted by every publish, kept in the store — with the files
 * themselves when the store is shared — and never going back. On the small fixture knowledge
 * base (no walkthroughs), so that several instances load in a moment.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import type { SourceFile } from '../../src/knowledge/parse-knowledge.js';
import { loadLiveKnowledge, type KnowledgeSharing, type LiveKnowledge, type PublishedKnowledge } from '../../src/server/live-knowledge.js';
import { createLocalBus } from '../../src/storage/local-bus.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { Store } from '../../src/storage/ports.js';
import { FIXTURE_FILES, knowledgeFolders } from '../helpers/fixture-kb.js';

const ALIAS = '夜市摆摊登记';
const running: LiveKnowledge[] = [];
afterEach(() => {
  for (const k of running.splice(0)) k.close();
});

/** A knowledge folder holding `files`, and an empty walkthrough folder. */
const folders = (files: SourceFile[] = FIXTURE_FILES) => knowledgeFolders(files, 'yici-live-');
async function load(dirs: { knowledgeDir: string; flowsDir: string }, sharing: KnowledgeSharing, logger: Logger = silentLogger) {
  const k = await loadLiveKnowledge(dirs, createJiebaTokenizer, logger, sharing);
  running.push(k);
  return k;
}
/** Publishes the licence entry with one more alias, the way the editor does; returns the problems. */
async function publishAlias(k: LiveKnowledge, alias: string): Promise<string[]> {
  const kb = k.kb();
  const licence = kb.entries.find((e) => e.id === 'item-licence')!;
  const entry = { ...licence, aliases: [...licence.aliases, alias] };
  return k.runtime.exclusive(() => k.runtime.publish({ ...kb, entries: kb.entries.map((e) => (e.id === entry.id ? entry : e)) }, entry));
}
const aliasesOf = (k: LiveKnowledge) => k.engine().entry('item-licence')!.aliases;
const until = async (done: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

describe('one instance (the embedded store)', () => {
  it('keeps the folder as the truth and counts the versions in the store', async () => {
    const store = createMemoryStore();
    const dirs = await folders();
    const k = await load(dirs, { store, bus: createLocalBus(), shared: false });
    expect(k.version()).toBe(1);
    expect(await publishAlias(k, ALIAS)).toEqual([]);
    expect(k.version()).toBe(2);
    expect(aliasesOf(k)).toContain(ALIAS);
    expect(await readFile(join(dirs.knowledgeDir, 'items/licence.yaml'), 'utf8')).toContain(ALIAS);
    expect(await store.documents('knowledge').read('published')).toBeUndefined();

    const restarted = await load(dirs, { store, bus: createLocalBus(), shared: false });
    expect(restarted.version()).toBe(2);
    expect(aliasesOf(restarted)).toContain(ALIAS);
  });
});

describe('instances sharing the store', () => {
  it('seeds an empty store once when instances start together, and all serve what was seeded', async () => {
    const store = createMemoryStore();
    const seeded: string[] = [];
    const logger: Logger = { ...silentLogger, info: (event) => void (event === 'knowledge_seeded' && seeded.push(event)) };
    // The second folder differs: whichever instance seeds, both must serve the same version 1.
    const other = FIXTURE_FILES.map((f) => (f.path === 'items/licence.yaml' ? { ...f, content: f.content.replace('aliases: [', `aliases: [${ALIAS}, `) } : f));
    const [one, two] = [await folders(), await folders(other)];
    const start = (dirs: typeof one) => load(dirs, { store, bus: createLocalBus(), shared: true }, logger);
    const [x, y] = await Promise.all([start(one), start(two)]);
    expect(seeded).toHaveLength(1);
    expect([x.version(), y.version()]).toEqual([1, 1]);
    expect(aliasesOf(x)).toEqual(aliasesOf(y));
    expect((await store.documents<PublishedKnowledge>('knowledge').read('published'))?.version).toBe(1);
  });

  it('catches up by its periodic check when it missed the bus message, and never goes back to an older version', async () => {
    const store = createMemoryStore();
    const a = await load(await folders(), { store, bus: createLocalBus(), shared: true });
    // B listens on a bus of its own: A's announcement never reaches it.
    const busB = createLocalBus();
    const b = await load(await folders(), { store, bus: busB, shared: true, checkEveryMs: 50 });
    expect(await publishAlias(a, ALIAS)).toEqual([]);
    await until(() => b.version() === 2, 1000);
    expect(b.version()).toBe(2);
    expect(aliasesOf(b)).toContain(ALIAS);

    // An older version written back to the store, and a message naming a version the store does not have.
    await overwrite(store, { version: 1, files: FIXTURE_FILES, at: new Date().toISOString() });
    await busB.publish('knowledge', { version: 7 });
    await new Promise((r) => setTimeout(r, 300));
    expect(b.version()).toBe(2);
    expect(aliasesOf(b)).toContain(ALIAS);
  });

  it('does not publish over a newer stored version that it could not load', async () => {
    const store = createMemoryStore();
    const k = await load(await folders(), { store, bus: createLocalBus(), shared: true });
    await overwrite(store, { version: 2, files: [...FIXTURE_FILES, { path: 'items/broken.yaml', content: 'id: item-broken\nkind: item\n' }], at: new Date().toISOString() });
    const problems = await publishAlias(k, ALIAS);
    expect(problems).toEqual([expect.stringContaining('第 2 版')]);
    expect(k.version()).toBe(1);
    const stored = await store.documents<PublishedKnowledge>('knowledge').read('published');
    expect(stored?.version).toBe(2);
    expect(stored?.files.some((f) => f.content.includes(ALIAS))).toBe(false);
  });
});

async function overwrite(store: Store, p: PublishedKnowledge) {
  await store.documents('knowledge').write('published', p);
  await store.documents('knowledge').write('version', { version: p.version });
}
