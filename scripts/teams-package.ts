/**
 * `npm run teams:package`: writes dist/teams/yici-teams.zip — manifest.json, color.png, outline.png —
 * for uploading to Teams (Apps › Manage your apps › Upload an app).
 *
 * Reads MicrosoftAppId (the Azure Bot's app id), PUBLIC_URL (https address of this service),
 * optionally TEAMS_APP_ID (defaults to MicrosoftAppId), TEAMS_SSO_APP_ID and TEAMS_SSO_RESOURCE.
 * Without MicrosoftAppId or PUBLIC_URL it builds a sample package with placeholder values and says
 * so: it shows the structure, but Teams cannot use it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import JSZip from 'jszip';
import { buildManifest, manifestProblems, type ManifestInput } from '../src/channels/teams/manifest.js';

const root = resolve(import.meta.dirname, '..');
const env = process.env;
const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';
const sample = !env.MicrosoftAppId || !env.PUBLIC_URL;
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };

const input: ManifestInput = {
  botId: env.MicrosoftAppId ?? PLACEHOLDER_ID,
  appId: env.TEAMS_APP_ID ?? env.MicrosoftAppId ?? PLACEHOLDER_ID,
  publicUrl: env.PUBLIC_URL ?? 'https://yici.example.gov.cn',
  version: pkg.version,
  ...(env.TEAMS_SSO_APP_ID && env.TEAMS_SSO_RESOURCE ? { sso: { appId: env.TEAMS_SSO_APP_ID, resource: env.TEAMS_SSO_RESOURCE } } : {}),
};
const problems = manifestProblems(input);
if (problems.length) {
  console.error(`Teams 应用包没有生成：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}

const zip = new JSZip();
zip.file('manifest.json', `${JSON.stringify(buildManifest(input), null, 2)}\n`);
zip.file('color.png', await readFile(join(root, 'teams/color.png')));
zip.file('outline.png', await readFile(join(root, 'teams/outline.png')));
const outDir = env.TEAMS_PACKAGE_DIR ? resolve(env.TEAMS_PACKAGE_DIR) : join(root, 'dist/teams');
await mkdir(outDir, { recursive: true });
const out = join(outDir, 'yici-teams.zip');
await writeFile(out, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
console.log(`已生成 ${out}`);
if (sample) {
  console.warn('注意：没有设置 MicrosoftAppId 和 PUBLIC_URL，包里是示例值，只能看结构，不能上传使用。设置后重新运行：\n  MicrosoftAppId=<Azure 机器人的应用 ID> PUBLIC_URL=https://<本服务地址> npm run teams:package');
}
