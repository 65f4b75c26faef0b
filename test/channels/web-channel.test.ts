/** Web chat over the websocket, against the real server. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SOCKET_PATH } from '../../src/channels/web/web-channel.js';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

let running: RunningServer;
beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'yici-ws-'));
  running = await startServer(readConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), silentLogger);
});
afterAll(() => running.close());

function open(): Promise<{ ws: WebSocket; next: () => Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(running.url.replace('http', 'ws') + SOCKET_PATH);
  const queue: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => void)[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, unknown>;
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const m = queue.shift();
      if (m) return resolve(m);
      const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5000);
      waiters.push((x) => {
        clearTimeout(timer);
        resolve(x);
      });
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, next }));
    ws.once('error', reject);
  });
}

describe('web channel', () => {
  it('answers a message sent over the socket with the same replies as the REST route', async () => {
    const { ws, next } = await open();
    ws.send(JSON.stringify({ type: 'message', user: 'ws-session-00001', text: '营业执造 个体户' }));
    const m = await next();
    expect(m.type).toBe('message');
    expect(m.sessionKey).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(m.mode).toBe('bot');
    expect((m.match as { id: string }).id).toBe('item-individual-business-registration');
    expect((m.replies as { type: string }[]).map((r) => r.type)).toEqual(['text', 'choices']);
    expect(String(m.text)).toContain('个体工商户设立登记');
    ws.close();
  });

  it('takes a button press and keeps the conversation in the shared transcript', async () => {
    const { ws, next } = await open();
    ws.send(JSON.stringify({ type: 'message', user: 'ws-session-00002', text: '烟草证' }));
    const first = await next();
    // The socket that started the conversation holds its key: the next message needs no key.
    ws.send(JSON.stringify({ type: 'message', user: 'ws-session-00002', choice: 'aspect:materials' }));
    const m = await next();
    expect(String(m.text)).toContain('需要准备的材料');
    expect(m.sessionKey).toBeUndefined();
    const t = (await (await fetch(`${running.url}/api/chat/ws-session-00002/messages?after=0`, { headers: { 'x-session-key': String(first.sessionKey) } })).json()) as { messages: unknown[] };
    expect(t.messages).toHaveLength(4);
    ws.close();
  });

  it('answers bad input with an error message, not silence', async () => {
    const { ws, next } = await open();
    ws.send(JSON.stringify({ type: 'message', user: 'ws-session-00003', text: '长'.repeat(501) }));
    expect(((await next()).error as { code: string }).code).toBe('message_too_long');
    ws.send(JSON.stringify({ type: 'message', user: 'bad id!', text: '你好' }));
    expect(((await next()).error as { code: string }).code).toBe('invalid_session');
    ws.send(JSON.stringify({ type: 'message', user: 'ws-short', text: '你好' }));
    expect(((await next()).error as { code: string }).code).toBe('invalid_session');
    ws.send(JSON.stringify({ type: 'message', text: '你好' }));
    expect(((await next()).error as { code: string }).code).toBe('invalid_session');
    ws.send('not json');
    expect(((await next()).error as { code: string }).code).toBe('invalid_json');
    ws.close();
  });

  it('refuses upgrades on other paths', async () => {
    const ws = new WebSocket(running.url.replace('http', 'ws') + '/elsewhere');
    const err = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(err.message).toMatch(/404/);
  });
});
