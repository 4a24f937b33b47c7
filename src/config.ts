import { resolve } from 'node:path';
import { z } from 'zod';
import { readExperimentFile, type ExperimentConfig } from './experiments/index.js';
import { DEFAULT_WORKER_HEAP_MIB } from './inference/index.js';
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_CACHE_ITEMS,
  DEFAULT_CACHE_USERS,
  DEVELOPMENT_ERASURE_SECRET,
  type EmbeddedStoreOptions,
  type Neo4jOptions,
} from './graph/index.js';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const positiveInt = z.coerce.number().int().min(1);

export type Role = 'reader' | 'writer' | 'admin';

export interface ApiKey {
  readonly key: string;
  readonly role: Role;
}

/** How end-user tokens are verified: against a JWKS URL or a shared secret, never both. */
export type UserTokenOptions =
  | { readonly jwksUrl: URL; readonly issuer: string | null; readonly audience: string | null }
  | { readonly secret: string; readonly issuer: string | null; readonly audience: string | null };

/** `key:role,key:role`; keys of at least 16 characters, each key once. */
const apiKeysFromEnv = z
  .string()
  .transform((value) => value.split(',').map((pair) => pair.trim()).filter((pair) => pair.length > 0))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[^:\s]{16,}:(reader|writer|admin)$/, 'each entry must be key:role, a key of 16+ characters without spaces or colons, role reader, writer or admin')
          .transform((pair): ApiKey => {
            const [key, role] = pair.split(':') as [string, Role];
            return { key, role };
          }),
      )
      .refine((keys) => new Set(keys.map((k) => k.key)).size === keys.length, 'a key appears twice'),
  );

