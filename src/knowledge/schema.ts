/**
 * The knowledge format: what an entry (事项 item, 一件事 bundle, FAQ, policy), the local
 * settings and the lexicon may contain. Pure: validates parsed YAML values, never reads files.
 */
import { z } from 'zod';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date written YYYY-MM-DD' })
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'is not a real calendar date' });

/**
 * YAML's folded style (`>-`) joins lines with a space; Chinese has no spaces between characters,
 * so a line break inside Chinese text is removed rather than turned into a space.
 */
const CJK_GAP = /(?<=[\p{Script=Han}，。；：、！？（）“”《》])\s+(?=[\p{Script=Han}，。；：、！？（）“”《》])/gu;
export const joinChineseLines = (s: string): string => s.replace(CJK_GAP, '');

const text = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .transform(joinChineseLines);

export const entryId = z
  .string()
  .regex(/^(item|bundle|faq|policy)-[a-z0-9]+(-[a-z0-9]+)*$/, {
    message: 'must look like item-…, bundle-…, faq-… or policy-… in lower-case kebab-case',
  });

/**
 * A link shown to citizens (a source, an online channel, the portal). Only http(s): a
 * `javascript:`, `data:` or `vbscript:` address would run script on Yici's pages when clicked.
 */
export const webUrl = z.url({
  protocol: /^https?$/,
  error: 'must be an http:// or https:// address (javascript:, data:, vbscript: and other schemes are refused)',
});

export const reliability = z.enum(['official', 'mirror', 'third-party', 'unverified']);

export const sourceSchema = z.strictObject({
  title: text,
  url: webUrl.optional(),
  publisher: z.string().optional(),
  reliability,
  checked: isoDate,
  note: z.string().optional(),
});

export const legalBasisSchema = z.strictObject({
  name: text,
  docNo: z.string().optional(),
  article: z.string().optional(),
  note: z.string().optional(),
});

export const materialSchema = z.strictObject({
  name: text,
  /**
   * The same document across items (id-card, household-register, business-licence …), so a
   * bundle lists it once; see MATERIAL_REFS in the README's knowledge section.
   */
  ref: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'must be lower-case kebab-case, e.g. id-card' })
    .optional(),
  originals: z.number().int().min(0).max(20),
  copies: z.number().int().min(0).max(20),
  required: z.boolean().default(true),
  /** An e-certificate (电子证照) or shared government data (数据共享) that replaces the paper. */
  substitute: z
    .strictObject({ kind: z.enum(['e-certificate', 'data-sharing']), note: text })
    .optional(),
  /** Plain-language situation in which this material applies (e.g. 「委托他人办理的」). */
  when: z.string().optional(),
  note: z.string().optional(),
});

export const channelSchema = z.strictObject({
  type: z.enum(['offline', 'online']),
  name: text,
  detail: z.string().optional(),
  url: webUrl.optional(),
});

export const timeLimitSchema = z.strictObject({
  statutory: z.string().optional(),
  promised: z.string().optional(),
  /** Promised working days as a number, used to add up a bundle's total time. */
  promisedWorkingDays: z.number().min(0).optional(),
  note: z.string().optional(),
});

export const feeSchema = z.strictObject({
  free: z.boolean(),
  text,
});

/** Fields whose facts were not confirmed from a reliable source; answers touching them carry a caution. */
export const unverifiableField = z.enum([
  'summary',
  'conditions',
  'materials',
  'steps',
  'channels',
  'timeLimit',
  'fees',
  'legalBasis',
  'answer',
  'points',
  'items',
]);

const commonShape = {
  id: entryId,
  title: text,
  aliases: z.array(text).default([]),
  /** Extra words that should lead here but are not names of the matter (e.g. 「卖烟」). */
  keywords: z.array(text).default([]),
  summary: text,
  department: z.string().optional(),
  sources: z.array(sourceSchema).min(1, { message: 'needs at least one source' }),
  verified: z.boolean(),
  lastVerified: isoDate.optional(),
  unverified: z.array(unverifiableField).default([]),
  effectiveFrom: isoDate.optional(),
  expiresOn: isoDate.optional(),
  tags: z.array(z.string()).default([]),
};

