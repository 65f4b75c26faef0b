/**
 * nginx in front of local Yici instances, with the configuration users deploy (deploy/nginx.conf:
 * round robin, keep-alive to the instances, websocket upgrade), for `npm run bench -- --cluster`.
 * Only the upstream addresses and the listening port are changed; everything nginx writes goes to
 * a temporary folder. Returns null where nginx is not installed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { waitHealthy } from './wait-healthy.js';

function nginxBinary(): string | null {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' });
      return candidate;
    } catch {
      /* not this one */
    }
  }
  return null;
}

export async function startNginx(root: string, ports: number[]): Promise<{ url: string; pid: number; name: string; stop(): Promise<void> } | null> {
  const bin = nginxBinary();
  if (!bin) return null;
  const dir = await mkdtemp(join(tmpdir(), 'yici-nginx-'));
  const port = await freePort();
  const site = (await readFile(join(root, 'deploy/nginx.conf'), 'utf8'))
    .replace(/^\s*server yici-\d:3000[^\n]*\n/gm, '')
    .replace(/upstream yici \{\n/, `upstream yici {\n${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;\n`).join('')}`)
    .replace(/listen 80;/, `listen 127.0.0.1:${port};`);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${join(dir, t)};`).join('\n');
  // One worker: the machine's cores are shared with the instances, the database and the load.
  await writeFile(
    join(dir, 'nginx.conf'),
    `worker_processes 1;\npid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')} warn;\nevents { worker_connections 1024; }\nhttp {\n    access_log off;\n${temp}\n${site}\n}\n`,
  );
  if (!ports.every((p) => site.includes(`server 127.0.0.1:${p} `)) || !site.includes(`listen 127.0.0.1:${port};`)) {
    console.error('nginx: deploy/nginx.conf no longer has the upstream and listen lines this benchmark rewrites; using the Node.js proxy');
    await rm(dir, { recursive: true, force: true });
    return null;
  }
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('error', () => {}); // reported below as not answering
  const url = `http://127.0.0.1:${port}`;
  if (Number.isNaN(await waitHealthy(url, 10_000))) {
    console.error(`nginx did not answer on ${url} (see ${join(dir, 'error.log')}); using the Node.js proxy`);
    child.kill('SIGKILL');
    return null;
  }
  return {
    url,
    pid: child.pid ?? 0,
    name: 'nginx (deploy/nginx.conf, one worker)',
    async stop() {
      await new Promise((r) => (child.kill('SIGQUIT'), child.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
