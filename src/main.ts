import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startApp } from './app.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const app = await startApp(config, logger);
  logger.info({ url: app.url, store: config.graphStore, dataDir: config.dataDir }, 'recograph is ready');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  // Start-up failures (bad configuration, a refused model) are for the operator: print and exit.
  console.error(error instanceof Error ? `recograph failed to start: ${error.message}` : error);
  process.exit(1);
});
