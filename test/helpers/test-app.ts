/** An in-process app on a random port with a memory store and the fixture engine. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../src/core/logger.js';
import { createApp, type AppDeps } from '../../src/server/create-app.js';
import { createChatService } from '../../src/service/chat-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { fixtureEngine } from './fixture-engine.js';

/** `options` overrides what createApp is given (security settings, limits, a logger). */
export async function startTestApp(options: Partial<AppDeps> = {}): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  const store = createMemoryStore();
  const chat = createChatService({ engine: fixtureEngine, store });
  const app = createApp({
    chat,
    engine: fixtureEngine,
    store,
    logger: silentLogger,
    startedAt: new Date(),
    maxMessageLength: 500,
    maxBodyBytes: '16kb',
    ...options,
  });
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
