/** Entry point: read settings, start, stop cleanly on SIGINT/SIGTERM. */
import { ConfigError, readConfig } from './config.js';
import { createLogger } from './core/logger.js';
import { StartupError, startServer } from './server/start-server.js';

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
    running = await startServer(config, logger);
  } catch (err) {
    if (err instanceof StartupError) {
      console.error(err.message);
      for (const p of err.problems) console.error(`  ${p}`);
      process.exit(1);
    }
    throw err;
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
