/**
 * Issue 16 part 4: a start without Teams, PostgreSQL or Redis configured does not import botkit
 * (the Bot Framework SDK), pg or ioredis — they cost about a second and tens of megabytes. In a
 * child process of its own, since the test runner may have loaded them already; with Teams on
 * (emulator mode), botkit is loaded and the endpoint answers (teams-emulator.test.ts covers the
 * endpoint in depth).
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Starts the server in a child process with `env`; resolves the heavy packages it loaded and the status of POST /api/messages. */
async function startAndList(env: Record<string, string>): Promise<{ loaded: string[]; teams: number }> {
  const script = `
    import { createRequire } from 'node:module';
    const { readConfig } = await import('./src/config.ts');
    const { silentLogger } = await import('./src/core/logger.ts');
    const { startServer } = await import('./src/server/start-server.ts');
    const s = await startServer(readConfig(), silentLogger, { print: () => {} });
    const teams = (await fetch(s.url + '/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status;
    const cache = createRequire(import.meta.url).cache;
    const loaded = ['botkit', 'botbuilder', 'pg', 'ioredis'].filter((p) => Object.keys(cache).some((f) => f.includes('/node_modules/' + p + '/')));
    await s.close();
    console.log(JSON.stringify({ loaded, teams }));
    process.exit(0);
  `;
  const dataDir = await mkdtemp(join(tmpdir(), 'yici-lazy-'));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', ...env },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { loaded: string[]; teams: number };
}

describe('optional packages are imported only when configured', () => {
  it('without Teams, PostgreSQL or Redis: none of botkit, botbuilder, pg, ioredis is loaded', async () => {
    const { loaded, teams } = await startAndList({ TEAMS_EMULATOR: 'off' });
    expect(loaded).toEqual([]);
    expect(teams).toBe(404);
  }, 150_000);

  it('with the Teams emulator on: botkit is loaded and the endpoint takes requests', async () => {
    const { loaded, teams } = await startAndList({ TEAMS_EMULATOR: 'on' });
    expect(loaded).toContain('botkit');
    expect(teams).not.toBe(404);
  }, 150_000);
});
