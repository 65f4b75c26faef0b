/** Entry point: read settings, start, stop cleanly on SIGINT/SIGTERM. */
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { ConfigError, readConfig } from './config.js';
import { createLogger } from './core/logger.js';
import { spawnBuildApart } from './server/build-apart.js';
import { StartupError, startServer } from './server/start-server.js';

/** build-knowledge-cache.js beside this file (or .ts when run from the sources with tsx). */
const here = fileURLToPath(import.meta.url);
const buildScript = join(dirname(here), `build-knowledge-cache${extname(basename(here))}`);
/** This process's node options for the child (heap limit, `--import tsx`), but not a debugger's port it holds. */
const childOptions = process.execArgv.filter((o) => !/^--inspect/.test(o));

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error('配置错误：');
      for (const p of err.problems) console.error(`  ${p}`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, (line) => process.stdout.write(`${line}\n`));
  let running;
  try {
    // A start without a knowledge cache builds it in a child process: the build's memory is not kept here.
    running = await startServer(config, logger, { buildApart: spawnBuildApart(buildScript, childOptions, logger) });
  } catch (err) {
    if (err instanceof StartupError) {
      console.error(err.message);
      for (const p of err.problems) console.error(`  ${p}`);
      process.exit(1);
    }
    throw err;
  }
  // V8 lets the heap grow to about four times its live data before a full collection when its limit
  // is 2 GB or more (node's default on a large machine); npm start sets 1 GB (docs/deploy.md › Memory).
  if (getHeapStatistics().heap_size_limit >= 2 * 2 ** 30) {
    logger.warn('heap_limit_large', { note: '未设置 --max-old-space-size：负载下内存会涨到活数据的约 4 倍；请按 npm start 的方式启动（node --max-old-space-size=1024 dist/main.js）' });
  }
  console.log(`一次（Yici）已启动：${running.url}`);
  const stop = async (signal: string) => {
    logger.info('stopping', { signal });
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

void main();
