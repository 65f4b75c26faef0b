/**
 * Security headers for every response, through helmet: a Content-Security-Policy that runs only
 * Yici's own script files (no inline script, no eval), who may frame which page, HSTS behind
 * https, Cross-Origin-Opener-Policy and a Permissions-Policy that turns off what no page uses.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** Where Teams hosts tabs (web, desktop and mobile clients, Microsoft 365 app). */
export const TEAMS_FRAME_ANCESTORS = "'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.teams.microsoft.us https://*.cloud.microsoft https://*.office.com https://*.microsoft365.com";

/** Inside Teams, teams-js reads the list of Teams' host domains from Microsoft's CDN. */
const TEAMS_JS_CDN = 'https://res.cdn.office.net';

/** Browser features no Yici page uses; a page (or something injected into it) cannot turn them on. */
export const PERMISSIONS_POLICY = 'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), browsing-topics=()';

export interface SecurityHeaderOptions {
  /** frame-ancestors of the chat page: "'self'" (the default), or the portals that embed it (EMBED_ORIGINS). */
  embedOrigins: string;
  /** Teams may frame the officer console (its personal tab). */
  teamsTab: boolean;
  /** The service is reached over https (an https PUBLIC_URL or COOKIE_SECURE): HSTS and upgrade-insecure-requests. */
  https: boolean;
}

const isChatPage = (path: string) => path === '/' || path === '/index.html';
const isOfficerPage = (path: string) => path === '/officer' || path === '/officer.html';

/** A Host header that is a plain host[:port]; anything else is not echoed into a header. */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The websocket endpoints of this host. CSP 'self' already covers ws(s) to the same host in
 * current browsers; naming them keeps older Safari working. Never another host.
 */
const sameHostSockets = (req: IncomingMessage): string => {
  const host = req.headers.host ?? '';
  return PLAIN_HOST.test(host) ? `ws://${host} wss://${host}` : '';
};

export function securityHeaders(options: SecurityHeaderOptions): RequestHandler {
  const build = (frameAncestors: string, extraConnect: string[]) =>
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'script-src-attr': ["'none'"],
          // Inline style attributes (a few in the pages, ECharts' tooltips) are allowed; scripts are not.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'"],
          'connect-src': ["'self'", (req) => sameHostSockets(req), ...extraConnect],
          'object-src': ["'none'"],
          'base-uri': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': frameAncestors.split(' '),
          ...(options.https ? { 'upgrade-insecure-requests': [] } : {}),
        },
      },
      crossOriginOpenerPolicy: { policy: 'same-origin' },
      // embed.js is loaded by the portals' pages, so it may be read across origins; nothing else.
      crossOriginResourcePolicy: false,
      referrerPolicy: { policy: 'same-origin' },
      // Not includeSubDomains: other sites under the same domain may still be plain http.
      strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
      // X-Frame-Options only where nobody else may frame the page (it cannot list origins).
      xFrameOptions: frameAncestors === "'self'" ? { action: 'sameorigin' } : false,
    });
  const sameOriginOnly = replayed(build("'self'", []));
  const chatPage = options.embedOrigins === "'self'" ? sameOriginOnly : replayed(build(options.embedOrigins, []));
  const officerInTeams = options.teamsTab ? replayed(build(TEAMS_FRAME_ANCESTORS, [TEAMS_JS_CDN])) : sameOriginOnly;
  return (req, res, next) => {
    res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
    res.setHeader('Cross-Origin-Resource-Policy', req.path === '/embed.js' ? 'cross-origin' : 'same-origin');
    const h = isChatPage(req.path) ? chatPage : options.teamsTab && isOfficerPage(req.path) ? officerInTeams : sameOriginOnly;
    h(req, res, next);
  };
}

/** How many request hosts' headers each kind of page keeps; a client sending other Host headers only gets them computed again. */
const HOSTS_KEPT = 16;

/** What one helmet middleware does to a response, in order: a header set to a value, or removed (null). */
type Recorded = [name: string, value: string | null][];

/**
 * The helmet middleware `h`, run once per request host and replayed after that. Its headers
 * depend on the request only through the websocket sources (the Host header), so they are
 * recorded against a stand-in response and set again as recorded: the same headers in the same
 * order, without rebuilding the policy text on every chat message. Anything helmet refuses is
 * passed on by calling it as before.
 */
function replayed(h: RequestHandler): RequestHandler {
  const byHost = new Map<string, Recorded>();
  const record = (host: string): Recorded | undefined => {
    const out: Recorded = [];
    let failed = false;
    const req = { headers: { host } } as IncomingMessage;
    const res = { setHeader: (name: string, value: string) => void out.push([name, value]), removeHeader: (name: string) => void out.push([name, null]) };
    (h as unknown as (req: unknown, res: unknown, next: (err?: unknown) => void) => void)(req, res, (err) => (failed = err !== undefined));
    return failed ? undefined : out;
  };
  return (req, res, next) => {
    // Every Host that is not a plain host[:port] gives the same headers (no websocket sources).
    const host = req.headers.host !== undefined && PLAIN_HOST.test(req.headers.host) ? req.headers.host : '';
    let headers = byHost.get(host);
    if (!headers) {
      headers = record(host);
      if (!headers) return h(req, res, next);
      if (byHost.size >= HOSTS_KEPT) byHost.delete(byHost.keys().next().value!);
      byHost.set(host, headers);
    }
    for (const [name, value] of headers) {
      if (value === null) res.removeHeader(name);
      else res.setHeader(name, value);
    }
    next();
  };
}
