/**
 * Settings read once at start that stop it when they are wrong, naming the setting: the publish
 * gate's questions and the office hours.
 */
import { readFile } from 'node:fs/promises';
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
export async function readPublishGateQuestions(config: Pick<Config, 'publishGate' | 'evalFile'>, logger: Logger): Promise<LabelledQuestion[]> {
  if (!config.publishGate) {
    logger.warn('publish_gate_off', {});
    return [];
  }
  const evalFile = config.evalFile;
  let questions: LabelledQuestion[];
  try {
    questions = parse(await readFile(evalFile, 'utf8')) as LabelledQuestion[];
  } catch (err) {
    throw new StartupError(`发布检查的问题集读不出来：${evalFile}（${(err as Error).message}）。请检查 EVAL_FILE，或设 PUBLISH_GATE=off 明确关闭发布检查。`);
  }
  if (!Array.isArray(questions) || questions.some((x) => typeof x?.q !== 'string' || !Array.isArray(x.expect))) {
    throw new StartupError(`发布检查的问题集格式不对：${evalFile}（每一项要有 q 和 expect）。`);
  }
  return questions;
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