export const itemSchema = z.strictObject({
  ...commonShape,
  kind: z.literal('item'),
  department: text,
  conditions: z.array(text).min(1, { message: 'needs at least one condition' }),
  materials: z.array(materialSchema).min(1, { message: 'needs at least one material' }),
  steps: z.array(text).min(1, { message: 'needs at least one step' }),
  channels: z.array(channelSchema).min(1, { message: 'needs at least one channel' }),
  timeLimit: timeLimitSchema,
  fees: feeSchema,
  legalBasis: z.array(legalBasisSchema).min(1, { message: 'needs at least one legal basis' }),
  /**
   * Documents this item issues, by material ref (business-licence for a registration): in a
   * checklist that also lists this item, they are obtained on the way, not brought.
   */
  produces: z.array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'a material ref, e.g. business-licence' })).default([]),
});

export const bundleSchema = z.strictObject({
  ...commonShape,
  kind: z.literal('bundle'),
  /** Items done together; a bundle may also cover services that are not items (utility transfers …) in its steps. */
  items: z.array(entryId).min(1, { message: 'a bundle lists at least one item' }),
  /** Situations that change what is needed (个体户 or 公司, selling tobacco or not …). */
  situations: z
    .array(z.strictObject({ name: text, effect: text }))
    .default([]),
  conditions: z.array(text).default([]),
  steps: z.array(text).min(1, { message: 'needs at least one step' }),
  channels: z.array(channelSchema).min(1, { message: 'needs at least one channel' }),
  timeLimit: timeLimitSchema,
  fees: feeSchema,
  legalBasis: z.array(legalBasisSchema).min(1, { message: 'needs at least one legal basis' }),
});

export const faqSchema = z.strictObject({
  ...commonShape,
  kind: z.literal('faq'),
  /** For an FAQ the title is the question as citizens ask it; the summary is the short answer. */
  answer: text,
  related: z.array(entryId).default([]),
  legalBasis: z.array(legalBasisSchema).default([]),
});

export const policySchema = z.strictObject({
  ...commonShape,
  kind: z.literal('policy'),
  issuedBy: z.string().optional(),
  docNo: z.string().optional(),
  points: z.array(text).min(1, { message: 'needs at least one point' }),
  related: z.array(entryId).default([]),
  legalBasis: z.array(legalBasisSchema).default([]),
});

export const entrySchema = z.discriminatedUnion('kind', [itemSchema, bundleSchema, faqSchema, policySchema]);

/**
 * A counter department officers work for (市场监管, 民政 …): its short name, and the words that,
 * found in an entry's department as written, mean it (市场监督管理 for 「县级以上市场监督管理局」).
 */
export const counterDepartmentSchema = z.strictObject({
  name: z.string().trim().min(1, { message: 'must not be empty' }).max(20, { message: 'must be at most 20 characters (it is picked from a list)' }),
  matches: z.array(z.string().trim().min(1, { message: 'must not be empty' })).default([]),
  note: z.string().optional(),
});

/** A kind of a matter that questions often leave unsaid (see knowledge/ask-which.ts). */
export const askWhichOptionSchema = z.strictObject({
  /** What the kind is called, for editors. */
  name: text,
  /** The entries about this kind; the first is answered when a question names the kind. */
  entries: z.array(entryId).min(1),
  /** Everyday words that name this kind (职工, 单位 … / 居民, 农村, 新农保 …). */
  words: z.array(text).min(1),
});

export const askWhichGroupSchema = z.strictObject({
  /** The entry that explains the kinds and offers each as a button; answered when the question does not say. */
  ask: entryId,
  options: z.array(askWhichOptionSchema).min(2),
});

