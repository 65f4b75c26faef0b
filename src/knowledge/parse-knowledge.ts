/**
 * Turns the text of knowledge files into a validated knowledge base, or a list of problems
 * each written `file › entry › field: what is wrong — how to fix`. Pure: takes strings.
 */
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  entrySchema,
  joinChineseLines,
  lexiconSchema,
  settingsSchema,
  type Entry,
  type Lexicon,
  type Settings,
} from './schema.js';
import { counterDepartmentOf, counterDepartments, hasCounterDepartments } from './departments.js';

export interface SourceFile {
  /** Path relative to the knowledge folder, used in messages (e.g. `items/getihu.yaml`). */
  path: string;
  content: string;
}

export interface KnowledgeBase {
  settings: Settings;
  lexicon: Lexicon;
  entries: Entry[];
  /** Which file each entry came from, for editors and error messages. */
  fileOf: Record<string, string>;
}

export interface KnowledgeProblem {
  file: string;
  entry: string;
  field: string;
  problem: string;
  fix: string;
}

export type ParseResult = { ok: true; kb: KnowledgeBase } | { ok: false; problems: KnowledgeProblem[] };

export const formatProblem = (p: KnowledgeProblem): string =>
  `${p.file} › ${p.entry} › ${p.field}: ${p.problem} — ${p.fix}`;

const SETTINGS_FILE = 'settings.yaml';
const LEXICON_FILE = 'lexicon.yaml';

/** A fix hint for each kind of schema problem, so the message says what to do. */
function fixFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'add this field' : `write it as ${issue.expected}`;
    case 'unrecognized_keys':
      return `remove or rename ${issue.keys.join(', ')} (see src/knowledge/schema.ts for the allowed fields)`;
    case 'too_small':
      return 'add the missing content';
    case 'too_big':
      return 'shorten it';
    case 'invalid_value':
      return `use one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_union':
      return 'check the kind field: item, bundle, faq or policy';
    case 'invalid_format':
      return issue.format === 'url' ? 'write a full address starting with https://' : 'correct the format';
    default:
      return 'correct the value';
  }
}

const fieldPath = (path: PropertyKey[]): string =>
  path.length === 0 ? '(whole entry)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');

function zodProblems(file: string, entry: string, error: z.ZodError): KnowledgeProblem[] {
  return error.issues.map((issue) => ({
    file,
    entry,
    field: fieldPath(issue.path),
    problem: issue.message,
    fix: fixFor(issue),
  }));
}

function parseYaml(file: SourceFile, problems: KnowledgeProblem[]): unknown {
  const doc = parseDocument(file.content, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = err.linePos?.[0]?.line;
      problems.push({
        file: file.path,
        entry: line ? `line ${line}` : '(file)',
        field: '(yaml)',
        problem: err.message.split('\n')[0] ?? 'YAML syntax error',
        fix: 'fix the YAML syntax (indentation, quotes, a missing colon)',
      });
    }
    return undefined;
  }
  return joinAllChineseLines(doc.toJS());
}

/** Applies joinChineseLines to every string of a parsed YAML value (folded lines in any field). */
function joinAllChineseLines(value: unknown): unknown {
  if (typeof value === 'string') return joinChineseLines(value);
  if (Array.isArray(value)) return value.map(joinAllChineseLines);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, joinAllChineseLines(v)]));
  }
  return value;
}

/** Validates every file and the links between entries; all problems are reported at once. */
export function parseKnowledge(files: SourceFile[]): ParseResult {
  const problems: KnowledgeProblem[] = [];
  let settings: Settings | undefined;
  let lexicon: Lexicon = { synonyms: [], words: [], generic: [], places: [], agencies: [], actions: [], dialect: {} };
  const entries: Entry[] = [];
  const fileOf: Record<string, string> = {};

  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const value = parseYaml(file, problems);
    if (value === undefined) continue;
    if (file.path === SETTINGS_FILE) {
      const r = settingsSchema.safeParse(value);
      if (r.success) settings = r.data;
      else problems.push(...zodProblems(file.path, 'settings', r.error));
      continue;
    }
    if (file.path === LEXICON_FILE) {
      const r = lexiconSchema.safeParse(value);
      if (r.success) lexicon = r.data;
      else problems.push(...zodProblems(file.path, 'lexicon', r.error));
      continue;
    }
    const raws = Array.isArray(value) ? value : [value];
    raws.forEach((raw, index) => {
      const label =
        raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string'
          ? (raw as { id: string }).id
          : `entry #${index + 1}`;
      const r = entrySchema.safeParse(raw);
      if (!r.success) {
        problems.push(...zodProblems(file.path, label, r.error));
        return;
      }
      const entry = r.data;
      if (fileOf[entry.id]) {
        problems.push({
          file: file.path,
          entry: entry.id,
          field: 'id',
          problem: `the id is already used in ${fileOf[entry.id]}`,
          fix: 'give this entry a different id',
        });
        return;
      }
      if (!entry.id.startsWith(`${entry.kind}-`)) {
        problems.push({
          file: file.path,
          entry: entry.id,
          field: 'id',
          problem: `an entry of kind ${entry.kind} has an id that does not start with ${entry.kind}-`,
          fix: `rename it to ${entry.kind}-…`,
        });
      }
      if (entry.verified && !entry.lastVerified) {
        problems.push({
          file: file.path,
          entry: entry.id,
          field: 'lastVerified',
          problem: 'a verified entry must say when it was last verified',
          fix: 'add lastVerified: YYYY-MM-DD, or set verified: false',
        });
      }
      problems.push(...markerProblems(entry, file.path));
      fileOf[entry.id] = file.path;
      entries.push(entry);
    });
  }

  if (!settings) {
    problems.push({
      file: SETTINGS_FILE,
      entry: 'settings',
      field: '(file)',
      problem: 'the local settings file is missing or invalid',
      fix: 'create knowledge/settings.yaml with city, centre, hotline and officeHours',
    });
  }
  problems.push(...linkProblems(entries, fileOf));
  if (settings) problems.push(...commonMatterProblems(settings, entries), ...departmentProblems(settings, entries, fileOf), ...askWhichProblems(settings, entries));

  if (problems.length > 0 || !settings) return { ok: false, problems };
  return { ok: true, kb: { settings, lexicon, entries: commonMattersFirst(entries, settings.commonMatters), fileOf } };
}

