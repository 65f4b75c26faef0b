/**
 * A tiny knowledge base written inline, for ranking and dialogue tests that must not move when
 * the shipped knowledge changes. Six items, one bundle, one FAQ; facts are placeholders.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseKnowledge, type KnowledgeBase, type SourceFile } from '../../src/knowledge/parse-knowledge.js';

const source = `
sources:
  - title: 测试来源
    url: https://example.gov.cn/guide
    reliability: official
    checked: 2026-11-01`;

const item = (id: string, title: string, extra: string) => `
id: ${id}
kind: item
title: ${title}
department: 测试部门
summary: ${title}的白话说明。
conditions: [符合条件的申请人]
materials:
  - name: 身份证
    originals: 1
    copies: 1
  - name: 申请表
    originals: 1
    copies: 0
steps: [提交申请, 领取结果]
channels:
  - type: offline
    name: 政务服务中心
timeLimit:
  promised: 3个工作日
fees:
  free: true
  text: 不收费。
legalBasis:
  - name: 测试条例
verified: true
lastVerified: 2026-11-01
${source}
${extra}`;

export const FIXTURE_FILES: SourceFile[] = [
  {
    path: 'settings.yaml',
    content: `
city: 测试市
province: 测试省
centre: { name: 测试市政务服务中心, address: 测试路1号, hours: 周一至周五 9:00-17:00 }
hotline: { number: 0000-12345, name: 12345 热线 }
officeHours: Mon-Fri 09:00-17:00
unconfirmed: [centre.address]
`,
  },
  {
    path: 'lexicon.yaml',
    content: `
synonyms:
  - canonical: 营业执照
    variants: [执照, 牌照]
  - canonical: 社保卡
    variants: [社会保障卡]
actions:
  - name: 注销
    words: [注销, 不做了]
  - name: 补领
    words: [补领, 补办, 丢了]
  - name: 变更
    words: [变更]
    verbs: [改, 加, 换]
`,
  },
  {
    path: 'items/licence.yaml',
    content: item('item-licence', '个体工商户设立登记', 'aliases: [个体户营业执照, 办个体户]\nkeywords: [个体户, 营业执照]'),
  },
  {
    path: 'items/licence-change.yaml',
    content: item('item-licence-change', '个体工商户变更登记', 'aliases: [营业执照变更]\nkeywords: [经营范围变更]'),
  },
  {
    path: 'items/id-card.yaml',
    content: item('item-id-card', '居民身份证申领', 'aliases: [身份证, 补身份证, 身份证补办]\nkeywords: [身份证丢了]'),
  },
  {
    path: 'items/social-card.yaml',
    content: item('item-social-card', '社会保障卡申领', 'aliases: [社保卡, 社保卡补办]\nkeywords: [办社保卡]'),
  },
  {
    path: 'items/birth.yaml',
    content: item('item-birth', '出生登记', 'aliases: [上户口, 新生儿落户]\nkeywords: [宝宝上户口]'),
  },
  {
    path: 'items/tobacco.yaml',
    content: item('item-tobacco', '烟草专卖零售许可证核发', 'aliases: [烟草证, 烟草专卖零售许可证]\nkeywords: [卖烟]'),
  },
  {
    path: 'bundles/shop.yaml',
    content: `
id: bundle-shop
kind: bundle
title: 开办小商店一件事
aliases: [开小卖部]
keywords: [小卖部]
summary: 开小商店要办的证一次办好。
items: [item-licence, item-tobacco]
steps: [一窗提交]
channels:
  - type: offline
    name: 综合窗口
timeLimit: { promised: 5个工作日 }
fees: { free: true, text: 不收费。 }
legalBasis: [{ name: 测试意见 }]
verified: false
unverified: [timeLimit]
${source}
`,
  },
  {
    path: 'faq/faq.yaml',
    content: `
- id: faq-id-card-fee
  kind: faq
  title: 补办身份证要多少钱
  summary: 补办收取工本费。
  answer: 遗失补领收取工本费。
  keywords: [身份证工本费]
  related: [item-id-card]
  verified: false
  unverified: [answer]
${source.replace(/\n/g, '\n  ')}
`,
  },
];

export function fixtureKb(files: SourceFile[] = FIXTURE_FILES): KnowledgeBase {
  const r = parseKnowledge(files);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.file} › ${p.entry} › ${p.field}: ${p.problem}`).join('\n'));
  return r.kb;
}

/**
 * A temporary knowledge folder holding `files`, an empty walkthrough folder beside it, and where a
 * knowledge cache may go (not created).
 */
export async function knowledgeFolders(files: SourceFile[] = FIXTURE_FILES, prefix = 'yici-kb-') {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const f of files) {
    await mkdir(dirname(join(dir, 'knowledge', f.path)), { recursive: true });
    await writeFile(join(dir, 'knowledge', f.path), f.content);
  }
  await mkdir(join(dir, 'flows'));
  return { knowledgeDir: join(dir, 'knowledge'), flowsDir: join(dir, 'flows'), cacheDir: join(dir, 'cache') };
}