export const settingsSchema = z.strictObject({
  /** Matters that come in kinds a question often leaves unsaid: ask which (see knowledge/ask-which.ts). */
  askWhich: z.array(askWhichGroupSchema).default([]),
  city: text,
  province: text,
  centre: z.strictObject({
    name: text,
    address: text,
    hours: text,
    phone: z.string().optional(),
    note: z.string().optional(),
  }),
  hotline: z.strictObject({ number: text, name: text, note: z.string().optional() }),
  officeHours: text,
  onlinePortal: z.strictObject({ name: text, url: webUrl.optional(), note: z.string().optional() }).optional(),
  /** Settings an editor of the city still has to confirm; shown with a caution. */
  unconfirmed: z.array(z.string()).default([]),
  /**
   * The 一件事 people ask about most, most asked first (bundle ids): the help list 「我能问什么」
   * offers bundles in this order, the others after them in file order. An editorial order, set
   * before there is any usage data.
   */
  commonMatters: z.array(entryId).default([]),
  sources: z.array(sourceSchema).default([]),
  /**
   * The counter departments whose queues officers work (see knowledge/departments.ts); every
   * entry's department must map to one of them. Empty: departments as written in the entries.
   */
  departments: z
    .array(counterDepartmentSchema)
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((d, i) => {
        if (seen.has(d.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `「${d.name}」 is listed twice` });
        seen.add(d.name);
      });
    }),
});

export const lexiconSchema = z.strictObject({
  /** Each group maps what people type to the canonical term used in the knowledge base. */
  synonyms: z
    .array(z.strictObject({ canonical: text, variants: z.array(text).min(1) }))
    .default([]),
  /** Extra words for the segmenter's dictionary. */
  words: z.array(text).default([]),
  /**
   * Generic nouns (有限公司, 医院 …): they help ranking but never name an entry on their own, so a
   * letter about a construction company is not taken as a question about registering one.
   */
  generic: z.array(text).default([]),
  /**
   * Places of the city (梧州, 万秀区, 苍梧县 …): kept whole by the segmenter, never name an entry on
   * their own and are never the thing an action is done to — 迁出梧州 says where, not what moves.
   */
  places: z.array(text).default([]),
  /**
   * Offices and records a 一件事 bundle joins up (税务, 社保, 公积金, 银行 …): a question that names one
   * of a bundle's items and two or more of these that the bundle mentions is about the bundle.
   */
  agencies: z.array(text).default([]),
  /**
   * Dialect words rewritten to Mandarin before anything else (梧州 speaks Cantonese):
   * 唔 → 不, 咗 → 了, 点样 → 怎么 … Only unambiguous ones: 系 (是/系统) is not listed.
   */
  dialect: z.record(z.string().min(1), z.string()).default({}),
  /**
   * Kinds of action on a thing (注销, 补领, 变更 …). A question that asks for an action which an
   * entry's names and summary never mention is not answered with that entry.
   */
  actions: z
    .array(z.strictObject({ name: text, words: z.array(text).min(1), verbs: z.array(text).default([]), unless: z.array(text).default([]) }))
    .default([])
    .superRefine((groups, ctx) => {
      // A group added twice under one name does nothing the first did not (and hides that it exists).
      const seen = new Set<string>();
      groups.forEach((g, i) => {
        if (seen.has(g.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `动作组「${g.name}」重复了，请合并到已有的那一组` });
        seen.add(g.name);
      });
    }),
});

export type Source = z.infer<typeof sourceSchema>;
export type LegalBasis = z.infer<typeof legalBasisSchema>;
export type Material = z.infer<typeof materialSchema>;
export type Channel = z.infer<typeof channelSchema>;
export type TimeLimit = z.infer<typeof timeLimitSchema>;
export type Fee = z.infer<typeof feeSchema>;
export type ItemEntry = z.infer<typeof itemSchema>;
export type BundleEntry = z.infer<typeof bundleSchema>;
export type FaqEntry = z.infer<typeof faqSchema>;
export type PolicyEntry = z.infer<typeof policySchema>;
export type Entry = z.infer<typeof entrySchema>;
export type EntryKind = Entry['kind'];
export type UnverifiableField = z.infer<typeof unverifiableField>;
export type Settings = z.infer<typeof settingsSchema>;
export type CounterDepartmentSetting = z.infer<typeof counterDepartmentSchema>;
export type Lexicon = z.infer<typeof lexiconSchema>;
