/**
 * Issue 11, findings 5 and 8: security headers on every page — a Content-Security-Policy that
 * runs only Yici's own script files, framing rules, HSTS behind https, COOP, Permissions-Policy —
 * and the pages themselves contain no inline script or event handler.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { PUBLIC_DIR, chatFrameAncestors } from '../../src/server/create-app.js';
import { securityHeaders, TEAMS_FRAME_ANCESTORS } from '../../src/server/security-headers.js';
import { startTestApp } from '../helpers/test-app.js';

const PAGES = ['/', '/index.html', '/officer', '/editor', '/admin', '/officer.html', '/editor.html', '/admin.html'];

/** The CSP as a map from directive to its sources. */
const csp = (res: Response): Map<string, string[]> =>
  new Map(
    (res.headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );

describe('security headers', () => {
  it("every page and API answer carries script-src 'self' without unsafe-inline or unsafe-eval", async () => {
    const app = await startTestApp();
    try {
      for (const path of [...PAGES, '/chat.js', '/api/health', '/api/nothing-here', '/checklist/nope']) {
        const res = await fetch(app.url + path);
        const policy = csp(res);
        expect(policy.get('script-src'), path).toEqual(["'self'"]);
        expect(policy.get('script-src-attr'), path).toEqual(["'none'"]);
        expect(policy.get('default-src'), path).toEqual(["'self'"]);
        expect(policy.get('object-src'), path).toEqual(["'none'"]);
        expect(res.headers.get('content-security-policy'), path).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
        expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
        expect(res.headers.get('permissions-policy'), path).toContain('camera=()');
        expect(res.headers.get('permissions-policy'), path).toContain('geolocation=()');
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(res.headers.get('referrer-policy'), path).toBe('same-origin');
        // Plain http: no HSTS, no forced upgrade.
        expect(res.headers.get('strict-transport-security'), path).toBeNull();
        expect(policy.has('upgrade-insecure-requests'), path).toBe(false);
      }
    } finally {
      await app.close();
    }
  });

  it('websockets may go to this host only; pictures may be data: (nothing else from outside)', async () => {
    const app = await startTestApp();
    try {
      const policy = csp(await fetch(`${app.url}/`));
      const host = new URL(app.url).host;
      expect(policy.get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
      expect(policy.get('img-src')).toEqual(["'self'", 'data:']);
      // A Host header that is not a plain host is not echoed into the policy.
      const { request } = await import('node:http');
      const header = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: new URL(app.url).port, path: '/', headers: { host: 'evil.example; script-src *' } }, (res) => {
          res.resume();
          resolve(String(res.headers['content-security-policy']));
        });
        req.on('error', reject);
        req.end();
      });
      expect(header).not.toContain('evil');
      expect(header).toContain("script-src 'self';");
    } finally {
      await app.close();
    }
  });

  it('by default only this site may frame the chat page, and the start-up log says so', async () => {
    const lines: { level: string; event: string; fields: Record<string, unknown> }[] = [];
    const logger = {
      debug: () => {},
      info: (event: string, fields: Record<string, unknown>) => lines.push({ level: 'info', event, fields }),
      warn: (event: string, fields: Record<string, unknown>) => lines.push({ level: 'warn', event, fields }),
      error: () => {},
    } as unknown as Logger;
    const app = await startTestApp({ logger });
    try {
      const res = await fetch(`${app.url}/`);
      expect(csp(res).get('frame-ancestors')).toEqual(["'self'"]);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(lines.find((l) => l.event === 'chat_page_embedding')?.fields.frameAncestors).toBe("'self'");
    } finally {
      await app.close();
    }
  });

  it('EMBED_ORIGINS lets the named portals frame the chat page (and only the chat page); * is said loudly', async () => {
    const app = await startTestApp({ embedOrigins: 'https://www.wuzhou.gov.cn' });
    try {
      const chat = await fetch(`${app.url}/`);
      expect(csp(chat).get('frame-ancestors')).toEqual(["'self'", 'https://www.wuzhou.gov.cn']);
      expect(chat.headers.get('x-frame-options')).toBeNull();
      for (const path of ['/officer', '/editor', '/admin', '/api/health']) {
        const res = await fetch(app.url + path);
        expect(csp(res).get('frame-ancestors'), path).toEqual(["'self'"]);
        expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      }
    } finally {
      await app.close();
    }
    expect(chatFrameAncestors(undefined)).toBe("'self'");
    expect(chatFrameAncestors('')).toBe("'self'");
    expect(chatFrameAncestors('*')).toBe('*');
    const warned: string[] = [];
    const loud = await startTestApp({ embedOrigins: '*', logger: { debug() {}, info() {}, error() {}, warn: (e: string) => warned.push(e) } as unknown as Logger });
    try {
      expect(csp(await fetch(`${loud.url}/`)).get('frame-ancestors')).toEqual(['*']);
      expect(warned).toContain('chat_page_embedding');
    } finally {
      await loud.close();
    }
  });

  it('embed.js may be loaded by other sites; nothing else may be read across origins', async () => {
    const app = await startTestApp();
    try {
      expect((await fetch(`${app.url}/embed.js`)).headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect((await fetch(`${app.url}/chat.js`)).headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect((await fetch(`${app.url}/api/health`)).headers.get('cross-origin-resource-policy')).toBe('same-origin');
    } finally {
      await app.close();
    }
  });

  it('behind https: HSTS and upgrade-insecure-requests', async () => {
    const app = await startTestApp({ https: true });
    try {
      const res = await fetch(`${app.url}/`);
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}$/);
      expect(csp(res).has('upgrade-insecure-requests')).toBe(true);
    } finally {
      await app.close();
    }
    const byUrl = await startTestApp({ publicUrl: 'https://yici.example.gov.cn' });
    try {
      expect((await fetch(`${byUrl.url}/api/health`)).headers.get('strict-transport-security')).not.toBeNull();
    } finally {
      await byUrl.close();
    }
  });

  it('inside Teams the console may be framed by Teams and teams-js may fetch its domain list; other pages may not', async () => {
    const app = await startTestApp({ teamsTab: true, https: true });
    try {
      const officer = csp(await fetch(`${app.url}/officer`));
      expect(officer.get('frame-ancestors')).toContain('https://teams.microsoft.com');
      expect(officer.get('connect-src')).toContain('https://res.cdn.office.net');
      expect(officer.get('script-src')).toEqual(["'self'"]);
      for (const path of ['/', '/editor', '/admin']) {
        const policy = csp(await fetch(app.url + path));
        expect(policy.get('frame-ancestors'), path).toEqual(["'self'"]);
        expect(policy.get('connect-src'), path).not.toContain('https://res.cdn.office.net');
      }
    } finally {
      await app.close();
    }
  });
});