/** Each `askWhich` group names entries that exist, asks with an entry outside its kinds, and puts an entry in one kind only. */
function askWhichProblems(settings: Settings, entries: Entry[]): KnowledgeProblem[] {
  const ids = new Set(entries.map((e) => e.id));
  const problems: KnowledgeProblem[] = [];
  const at = (field: string, problem: string, fix: string) => problems.push({ file: SETTINGS_FILE, entry: 'settings', field, problem, fix });
  const placed = new Map<string, string>();
  settings.askWhich.forEach((group, g) => {
    if (!ids.has(group.ask)) at(`askWhich[${g}].ask`, `no entry has the id ${group.ask}`, 'name the entry that explains the kinds');
    group.options.forEach((option, o) => {
      option.entries.forEach((id, i) => {
        const field = `askWhich[${g}].options[${o}].entries[${i}]`;
        if (!ids.has(id)) at(field, `no entry has the id ${id}`, 'list entries of the knowledge base');
        else if (id === group.ask) at(field, `${id} is the entry that asks; it cannot also be one of the kinds`, 'list it under ask only');
        else if (placed.has(id)) at(field, `${id} is already listed under ${placed.get(id)}`, 'put each entry under one kind of one group');
        else placed.set(id, `askWhich[${g}].options[${o}]`);
      });
    });
  });
  return problems;
}

/** Each id under settings `commonMatters` names a bundle, once. */
function commonMatterProblems(settings: Settings, entries: Entry[]): KnowledgeProblem[] {
  const kinds = new Map(entries.map((e) => [e.id, e.kind]));
  return settings.commonMatters.flatMap((id, i) => {
    const kind = kinds.get(id);
    const problem =
      kind === undefined ? `no entry has the id ${id}` : kind !== 'bundle' ? `${id} is ${kind === 'item' ? 'an' : 'a'} ${kind}, not a bundle` : settings.commonMatters.indexOf(id) < i ? `${id} is listed twice` : null;
    return problem ? [{ file: SETTINGS_FILE, entry: 'settings', field: `commonMatters[${i}]`, problem, fix: 'list each bundle id (bundle-…) once, most asked first' }] : [];
  });
}

/**
 * The entries with the bundles in the order of `commonMatters` (listed ones first, the rest in
 * their former order), each bundle taking one of the places bundles had: items, FAQs and policies
 * keep their positions. The help list 「我能问什么」 offers the first bundles of the knowledge base.
 */
export function commonMattersFirst(entries: Entry[], commonMatters: readonly string[]): Entry[] {
  if (commonMatters.length === 0) return entries;
  const rank = (e: Entry) => {
    const i = commonMatters.indexOf(e.id);
    return i < 0 ? commonMatters.length : i;
  };
  const bundles = entries.filter((e) => e.kind === 'bundle').sort((a, b) => rank(a) - rank(b));
  let next = 0;
  return entries.map((e) => (e.kind === 'bundle' ? bundles[next++]! : e));
}

