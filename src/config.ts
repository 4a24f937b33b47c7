import { resolve } from 'node:path';
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** Every setting recograph reads from the environment; README.md has the same table. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  GRAPH_STORE: z.enum(['embedded']).default('embedded'),
  DATA_DIR: z.string().min(1).default('data'),
  SEED_DEMO_DATA: booleanFromEnv.default(true),
  MODEL_DIR: z.string().min(1).default('models/demo'),
  EXECUTION_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RECOMMENDATION_BATCHING: booleanFromEnv.default(true),
  RECOMMENDATION_BATCH_MAX_SIZE: z.coerce.number().int().min(1).max(4096).default(256),
  RECOMMENDATION_BATCH_MAX_WAIT_MS: z.coerce.number().min(0).max(1000).default(2),
  INFERENCE_WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
});

export interface Config {
  readonly environment: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly graphStore: 'embedded';
  /** Absolute; the embedded store lives in `<dataDir>/recograph.sqlite`. */
  readonly dataDir: string;
  readonly seedDemoData: boolean;
  /** Absolute; holds model.onnx, model.json and model.pt. */
  readonly modelDir: string;
  readonly executionProvider: 'cpu' | 'cuda';
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Cross-request micro-batching of the neighbourhood fetch and the model run. */
  readonly batching: BatchingConfig;
  /** Worker threads running the model, each with its own session; 0 runs it on the event loop. */
  readonly inferenceWorkers: number;
  /** How long a graceful shutdown waits for in-flight requests before closing their connections. */
  readonly shutdownGraceMs: number;
}

export interface BatchingConfig {
  readonly enabled: boolean;
  /** Most users (recommendation requests) one shared batch may hold. */
  readonly maxSize: number;
  /** Longest a request waits for others to join its batch; idle servers never wait. */
  readonly maxWaitMs: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once at start; a wrong value stops the start naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = result.data;
  return {
    environment: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    graphStore: e.GRAPH_STORE,
    dataDir: resolve(e.DATA_DIR),
    seedDemoData: e.SEED_DEMO_DATA,
    modelDir: resolve(e.MODEL_DIR),
    executionProvider: e.EXECUTION_PROVIDER,
    logLevel: e.LOG_LEVEL,
    batching: {
      enabled: e.RECOMMENDATION_BATCHING,
      maxSize: e.RECOMMENDATION_BATCH_MAX_SIZE,
      maxWaitMs: e.RECOMMENDATION_BATCH_MAX_WAIT_MS,
    },
    inferenceWorkers: e.INFERENCE_WORKERS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
}
