/** The publish gate's questions ship with the application; a missing set stops the start unless the gate is turned off on purpose. */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { StartupError, startServer } from '../../src/server/start-server.js';
import { readPublishGateQuestions } from '../../src/server/startup-settings.js';

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

describe('publish gate questions kept parsed between starts', () => {
  it('reads the parsed copy while the file is unchanged, the file again once it changes, and parses again over a damaged copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yici-gate-cache-'));
    const file = join(dir, 'questions.yaml');
    const config = { publishGate: true, evalFile: file, dataDir: join(dir, 'data') };
    const cache = join(dir, 'data', 'publish-gate-cache');
    await writeFile(file, '- q: 社保卡丢了怎么补\n  expect: [item-social-security-card]\n');
    expect(await readPublishGateQuestions(config, silentLogger)).toEqual([{ q: '社保卡丢了怎么补', expect: ['item-social-security-card'] }]);
    const [kept] = await readdir(cache);
    expect(kept).toMatch(/^[0-9a-f]{64}\.json$/);
    // The copy is what a start reads while the file is unchanged.
    await writeFile(join(cache, kept!), JSON.stringify([{ q: '从副本读出', expect: [] }]));
    expect(await readPublishGateQuestions(config, silentLogger)).toEqual([{ q: '从副本读出', expect: [] }]);
    // A changed file is read again, and its copy replaces the old one.
    await writeFile(file, '- q: 身份证丢了怎么补\n  expect: [item-resident-id-card]\n');
    expect(await readPublishGateQuestions(config, silentLogger)).toEqual([{ q: '身份证丢了怎么补', expect: ['item-resident-id-card'] }]);
    const [now] = await readdir(cache);
    expect((await readdir(cache)).length).toBe(1);
    expect(now).not.toBe(kept);
    // A damaged copy (a crash mid-write elsewhere) is parsed again, never half used.
    await writeFile(join(cache, now!), '[{"q": "半');
    expect(await readPublishGateQuestions(config, silentLogger)).toEqual([{ q: '身份证丢了怎么补', expect: ['item-resident-id-card'] }]);
    // A malformed set still stops the start, copy or not.
    await writeFile(file, '- nothing: here\n');
    await expect(readPublishGateQuestions(config, silentLogger)).rejects.toBeInstanceOf(StartupError);
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