/**
 * With counter departments in the settings, every entry's department must map to one of them —
 * or a case about it would go to 综合窗口 unseen by the officers of its department.
 */
export function departmentProblems(settings: Settings, entries: Entry[], fileOf: Record<string, string>): KnowledgeProblem[] {
  if (!hasCounterDepartments(settings)) return [];
  const list = counterDepartments(settings);
  return entries
    .filter((e) => e.department && counterDepartmentOf(list, e.department) === null)
    .map((e) => ({
      file: fileOf[e.id] ?? '?',
      entry: e.id,
      field: 'department',
      problem: `「${e.department}」 is none of the counter departments in settings.yaml (${list.map((d) => d.name).join('、')})`,
      fix: 'write the department so that it contains a name or a match word of one of them, or add a word to that department’s matches in knowledge/settings.yaml',
    }));
}

/** Links between entries (bundle items, related entries), unique titles, dates in order. */
export function linkProblems(entries: Entry[], fileOf: Record<string, string>): KnowledgeProblem[] {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const problems: KnowledgeProblem[] = [];
  const titles = new Map<string, string>();
  for (const e of entries) {
    const file = fileOf[e.id] ?? '?';
    const other = titles.get(e.title);
    if (other && e.kind !== 'faq') {
      problems.push({
        file,
        entry: e.id,
        field: 'title',
        problem: `the title is also used by ${other}`,
        fix: 'titles must be unique; use the official name and move other names to aliases',
      });
    } else titles.set(e.title, e.id);

    if (e.kind === 'bundle') {
      e.items.forEach((ref, i) => {
        const target = byId.get(ref);
        if (!target || target.kind !== 'item') {
          problems.push({
            file,
            entry: e.id,
            field: `items[${i}]`,
            problem: target ? `${ref} is a ${target.kind}, not an item` : `no item has the id ${ref}`,
            fix: 'list the id of an existing item (kind: item)',
          });
        }
      });
    }
    if (e.kind === 'faq' || e.kind === 'policy') {
      e.related.forEach((ref, i) => {
        if (!byId.has(ref)) {
          problems.push({
            file,
            entry: e.id,
            field: `related[${i}]`,
            problem: `no entry has the id ${ref}`,
            fix: 'name an existing entry id or remove it',
          });
        }
      });
    }
    if (e.effectiveFrom && e.expiresOn && e.expiresOn <= e.effectiveFrom) {
      problems.push({
        file,
        entry: e.id,
        field: 'expiresOn',
        problem: 'expires before it takes effect',
        fix: 'set expiresOn after effectiveFrom',
      });
    }
  }
  return problems;
}

/**
 * The fields that carry an FAQ's or a policy's whole answer: `verified: true` says they were
 * confirmed, so listing one of them under `unverified` contradicts it.
 */
const CORE_FIELDS: Partial<Record<Entry['kind'], readonly string[]>> = {
  faq: ['summary', 'answer'],
  policy: ['summary', 'points'],
};

/** Words that say what is charged; a fee text with none of them does not say a fee is due. */
const CHARGE = /\d\s*元|工本费|制作费|缴费|交费|缴纳|交纳|付费|收取|要交|要付/u;

/** Markers of verification and of fees that disagree with each other or with the text (issue 17). */
export function markerProblems(entry: Entry, file: string): KnowledgeProblem[] {
  const problems: KnowledgeProblem[] = [];
  const core = CORE_FIELDS[entry.kind] ?? [];
  const doubted = entry.unverified.filter((f) => core.includes(f));
  if (entry.verified && doubted.length > 0) {
    problems.push({
      file,
      entry: entry.id,
      field: 'verified',
      problem: `verified: true says the ${entry.kind}'s facts were confirmed, but unverified lists ${doubted.join(', ')}`,
      fix: `set verified: false, or remove ${doubted.join(', ')} from unverified once checked against a source listed in the entry`,
    });
  }
  if ('fees' in entry && !entry.fees.free && !CHARGE.test(entry.fees.text)) {
    problems.push({
      file,
      entry: entry.id,
      field: 'fees.free',
      problem: 'free: false says a fee is charged, but the text names no charge (an amount in 元, 工本费, 制作费, 缴费 …)',
      fix: 'say what is charged in fees.text, or set free: true (keep fees under unverified if no rule was found)',
    });
  }
  return problems;
}
