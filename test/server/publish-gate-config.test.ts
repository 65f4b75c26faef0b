/** The publish gate's questions ship with the application; a missing set stops the start unless the gate is turned off on purpose. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { StartupError, startServer } from '../../src/server/start-server.js';

describe('publish gate questions at start-up', () => {
  it('ship in eval/ and are the default', () => {
    expect(readConfig({}).evalFile).toMatch(/eval\/questions\.yaml$/);
    expect(readConfig({}).publishGate).toBe(true);
  });

  it('stop the start when missing, naming the file and how to turn the gate off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yici-gate-'));
    const config = readConfig({ PORT: '0', DATA_DIR: join(dir, 'data'), EVAL_FILE: join(dir, 'missing.yaml'), LOG_LEVEL: 'silent' });
    const started = startServer(config, silentLogger, { print: () => {} });
    await expect(started).rejects.toBeInstanceOf(StartupError);
    await expect(started).rejects.toThrow(/missing\.yaml.*PUBLISH_GATE=off/s);
  });

  it('are not needed when PUBLISH_GATE=off says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yici-gate-'));
    const config = readConfig({ PORT: '0', DATA_DIR: join(dir, 'data'), EVAL_FILE: join(dir, 'missing.yaml'), PUBLISH_GATE: 'off', LOG_LEVEL: 'silent' });
    const running = await startServer(config, silentLogger, { print: () => {} });
    await running.close();
  });
});

describe('folders named by the settings', () => {
  it('a missing FLOWS_DIR or KNOWLEDGE_DIR stops the start with the folder and the setting named, instead of starting with nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yici-folders-'));
    const base = { PORT: '0', DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent' };
    const noFlows = startServer(readConfig({ ...base, FLOWS_DIR: join(dir, 'no-flows') }), silentLogger, { print: () => {} });
    await expect(noFlows).rejects.toBeInstanceOf(StartupError);
    await expect(noFlows).rejects.toThrow(/no-flows.*FLOWS_DIR/s);
    const noKnowledge = startServer(readConfig({ ...base, KNOWLEDGE_DIR: join(dir, 'no-knowledge') }), silentLogger, { print: () => {} });
    await expect(noKnowledge).rejects.toThrow(/no-knowledge.*KNOWLEDGE_DIR/s);
  });
});
