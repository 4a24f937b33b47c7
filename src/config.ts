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
  FEDERATION: z.enum(['subgraph', 'off']).default('subgraph'),
  // Unset means: on, except in production.
  GRAPHQL_INTROSPECTION: booleanFromEnv.optional(),
  APOLLO_KEY: z.string().regex(/^\S+$/, 'must be an Apollo graph API key').optional(),
  APOLLO_GRAPH_REF: z.string().regex(/^[^@\s]+(@[^@\s]+)?$/, 'must look like graph-id@variant').optional(),
}).refine((e) => (e.APOLLO_KEY === undefined) === (e.APOLLO_GRAPH_REF === undefined), {
  message: 'set both APOLLO_KEY and APOLLO_GRAPH_REF, or neither',
  path: ['APOLLO_KEY'],
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
  /** `subgraph`: an Apollo Federation 2 subgraph; `off`: a plain graph that reports to Studio itself. */
  readonly federation: 'subgraph' | 'off';
  readonly introspection: boolean;
  /** Apollo GraphOS credentials; null when not reporting to Apollo Studio. */
  readonly apollo: { readonly key: string; readonly graphRef: string } | null;
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
    federation: e.FEDERATION,
    introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
    apollo: e.APOLLO_KEY && e.APOLLO_GRAPH_REF ? { key: e.APOLLO_KEY, graphRef: e.APOLLO_GRAPH_REF } : null,
  };
}
