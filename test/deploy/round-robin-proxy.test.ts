/** The cluster test's proxy (scripts/lib/round-robin-proxy.ts): turns, failover, websockets. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../scripts/lib/round-robin-proxy.js';
import { freePort } from '../../scripts/lib/free-port.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function backend(name: string): Promise<{ server: Server; port: number; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, method: req.method, url: req.url, body }));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`${name}:${m.toString()}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push({ close: () => new Promise((r) => { wss.close(); server.closeAllConnections(); server.close(r); }) });
  return { server, port: (server.address() as AddressInfo).port, bodies };
}


describe('round-robin proxy', () => {
  let proxy: RoundRobinProxy;
  it('sends requests to the instances in turn, with method, path and body', async () => {
    const [a, b] = [await backend('a'), await backend('b')];
    proxy = await startRoundRobinProxy([{ host: '127.0.0.1', port: a.port }, { host: '127.0.0.1', port: b.port }]);
    open.push(proxy);
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${proxy.url}/api/chat?x=${i}`, { method: 'POST', body: `m${i}` });
      const out = (await res.json()) as { name: string; method: string; url: string; body: string };
      expect(out).toMatchObject({ method: 'POST', url: `/api/chat?x=${i}`, body: `m${i}` });
      names.push(out.name);
    }
    expect(names).toEqual(['a', 'b', 'a', 'b']);
  });

  it('skips an instance that refuses connections, and answers 502 when none is left', async () => {
    const a = await backend('a');
    const dead = await freePort();
    proxy = await startRoundRobinProxy([{ host: '127.0.0.1', port: dead }, { host: '127.0.0.1', port: a.port }]);
    open.push(proxy);
    for (let i = 0; i < 3; i++) expect(((await (await fetch(`${proxy.url}/x`, { method: 'POST', body: `m${i}` })).json()) as { name: string }).name).toBe('a');
    expect(a.bodies).toEqual(['m0', 'm1', 'm2']);
    expect(proxy.stats.refused).toBeGreaterThanOrEqual(1);
    const none = await startRoundRobinProxy([{ host: '127.0.0.1', port: dead }]);
    open.push(none);
    expect((await fetch(`${none.url}/x`)).status).toBe(502);
  });

  it('passes websockets through to an instance', async () => {
    const a = await backend('a');
    proxy = await startRoundRobinProxy([{ host: '127.0.0.1', port: a.port }]);
    open.push(proxy);
    const ws = new WebSocket(proxy.url.replace('http', 'ws') + '/socket');
    await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
    const reply = new Promise<string>((r) => ws.once('message', (m) => r(m.toString())));
    ws.send('hello');
    expect(await reply).toBe('a:hello');
    ws.close();
  });
});