/** Every setting recograph reads from the environment; README.md has the same table. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  GRAPH_STORE: z.enum(['embedded', 'neo4j']).default('embedded'),
  DATA_DIR: z.string().min(1).default('data'),
  EMBEDDED_CACHE_ITEMS: z.coerce.number().int().min(0).max(10_000_000).default(DEFAULT_CACHE_ITEMS),
  EMBEDDED_CACHE_USERS: z.coerce.number().int().min(0).max(10_000_000).default(DEFAULT_CACHE_USERS),
  EMBEDDED_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(DEFAULT_BUSY_TIMEOUT_MS),
  // Empty counts as unset, so a compose file can pass it through when the operator has not set it.
  ERASURE_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional()),
  SEED_DEMO_DATA: booleanFromEnv.default(true),
  MODEL_DIR: z.string().min(1).default('models/demo'),
  // Empty turns content features off.
  TEXT_ENCODER_DIR: z.string().default('models/text-encoder'),
  EXECUTION_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  API_KEYS: apiKeysFromEnv.default([]),
  PUBLIC_READS: booleanFromEnv.default(true),
  ALLOW_OPEN_MUTATIONS: booleanFromEnv.default(false),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  INCLUDE_STACKTRACE: booleanFromEnv.default(false),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MAX_QUERY_DEPTH: positiveInt.default(12),
  MAX_QUERY_ALIASES: positiveInt.default(100),
  MAX_QUERY_DIRECTIVES: positiveInt.default(20),
  MAX_QUERY_TOKENS: positiveInt.default(2000),
  MAX_QUERY_COST: positiveInt.default(500_000),
  MAX_REQUEST_BYTES: positiveInt.default(1_048_576),
  MAX_RESPONSE_BYTES: positiveInt.default(8 * 1_048_576),
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(5_000),
  MAX_CONNECTIONS: positiveInt.default(1024),
  STORE_PROBE_INTERVAL_MS: positiveInt.default(1000),
  CATALOGUE_SYNC_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  RECOMMENDATION_LIST_TTL_S: z.coerce.number().int().min(1).max(86_400).default(300),
  RECOMMENDATION_LISTS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(2000),
  EXPERIMENTS_FILE: z.string().min(1).optional(),
  IMPRESSIONS_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  IMPRESSIONS_BUFFER_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  RECOMMENDATION_BATCHING: booleanFromEnv.default(true),
  RECOMMENDATION_BATCH_MAX_SIZE: z.coerce.number().int().min(1).max(4096).default(256),
  RECOMMENDATION_BATCH_MAX_WAIT_MS: z.coerce.number().min(0).max(1000).default(2),
  RESULT_CACHE: booleanFromEnv.default(true),
  RESULT_CACHE_ENTRIES: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  INFERENCE_WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  INFERENCE_SPLIT_MIN_ROWS: z.coerce.number().int().min(0).max(4096).default(8),
  INFERENCE_WORKER_HEAP_MIB: z.coerce.number().int().min(16).max(65_536).default(DEFAULT_WORKER_HEAP_MIB),
  MAX_CONCURRENT_REQUESTS: positiveInt.default(32),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  FEDERATION: z.enum(['subgraph', 'off']).default('subgraph'),
  // Unset means: on in development without credentials, else off.
  GRAPHQL_INTROSPECTION: booleanFromEnv.optional(),
  // Unset means: compiled, unless the graph reports to Apollo Studio itself.
  GRAPHQL_EXECUTOR: z.enum(['compiled', 'graphql-js']).optional(),
  APOLLO_KEY: z.string().regex(/^\S+$/, 'must be an Apollo graph API key').optional(),
  APOLLO_GRAPH_REF: z.string().regex(/^[^@\s]+(@[^@\s]+)?$/, 'must look like graph-id@variant').optional(),
  NEO4J_URI: z.string().regex(/^(neo4j|bolt)(\+s|\+ssc)?:\/\/.+/, 'must be a neo4j:// or bolt:// URI').default('neo4j://localhost:7687'),
  NEO4J_USER: z.string().min(1).default('neo4j'),
  NEO4J_PASSWORD: z.string().optional(),
  NEO4J_DATABASE: z.string().min(1).default('neo4j'),
  NEO4J_MAX_CONNECTION_POOL_SIZE: z.coerce.number().int().min(1).default(100),
  NEO4J_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  NEO4J_CONNECTION_ACQUISITION_TIMEOUT_MS: z.coerce.number().int().min(1).default(60_000),
  NEO4J_MAX_TRANSACTION_RETRY_TIME_MS: z.coerce.number().int().min(0).default(30_000),
  NEO4J_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(0),
})
  .refine((e) => (e.APOLLO_KEY === undefined) === (e.APOLLO_GRAPH_REF === undefined), {
    message: 'set both APOLLO_KEY and APOLLO_GRAPH_REF, or neither',
    path: ['APOLLO_KEY'],
  })
  .refine((e) => e.AUTH_JWKS_URL === undefined || e.AUTH_JWT_SECRET === undefined, {
    message: 'set AUTH_JWKS_URL or AUTH_JWT_SECRET, not both',
    path: ['AUTH_JWKS_URL'],
  })
  .refine((e) => e.GRAPH_STORE !== 'neo4j' || (e.NEO4J_PASSWORD ?? '') !== '', {
    path: ['NEO4J_PASSWORD'],
    message: 'is required when GRAPH_STORE=neo4j',
  });

export interface Config {
  readonly environment: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly graphStore: 'embedded' | 'neo4j';
  /** Absolute; the embedded store lives in `<dataDir>/recograph.sqlite`. */
  readonly dataDir: string;
  /** Used when `graphStore` is `embedded`. */
  readonly embedded: EmbeddedStoreOptions;
  /** Key of the HMACs a store keeps of erased interaction ids, so that replays of them are refused. */
  readonly erasureSecret: string;
  readonly seedDemoData: boolean;
  /** Absolute; holds model.json and the files it names (docs/model.md, Files). */
  readonly modelDir: string;
  /** Absolute; the text encoder for content features (docs/content.md); null: content features off. */
  readonly textEncoderDir: string | null;
  readonly executionProvider: 'cpu' | 'cuda';
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** `subgraph`: an Apollo Federation 2 subgraph; `off`: a plain graph that reports to Studio itself. */
  readonly federation: 'subgraph' | 'off';
  readonly introspection: boolean;
  /** `compiled`: queries run as graphql-jit functions (src/execution/); `graphql-js`: everything on graphql-js. */
  readonly executor: 'compiled' | 'graphql-js';
  /** Apollo GraphOS credentials; null when not reporting to Apollo Studio. */
  readonly apollo: { readonly key: string; readonly graphRef: string } | null;
  /** Used when `graphStore` is `neo4j`. */
  readonly neo4j: Neo4jOptions;
  readonly access: AccessOptions;
  /** Whether error responses carry `extensions.stacktrace`: only when explicitly asked for. */
  readonly includeStacktrace: boolean;
  /** A port of its own for `/metrics`, open to anyone who reaches it; null serves it on `port`, behind a key. */
  readonly metricsPort: number | null;
  readonly queryLimits: QueryLimits;
  /** Largest accepted request body. */
  readonly maxRequestBytes: number;
  /** Largest answer sent; a larger one is replaced by one RESPONSE_TOO_LARGE error. */
  readonly maxResponseBytes: number;
  readonly http: HttpLimits;
  /** How often the store's reachability is probed (it also is after any failed store call). */
  readonly storeProbeIntervalMs: number;
  /** How often the serving model reads item writes made elsewhere (other API processes, the import); 0: never. */
  readonly catalogueSyncMs: number;
  /** Ranked lists kept for paging (`Query.recommendationList`): how long, and how many at most. */
  readonly rankedLists: { readonly ttlMs: number; readonly maxLists: number };
  /** The A/B experiment being run (`EXPERIMENTS_FILE`); null when none is. */
  readonly experiment: ExperimentConfig | null;
  /** Served answers' impressions: how often they are written to the store, and how many answers wait at most. */
  readonly impressions: { readonly flushMs: number; readonly maxPending: number };
  /** Cross-request micro-batching of the neighbourhood fetch and the model run. */
  readonly batching: BatchingConfig;
  /** Results that depend on no user's history kept between requests, exact (result-cache.ts); null: off. */
  readonly resultCache: { readonly maxEntries: number } | null;
  /** Worker threads running the model, each with its own session; 0 runs it on the event loop. */
  readonly inferenceWorkers: number;
  /** Fewest users per part when a big model run is split across idle workers; 0 never splits. */
  readonly inferenceSplitMinRows: number;
  /** Each inference worker's V8 heap limit (old generation), in MiB. */
  readonly inferenceWorkerHeapMib: number;
  /** GraphQL requests executing at once; more wait for a slot, so memory under load stays bounded. */
  readonly maxConcurrentRequests: number;
  /** How long a graceful shutdown waits for in-flight requests before closing their connections. */
  readonly shutdownGraceMs: number;
}

