import type { Logger } from 'pino';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startApp } from './app.js';
import { registerServingProcess } from './training/index.js';

/** Registers this process for `npm run train -- --reload`; a folder it cannot write (a read-only image) only loses that. */
function registerForReloads(modelDir: string, logger: Logger): () => void {
  try {
    const unregister = registerServingProcess(modelDir);
    process.once('exit', unregister);
    return unregister;
  } catch (error) {
    logger.warn({ err: error, modelDir }, 'cannot register in MODEL_DIR/.serving: `npm run train -- --reload` will not find this process (SIGHUP still reloads)');
    return () => {};
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const app = await startApp(config, logger);
  const unregister = registerForReloads(config.modelDir, logger);
  logger.info({ url: app.url, metrics: app.metricsUrl, store: config.graphStore, dataDir: config.dataDir }, 'recograph is ready');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    unregister();
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: no new connections, finishing in-flight requests');
    try {
      await app.close();
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      logger.flush();
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // SIGHUP reloads the model from MODEL_DIR; a model that fails validation is refused (and logged).
  process.on('SIGHUP', () => {
    if (stopping) return;
    app.reloadModel().catch((error: unknown) => logger.error({ err: error }, 'model reload failed; the current model keeps serving'));
  });
}

main().catch((error: unknown) => {
  // Start-up failures (bad configuration, a refused model) are for the operator: print and exit.
  console.error(error instanceof Error ? `recograph failed to start: ${error.message}` : error);
  process.exit(1);
});
