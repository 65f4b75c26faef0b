/**
 * Issue 11, finding 8: hostile bodies. Deeply nested JSON is refused with a clear 400 before it
 * reaches recursive code (it gave 500 on /api/kb/drafts); an 8 MB import body is refused before
 * it is read unless the caller is signed in as an editor.
 */
import { request } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { jsonNestingExceeds, MAX_JSON_DEPTH } from '../../src/server/validate.js';

let running: RunningServer;
const cookies: Record<string, string> = {};

const login = async (username: string, password: string) => {
  const res = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
};

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'yici-input-'));
  running = await startServer(readConfig({ PORT: '0', DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent', ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'Strong-pass-2026' }), silentLogger, { print: () => {} });
  await running.accounts.create({ username: 'editora', password: 'Editor-desk-2026', role: 'editor' });
  await running.accounts.create({ username: 'lihua', password: 'Window-Desk-2026', role: 'officer', displayName: '李' });
  cookies.editor = await login('editora', 'Editor-desk-2026');
  cookies.officer = await login('lihua', 'Window-Desk-2026');
});
afterAll(() => running.close());

const post = (path: string, body: string, cookie?: string) =>
  fetch(running.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body });

describe('deeply nested JSON', () => {
  const arrays = '['.repeat(5000) + ']'.repeat(5000); // 10 kB
  const objects = '{"a":'.repeat(1500) + '1' + '}'.repeat(1500);
  const inEntry = JSON.stringify({ entry: { id: 'item-x', title: 'x' }, note: 'n' }).replace('"x"}', `"x","deep":${arrays}}`);

  it('gives 400 too_deep on /api/kb/drafts (it was a 500), and on every JSON route', async () => {
    for (const body of [arrays, objects, inEntry]) {
      const drafts = await post('/api/kb/drafts', body, cookies.editor);
      expect(drafts.status).toBe(400);
      const e = (await drafts.json()).error;
      expect(e.code).toBe('too_deep');
      expect(e.message).toContain(`最多 ${MAX_JSON_DEPTH} 层`);
      for (const path of ['/api/chat', '/api/feedback', '/api/auth/login', '/api/kb/preview', '/api/messages']) {
        const res = await post(path, body, cookies.editor);
        expect(res.status, path).toBe(400);
        expect((await res.json()).error.code, path).toBe('too_deep');
      }
    }
    expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
  });

  it('counts brackets, not brackets inside strings; ordinary nesting passes', () => {
    const enc = (s: string) => Buffer.from(s);
    expect(jsonNestingExceeds(enc(arrays), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestingExceeds(enc(JSON.stringify({ text: '['.repeat(5000) })), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestingExceeds(enc(JSON.stringify({ text: `\\"${'{'.repeat(100)}` })), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestingExceeds(enc('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestingExceeds(enc('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
  });

  it('a citizen message with brackets in its text still gets an answer', async () => {
    const res = await post('/api/chat', JSON.stringify({ sessionId: 'deep-text-1-abcdefgh', text: `[[[[{{{{ 身份证丢了怎么补` }));
    expect(res.status).toBe(200);
  });
});

/**
 * Sends the headers of an 8 MB import and only its first 64 kB, then waits: the answer must
 * come while the rest of the body has not been sent (it was read in full before the check).
 */
function partialImport(cookie?: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(running.url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/kb/import',
      headers: { 'content-type': 'application/json', 'content-length': String(8 * 1024 * 1024 - 1), ...(cookie ? { cookie } : {}) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer while the body was incomplete'));
    }, 5000);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', () => {}); // the server may close the connection after answering
    req.write(`{"format":"csv","data":"${'a'.repeat(64 * 1024)}`);
  });
}

describe('spreadsheet import', () => {
  it('refuses a large body before reading it when nobody is signed in (401) or the caller is not an editor (403)', async () => {
    const anonymous = await partialImport();
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body).error.code).toBe('unauthenticated');
    const officer = await partialImport(cookies.officer);
    expect(officer.status).toBe(403);
    expect(JSON.parse(officer.body).error.code).toBe('forbidden');
    expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
  });

  it('still takes an import from an editor, and refuses a nested one with 400', async () => {
    const csv = '事项名称,实施部门,白话说明\n测试事项,测试部门,说明\n';
    const ok = await post('/api/kb/import', JSON.stringify({ format: 'csv', data: csv }), cookies.editor);
    expect(ok.status).toBe(200);
    expect((await ok.json()).rows).toHaveLength(1);
    const deep = await post('/api/kb/import', `{"format":"csv","data":${'['.repeat(5000)}`, cookies.editor);
    expect(deep.status).toBe(400);
    expect((await deep.json()).error.code).toBe('too_deep');
  });
});