export interface AccessOptions {
  /** API keys of trusted services. With no keys and no `userTokens` the API is open (development). */
  readonly apiKeys: readonly ApiKey[];
  /** End-user JWTs whose `sub` is the user's id; null when not accepted. */
  readonly userTokens: UserTokenOptions | null;
  /** Whether anonymous callers may read the catalogue and model info (never users' data). */
  readonly publicReads: boolean;
}

/** Per-operation limits against abusive queries; see docs/reliability.md. */
export interface QueryLimits {
  readonly depth: number;
  readonly aliases: number;
  readonly directives: number;
  readonly tokens: number;
  /** Estimated fields resolved, list sizes (`first`) multiplied through nesting. */
  readonly cost: number;
}

/** Node's HTTP server limits: slow or idle clients and connection floods. */
export interface HttpLimits {
  /** How long a client may take to send the request headers. */
  readonly headersTimeoutMs: number;
  /** How long a client may take to send the whole request. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections beyond this are closed at once. */
  readonly maxConnections: number;
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
  const userTokens = userTokenOptions(e);
  if (e.NODE_ENV === 'production' && e.API_KEYS.length === 0 && userTokens === null && !e.ALLOW_OPEN_MUTATIONS) {
    throw new ConfigError(
      'Invalid configuration: API_KEYS: production needs API keys or user tokens (AUTH_JWKS_URL, AUTH_JWT_SECRET) so that the API is not open to anyone; set ALLOW_OPEN_MUTATIONS=true to run open on purpose',
    );
  }
  const open = e.API_KEYS.length === 0 && userTokens === null;
  let experiment: ExperimentConfig | null = null;
  try {
    experiment = e.EXPERIMENTS_FILE === undefined ? null : readExperimentFile(resolve(e.EXPERIMENTS_FILE));
  } catch (error) {
    throw new ConfigError(`Invalid configuration: EXPERIMENTS_FILE: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (e.NODE_ENV === 'production' && !open && e.ERASURE_SECRET === undefined) {
    throw new ConfigError(
      'Invalid configuration: ERASURE_SECRET: production with credentials needs a secret of 32+ characters, else the hashes kept of erased users\' interaction ids are as guessable as unkeyed ones',
    );
  }
  const apollo = e.APOLLO_KEY && e.APOLLO_GRAPH_REF ? { key: e.APOLLO_KEY, graphRef: e.APOLLO_GRAPH_REF } : null;
  // Apollo's schema reporting refuses a gateway, which is how the compiled executor plugs in.
  const reportsToStudio = apollo !== null && e.FEDERATION === 'off';
  if (reportsToStudio && e.GRAPHQL_EXECUTOR === 'compiled') {
    throw new ConfigError(
      'Invalid configuration: GRAPHQL_EXECUTOR: compiled cannot report to Apollo Studio directly (FEDERATION=off with APOLLO_KEY); use graphql-js, or serve as a subgraph whose router reports',
    );
  }
  return {
    environment: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    graphStore: e.GRAPH_STORE,
    dataDir: resolve(e.DATA_DIR),
    embedded: { cacheItems: e.EMBEDDED_CACHE_ITEMS, cacheUsers: e.EMBEDDED_CACHE_USERS, busyTimeoutMs: e.EMBEDDED_BUSY_TIMEOUT_MS },
    erasureSecret: e.ERASURE_SECRET ?? DEVELOPMENT_ERASURE_SECRET,
    seedDemoData: e.SEED_DEMO_DATA,
    modelDir: resolve(e.MODEL_DIR),
    textEncoderDir: e.TEXT_ENCODER_DIR === '' ? null : resolve(e.TEXT_ENCODER_DIR),
    executionProvider: e.EXECUTION_PROVIDER,
    logLevel: e.LOG_LEVEL,
    access: { apiKeys: e.API_KEYS, userTokens, publicReads: e.PUBLIC_READS },
    includeStacktrace: e.INCLUDE_STACKTRACE,
    metricsPort: e.METRICS_PORT ?? null,
    queryLimits: {
      depth: e.MAX_QUERY_DEPTH,
      aliases: e.MAX_QUERY_ALIASES,
      directives: e.MAX_QUERY_DIRECTIVES,
      tokens: e.MAX_QUERY_TOKENS,
      cost: e.MAX_QUERY_COST,
    },
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    maxResponseBytes: e.MAX_RESPONSE_BYTES,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
    },
    storeProbeIntervalMs: e.STORE_PROBE_INTERVAL_MS,
    catalogueSyncMs: e.CATALOGUE_SYNC_MS,
    rankedLists: { ttlMs: e.RECOMMENDATION_LIST_TTL_S * 1000, maxLists: e.RECOMMENDATION_LISTS_MAX },
    federation: e.FEDERATION,
    // With credentials configured, development exposes no more of the schema than production.
    introspection: e.GRAPHQL_INTROSPECTION ?? (e.NODE_ENV !== 'production' && open),
    executor: e.GRAPHQL_EXECUTOR ?? (reportsToStudio ? 'graphql-js' : 'compiled'),
    apollo,
    neo4j: {
      uri: e.NEO4J_URI,
      user: e.NEO4J_USER,
      password: e.NEO4J_PASSWORD ?? '',
      database: e.NEO4J_DATABASE,
      maxConnectionPoolSize: e.NEO4J_MAX_CONNECTION_POOL_SIZE,
      connectionTimeoutMs: e.NEO4J_CONNECTION_TIMEOUT_MS,
      connectionAcquisitionTimeoutMs: e.NEO4J_CONNECTION_ACQUISITION_TIMEOUT_MS,
      maxTransactionRetryTimeMs: e.NEO4J_MAX_TRANSACTION_RETRY_TIME_MS,
      transactionTimeoutMs: e.NEO4J_TRANSACTION_TIMEOUT_MS,
    },
    experiment,
    impressions: { flushMs: e.IMPRESSIONS_FLUSH_MS, maxPending: e.IMPRESSIONS_BUFFER_MAX },
    batching: {
      enabled: e.RECOMMENDATION_BATCHING,
      maxSize: e.RECOMMENDATION_BATCH_MAX_SIZE,
      maxWaitMs: e.RECOMMENDATION_BATCH_MAX_WAIT_MS,
    },
    resultCache: e.RESULT_CACHE ? { maxEntries: e.RESULT_CACHE_ENTRIES } : null,
    inferenceWorkers: e.INFERENCE_WORKERS,
    inferenceSplitMinRows: e.INFERENCE_SPLIT_MIN_ROWS,
    inferenceWorkerHeapMib: e.INFERENCE_WORKER_HEAP_MIB,
    maxConcurrentRequests: e.MAX_CONCURRENT_REQUESTS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
}

function userTokenOptions(e: z.infer<typeof envSchema>): UserTokenOptions | null {
  const claims = { issuer: e.AUTH_JWT_ISSUER ?? null, audience: e.AUTH_JWT_AUDIENCE ?? null };
  if (e.AUTH_JWKS_URL !== undefined) return { jwksUrl: new URL(e.AUTH_JWKS_URL), ...claims };
  if (e.AUTH_JWT_SECRET !== undefined) return { secret: e.AUTH_JWT_SECRET, ...claims };
  return null;
}
