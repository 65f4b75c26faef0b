/**
 * The server is started the same way everywhere users start it: package.json's start script, the
 * systemd unit and the container image pass node the same options (the heap limit that keeps memory
 * under load near 300 MB: docs/deploy.md › Memory), and the benchmarks read them from package.json.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startNodeOptions } from '../../scripts/lib/start-command.js';

const root = resolve(import.meta.dirname, '../..');

describe('node options of the server', () => {
  it('are the same in npm start, the systemd unit and the Dockerfile', async () => {
    const options = startNodeOptions(root);
    expect(options).toContain('--max-old-space-size=1024');
    const unit = await readFile(join(root, 'deploy/yici.service'), 'utf8');
    const exec = /^ExecStart=\/usr\/bin\/node (.*) dist\/main\.js$/m.exec(unit);
    expect(exec?.[1]?.split(/\s+/)).toEqual(options);
    const dockerfile = await readFile(join(root, 'deploy/Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(JSON.parse(cmd![1]!)).toEqual(['node', ...options, 'dist/main.js']);
  });
});
