/**
 * The Teams app manifest (schema 1.17): the bot for citizens and officers, and the officer console
 * as a personal tab. Pure; `npm run teams:package` zips it with the two icons.
 */
export interface ManifestInput {
  /** The Teams app id (a GUID); defaults to the bot's id. */
  appId: string;
  /** The Azure Bot registration's Microsoft App ID. */
  botId: string;
  /** Where Yici is served, https. */
  publicUrl: string;
  version: string;
  /** For Teams SSO in the officer tab: the Entra app id and its Application ID URI (api://…). */
  sso?: { appId: string; resource: string };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function manifestProblems(i: ManifestInput): string[] {
  const p: string[] = [];
  if (!GUID.test(i.appId)) p.push(`应用 ID 必须是 GUID：${i.appId}`);
  if (!GUID.test(i.botId)) p.push(`MicrosoftAppId 必须是 GUID：${i.botId}`);
  let url: URL | null = null;
  try {
    url = new URL(i.publicUrl);
  } catch {
    p.push(`PUBLIC_URL 不是有效网址：${i.publicUrl}`);
  }
  if (url && url.protocol !== 'https:') p.push('PUBLIC_URL 必须是 https 地址（Teams 只打开 https 的标签页）');
  if (!/^\d+\.\d+\.\d+$/.test(i.version)) p.push(`版本号必须是 x.y.z：${i.version}`);
  return p;
}

export function buildManifest(i: ManifestInput): Record<string, unknown> {
  const base = i.publicUrl.replace(/\/+$/, '');
  const host = new URL(base).host;
  return {
    $schema: 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json',
    manifestVersion: '1.17',
    version: i.version,
    id: i.appId,
    developer: {
      name: '一次（Yici）',
      websiteUrl: base,
      privacyUrl: `${base}/`,
      termsOfUseUrl: `${base}/`,
    },
    name: { short: '一次办事助手', full: '一次 · 政务服务办事助手' },
    description: {
      short: '问办事：带什么材料、去哪里、多久、多少钱',
      full: '用大白话问政务服务事项：要带哪些材料、到哪里办、多久办好、收不收费，并按情形一步步引导，生成一次带齐的材料清单；需要时转人工。工作人员可在 Teams 里接单、回复群众。',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#B3261E',
    bots: [
      {
        botId: i.botId,
        scopes: ['personal', 'team', 'groupChat'],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [
          {
            scopes: ['personal'],
            commands: [
              { title: '开个小卖部要办啥证', description: '问一件事要办哪些手续' },
              { title: '身份证丢了怎么补', description: '问材料、地点、时间和费用' },
              { title: '转人工', description: '请工作人员接手' },
            ],
          },
        ],
      },
    ],
    staticTabs: [
      {
        entityId: 'officer-console',
        name: '工作台',
        contentUrl: `${base}/officer?inTeams=1`,
        websiteUrl: `${base}/officer`,
        scopes: ['personal'],
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [host],
    ...(i.sso ? { webApplicationInfo: { id: i.sso.appId, resource: i.sso.resource } } : {}),
  };
}
