/**
 * The express application: JSON body limits, security headers, the chat page, the routes of
 * the HTTP contract and one error handler. No listening here; start-server.ts owns the server.
 */
import express, { type Express, type RequestHandler } from 'express';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
import type { Logger } from '../core/logger.js';
import { createLocalBus } from '../storage/local-bus.js';
import type { Bus, Store } from '../storage/ports.js';
import { CHAT_PATH, chatRoute, citizenRoutes, type CitizenDeps } from './citizen-routes.js';
import { healthRoutes } from './health-routes.js';
import { errorHandler, notFound, sendError } from './http-error.js';
import { securityHeaders } from './security-headers.js';
import { IMPORT_PATH } from './import-routes.js';
import { refuseDeepJson } from './validate.js';
import { createRateLimits, type RateLimits } from './rate-limits.js';
import { inOrder } from './in-order.js';

export interface AppDeps extends CitizenDeps {
  logger: Logger;
  store: Store;
  startedAt: Date;
  maxBodyBytes: string;
  /** Origins besides this site allowed to frame the chat page (CSP frame-ancestors), e.g. "https://www.wuzhou.gov.cn"; none by default, "*" for any. */
  embedOrigins?: string;
  /** Served over https (an https PUBLIC_URL or COOKIE_SECURE): HSTS. */
  https?: boolean;
  /** Let Microsoft Teams frame the officer console (its personal tab). */
  teamsTab?: boolean;
  /** Per-client rate limits; the defaults when not given. */
  rateLimits?: RateLimits;
  /** Express 'trust proxy': which reverse proxies may name the client address (X-Forwarded-For). */
  trustProxy?: number | string;
  /** The published knowledge version, for the health check. */
  knowledgeVersion?: () => number;
  /** The bus to the other instances, for the health check; a single instance's local bus when not given. */
  bus?: Bus;
  /** Extra routers mounted before the 404 handler (channels, officer and editor APIs). */
  extra?: RequestHandler[];
}

/** Static files of the chat page; the same relative path from src/server and dist/server. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/**
 * Who may frame the chat page: this site, plus the portals that embed it (EMBED_ORIGINS); any
 * site only when EMBED_ORIGINS is `*` on purpose.
 */
export const chatFrameAncestors = (embedOrigins: string | undefined): string => {
  const origins = (embedOrigins ?? '').split(/\s+/).filter((o) => o && o !== "'self'");
  if (origins.includes('*')) return '*';
  return ["'self'", ...new Set(origins)].join(' ');
};

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  const frameAncestors = chatFrameAncestors(deps.embedOrigins);
  const security = securityHeaders({ embedOrigins: frameAncestors, teamsTab: deps.teamsTab ?? false, https: deps.https ?? deps.publicUrl?.startsWith('https://') ?? false });
  // Every JSON body is small and shallow. Spreadsheet imports (up to 8 MB) are read by their own
  // route, only after the caller is known to be an editor (import-routes.ts).
  const smallJson = express.json({ limit: deps.maxBodyBytes, strict: true, verify: refuseDeepJson() });
  const bodies: RequestHandler = (req, res, next) => (req.path === IMPORT_PATH ? next() : smallJson(req, res, next));
  const limits = (deps.rateLimits ?? createRateLimits()).middleware;
  // A chat message, the request that comes by far the most often, passes the same middleware in
  // the same order as every request, then its route — without walking the router's other layers
  // (pages, files, health, search) first. An error goes on to the error handler as before.
  const chat = inOrder([security, bodies, ...limits, chatRoute(deps)]);
  app.use((req, res, next) => (req.method === 'POST' && req.path === CHAT_PATH ? chat(req, res, next) : next()));
  app.use(security);
  if (frameAncestors === '*') deps.logger.warn('chat_page_embedding', { frameAncestors, note: 'EMBED_ORIGINS=*: any website may frame the chat page' });
  else deps.logger.info('chat_page_embedding', { frameAncestors, note: frameAncestors === "'self'" ? 'only this site may frame the chat page; set EMBED_ORIGINS to the portals that embed it' : 'these origins may frame the chat page' });
  app.use(bodies);
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  app.use(limits);
  // Pages and their files; an API request never looks for a file under public/ first (a stat per message).
  const pages = express.static(PUBLIC_DIR, { index: 'index.html', maxAge: '1h' });
  app.use((req, res, next) => (req.path.startsWith('/api/') ? next() : pages(req, res, next)));
  app.get('/officer', (_req, res) => res.sendFile('officer.html', { root: PUBLIC_DIR }));
  app.get('/admin', (_req, res) => res.sendFile('admin.html', { root: PUBLIC_DIR }));
  app.get('/editor', (_req, res) => res.sendFile('editor.html', { root: PUBLIC_DIR }));
  // Browser libraries served from the installed packages (no CDN: the service runs offline).
  app.get('/vendor/echarts.min.js', (_req, res) => res.sendFile(require.resolve('echarts/dist/echarts.min.js')));
  // The yaml package's browser build (ES modules), for editing an entry as YAML like its file.
  app.get('/vendor/teams-js.min.js', (_req, res) => res.sendFile(require.resolve('@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js')));
  app.use('/vendor/yaml', express.static(join(dirname(require.resolve('yaml/package.json')), 'browser/dist'), { maxAge: '1h' }));
  app.use(healthRoutes({ engine: deps.engine, store: deps.store, bus: deps.bus ?? createLocalBus(), startedAt: deps.startedAt, ...(deps.knowledgeVersion ? { knowledgeVersion: deps.knowledgeVersion } : {}) }));
  app.use(citizenRoutes(deps));
  for (const h of deps.extra ?? []) app.use(h);
  // A known API path with the wrong method gets 405 rather than a misleading 404.
  app.all(['/api/health', '/api/ready', '/api/health/live', '/api/search', '/api/chat', '/api/chat/:sessionId/messages', '/api/feedback', '/api/feedback/process', '/api/feedback/rating', '/api/checklists/:id'], (req, res) =>
    sendError(res, 405, 'method_not_allowed', `${req.path} 不支持 ${req.method}`),
  );
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
