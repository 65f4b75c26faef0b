/**
 * Settings read once at start that stop it when they are wrong, naming the setting: the publish
 * gate's questions and the office hours.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Config } from '../config.js';
import type { Logger } from '../core/logger.js';
import { OfficeHoursError, parseOfficeHours, type OfficeHours } from '../handoff/office-hours.js';
import type { LabelledQuestion } from '../knowledge/evaluate.js';
import { StartupError } from './startup-error.js';

/**
 * The publish gate's questions ship with the application (eval/questions.yaml). Without them a
 * change could break answers unnoticed, so a missing or unreadable set stops the start unless the
 * gate is turned off on purpose (PUBLISH_GATE=off); then there are none.
 */
export async function readPublishGateQuestions(config: Pick<Config, 'publishGate' | 'evalFile'> & Partial<Pick<Config, 'dataDir'>>, logger: Logger): Promise<LabelledQuestion[]> {
  if (!config.publishGate) {
    logger.warn('publish_gate_off', {});
    return [];
  }
  const evalFile = config.evalFile;
  let questions: LabelledQuestion[];
  try {
    const text = await readFile(evalFile, 'utf8');
    questions = (config.dataDir ? await parsedOnce(join(config.dataDir, 'publish-gate-cache'), text, logger) : parse(text)) as LabelledQuestion[];
  } catch (err) {
    throw new StartupError(`发布检查的问题集读不出来：${evalFile}（${(err as Error).message}）。请检查 EVAL_FILE，或设 PUBLISH_GATE=off 明确关闭发布检查。`);
  }
  if (!Array.isArray(questions) || questions.some((x) => typeof x?.q !== 'string' || !Array.isArray(x.expect))) {
    throw new StartupError(`发布检查的问题集格式不对：${evalFile}（每一项要有 q 和 expect）。`);
  }
  return questions;
}

/**
 * The YAML text parsed, kept as JSON under `dir` by the SHA-256 of the text: parsing the ~600
 * questions' YAML took ~0.1 s of every start (issue 16), reading JSON a millisecond. A changed file
 * has another key; an unreadable or damaged cache file is parsed again and rewritten (written to a
 * temporary name and renamed, so never half there); one file is kept. The result is checked by the
 * caller either way.
 */
async function parsedOnce(dir: string, text: string, logger: Logger): Promise<unknown> {
  const name = `${createHash('sha256').update(text).digest('hex')}.json`;
  const path = join(dir, name);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    /* not there yet, or damaged: parse the YAML */
  }
  const value = parse(text) as unknown;
  try {
    await mkdir(dir, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(value));
    await rename(temporary, path);
    for (const other of await readdir(dir)) if (other !== name) await rm(join(dir, other), { force: true });
  } catch (err) {
    logger.warn('publish_gate_cache_unwritable', { error: (err as Error).message });
  }
  return value;
}

/** OFFICE_HOURS, or else the knowledge base's settings.yaml officeHours. */
export function readOfficeHours(config: Pick<Config, 'officeHours'>, fromKnowledge: string): OfficeHours {
  try {
    return parseOfficeHours(config.officeHours ?? fromKnowledge);
  } catch (err) {
    if (err instanceof OfficeHoursError) throw new StartupError(`办公时间格式不对（OFFICE_HOURS 或 settings.yaml 的 officeHours）：${err.message}`);
    throw err;
  }
}