describe('security headers are the same for every request of a kind, whatever came before', () => {
  /** The headers the middleware sets on one request, as a response would carry them. */
  const headersFor = (mw: ReturnType<typeof securityHeaders>, path: string, host: string | undefined): Map<string, string> => {
    const headers = new Map<string, string>([['x-powered-by', 'Express']]);
    const req = { path, headers: host === undefined ? {} : { host } };
    const res = { setHeader: (n: string, v: string) => headers.set(n.toLowerCase(), v), removeHeader: (n: string) => headers.delete(n.toLowerCase()) };
    let nexts = 0;
    (mw as unknown as (req: unknown, res: unknown, next: (err?: unknown) => void) => void)(req, res, (err) => {
      expect(err).toBeUndefined();
      nexts++;
    });
    expect(nexts).toBe(1);
    return headers;
  };

  it('each Host gets its own websocket sources, also after many other hosts and when it comes back', () => {
    const mw = securityHeaders({ embedOrigins: "'self' https://portal.example.gov.cn", teamsTab: true, https: false });
    const hosts = [...Array.from({ length: 40 }, (_, i) => `host-${i}.example:${3000 + i}`), 'host-0.example:3000', 'evil.example; script-src *', undefined, '127.0.0.1:3000'];
    for (const host of hosts) {
      for (const path of ['/', '/officer', '/api/chat']) {
        const h = headersFor(mw, path, host);
        const policy = new Map((h.get('content-security-policy') ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
        const sockets = host && !host.includes(' ') ? [`ws://${host}`, `wss://${host}`] : [];
        expect(policy.get('connect-src'), `${path} ${host}`).toEqual(["'self'", ...sockets, ...(path === '/officer' ? ['https://res.cdn.office.net'] : [])]);
        expect(policy.get('frame-ancestors'), `${path} ${host}`).toEqual(path === '/' ? ["'self'", 'https://portal.example.gov.cn'] : path === '/officer' ? TEAMS_FRAME_ANCESTORS.split(' ') : ["'self'"]);
        expect(h.has('x-powered-by')).toBe(false);
        expect(h.get('x-frame-options')).toBe(path === '/api/chat' ? 'SAMEORIGIN' : undefined);
        expect(h.get('x-content-type-options')).toBe('nosniff');
      }
    }
  });

  it('a request gets exactly the headers of the first request of its kind and host', () => {
    const mw = securityHeaders({ embedOrigins: "'self'", teamsTab: false, https: true });
    const first = headersFor(mw, '/api/chat', '127.0.0.1:3000');
    for (let i = 0; i < 3; i++) expect([...headersFor(mw, '/api/chat', '127.0.0.1:3000')]).toEqual([...first]);
    expect(first.get('strict-transport-security')).toMatch(/^max-age=/);
  });
});

describe('the pages run under the policy', () => {
  it('no page in public/ has an inline script, an inline event handler or a javascript: link', async () => {
    const files = (await readdir(PUBLIC_DIR)).filter((f) => f.endsWith('.html'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const html = await readFile(join(PUBLIC_DIR, f), 'utf8');
      for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) expect(tag, f).toMatch(/\ssrc="\/[^"]+"/);
      expect(html, f).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
      expect(html, f).not.toMatch(/javascript:/i);
      // Scripts and styles come from this site, never a CDN.
      expect(html, f).not.toMatch(/(src|href)="(https?:)?\/\//i);
    }
  });
});
