import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { buildManifest, manifestProblems } from '../../src/channels/teams/manifest.js';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const BOT = '11111111-2222-3333-4444-555555555555';

describe('the Teams app package', () => {
  it('npm run teams:package writes a zip whose manifest declares the bot and the officer tab, with both icons', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yici-teams-pkg-'));
    await run('npx', ['tsx', 'scripts/teams-package.ts'], { cwd: root, env: { ...process.env, MicrosoftAppId: BOT, PUBLIC_URL: 'https://yici.wuzhou.example.cn/', TEAMS_PACKAGE_DIR: dir } });
    const zip = await JSZip.loadAsync(await readFile(join(dir, 'yici-teams.zip')));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const m = JSON.parse(await zip.file('manifest.json')!.async('string')) as { id: string; bots: { botId: string; scopes: string[] }[]; staticTabs: { contentUrl: string }[]; validDomains: string[] };
    expect(m.bots[0]).toMatchObject({ botId: BOT, scopes: expect.arrayContaining(['personal']) });
    expect(m.staticTabs[0]!.contentUrl).toBe('https://yici.wuzhou.example.cn/officer?inTeams=1');
    expect(m.validDomains).toEqual(['yici.wuzhou.example.cn']);
    expect(m.id).toBe(BOT);
    const png = await zip.file('color.png')!.async('nodebuffer');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);

  it('refuses values Teams would reject, naming them', () => {
    expect(manifestProblems({ appId: 'x', botId: BOT, publicUrl: 'http://yici.example', version: '0.1.0' })).toEqual([
      '应用 ID 必须是 GUID：x',
      'PUBLIC_URL 必须是 https 地址（Teams 只打开 https 的标签页）',
    ]);
    expect(manifestProblems({ appId: BOT, botId: BOT, publicUrl: 'https://a.example', version: '0.1.0' })).toEqual([]);
    expect(buildManifest({ appId: BOT, botId: BOT, publicUrl: 'https://a.example', version: '0.1.0', sso: { appId: BOT, resource: 'api://a.example/' + BOT } })).toMatchObject({ webApplicationInfo: { id: BOT } });
  });
});
