/**
 * The knowledge base and walkthroughs the server answers from: read and validated at start (a
 * missing folder or a broken file stops the start, saying which), then replaced as a whole when an
 * editor publishes — a request in flight keeps the version it started with, the next one gets the
 * new one; no restart, nothing dropped.
 */
import { loadKnowledge, readYamlFiles } from '../adapters/load-knowledge.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/logger.js';
import { parseFlows, type Flow } from '../dialogue/parse-flows.js';
import type { Runtime } from '../editor/editor-service.js';
import { createEngine, type Engine } from '../knowledge/engine.js';
import { formatProblem, type KnowledgeBase } from '../knowledge/parse-knowledge.js';
import type { Tokenizer } from '../nlp/tokenizer.js';
import { StartupError } from './startup-error.js';

export interface LiveKnowledge {
  kb(): KnowledgeBase;
  engine(): Engine;
  flows(): readonly Flow[];
  /** What the editor publishes through. */
  runtime: Runtime;
}

/** A folder that is not there is a setting gone wrong, not an empty knowledge base: say so. */
async function readFolder<T>(dir: string, setting: string, what: string, read: (dir: string) => Promise<T>): Promise<T> {
  try {
    return await read(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new StartupError(`找不到${what}目录：${dir}。请检查 ${setting}（不设时用项目里的默认目录）。`);
    throw err;
  }
}

/** `makeTokenizer` is called once the files have validated (jieba takes a moment to load). */
export async function loadLiveKnowledge(config: Pick<Config, 'knowledgeDir' | 'flowsDir'>, makeTokenizer: () => Tokenizer, logger: Logger): Promise<LiveKnowledge> {
  const loaded = await readFolder(config.knowledgeDir, 'KNOWLEDGE_DIR', '知识库', loadKnowledge);
  if (!loaded.ok) {
    throw new StartupError(`知识库校验失败（${config.knowledgeDir}），服务未启动。请按提示修改后再启动：`, loaded.problems.map(formatProblem));
  }
  const flowFiles = await readFolder(config.flowsDir, 'FLOWS_DIR', '引导流程', readYamlFiles);
  const flowsLoaded = parseFlows(flowFiles, loaded.kb);
  if (!flowsLoaded.ok) {
    throw new StartupError(`引导流程校验失败（${config.flowsDir}），服务未启动。请按提示修改后再启动：`, flowsLoaded.problems.map(formatProblem));
  }
  const tokenizer = makeTokenizer();
  const today = () => new Date().toISOString().slice(0, 10);
  const engineOf = (kb: KnowledgeBase) => createEngine(kb, tokenizer, { today: today() });
  let live = { kb: loaded.kb, engine: engineOf(loaded.kb), flows: flowsLoaded.flows };
  return {
    kb: () => live.kb,
    engine: () => live.engine,
    flows: () => live.flows,
    runtime: {
      kb: () => live.kb,
      candidate: engineOf,
      async replace(kb) {
        const checked = parseFlows(flowFiles, kb);
        if (!checked.ok) return checked.problems.map(formatProblem);
        live = { kb, engine: engineOf(kb), flows: checked.flows };
        logger.info('knowledge_reloaded', { entries: kb.entries.length });
        return [];
      },
    },
  };
}
