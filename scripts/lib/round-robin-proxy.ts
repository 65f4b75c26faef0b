/**
 * A small round-robin reverse proxy for `npm run test:cluster`: what nginx does in
 * deploy/nginx.conf, with local processes. Each request (and websocket upgrade) goes to the next
 * instance in turn; when an instance refuses the connection (it is dead), the request goes to the
 * next one. A request that reached an instance is never sent again (like nginx for POST): if that
 * instance dies before answering, the client gets 502 and decides for itself.
 */
import { request, createServer, Agent, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Target {
  host: string;
  port: number;
}

export interface RoundRobinProxy {
  url: string;
  /** Requests sent on to each target (by index), and connections refused (failed over). */
  stats: { sent: number[]; refused: number; failed: number };
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export async function startRoundRobinProxy(targets: Target[], port = 0): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const stats = { sent: targets.map(() => 0), refused: 0, failed: 0 };
  let next = 0;
  const order = () => {
    const start = next;
    next = (next + 1) % targets.length;
    return targets.map((_, i) => (start + i) % targets.length);
  };
  const bodyOf = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => resolve(Buffer.concat(parts)));
      req.on('error', reject);
    });

  const server: Server = createServer(async (req, res) => {
    const body = await bodyOf(req).catch(() => null);
    if (body === null) return void res.destroy();
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
    const attempt = (queue: number[]): void => {
      const i = queue[0];
      if (i === undefined) {
        stats.failed++;
        res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"no_instance","message":"没有可用的实例"}}');
        return;
      }
      const t = targets[i]!;
      let connected = false;
      const out = request({ host: t.host, port: t.port, method: req.method, path: req.url, headers: { ...headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' }, agent }, (up) => {
        res.writeHead(up.statusCode ?? 502, Object.fromEntries(Object.entries(up.headers).filter(([k]) => !HOP_BY_HOP.has(k))));
        up.pipe(res);
        up.on('error', () => res.destroy());
      });
      out.on('socket', (s) => {
        if (!s.connecting) connected = true;
        else s.once('connect', () => (connected = true));
      });
      out.on('error', () => {
        // Not connected: the request never reached the instance, so it is safe to send it to the next.
        if (!connected && !res.headersSent) {
          stats.refused++;
          attempt(queue.slice(1));
          return;
        }
        stats.failed++;
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"instance_lost","message":"实例在处理中断开"}}');
        else res.destroy();
      });
      stats.sent[i]!++;
      out.end(body);
    };
    attempt(order());
  });

  // Websockets: the upgrade goes to the next live instance and stays there.
  server.on('upgrade', (req, socket, head) => {
    const tryNext = (queue: number[]): void => {
      const i = queue[0];
      if (i === undefined) return void socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
      const t = targets[i]!;
      const up = connect(t.port, t.host);
      up.once('error', () => tryNext(queue.slice(1)));
      up.once('connect', () => {
        up.removeAllListeners('error');
        const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)];
        up.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) up.write(head);
        up.pipe(socket).pipe(up);
        up.on('error', () => socket.destroy());
        socket.on('error', () => up.destroy());
        up.on('close', () => socket.destroy());
        socket.on('close', () => up.destroy());
      });
    };
    tryNext(order());
  });

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
