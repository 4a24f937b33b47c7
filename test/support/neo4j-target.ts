import { Neo4jContainer, type StartedNeo4jContainer } from '@testcontainers/neo4j';
import neo4j from 'neo4j-driver';
import { getContainerRuntimeClient } from 'testcontainers';
import { loadConfig } from '../../src/config.js';
import type { Neo4jOptions } from '../../src/graph/index.js';

/** The Neo4j image the container leg runs against: the current 5.x community release. */
export const NEO4J_IMAGE = 'neo4j:5-community';

/**
 * Where a Neo4j test leg runs: the server at `NEO4J_URI` when set (with the other `NEO4J_*`
 * settings), else a throw-away container when a container runtime answers, else nowhere, with why.
 */
export type Neo4jTarget =
  | { readonly kind: 'server'; readonly describe: string }
  | { readonly kind: 'container'; readonly describe: string }
  | { readonly kind: 'none'; readonly reason: string };

export async function findNeo4jTarget(env: NodeJS.ProcessEnv = process.env): Promise<Neo4jTarget> {
  if (env.NEO4J_URI) return { kind: 'server', describe: `NEO4J_URI=${env.NEO4J_URI}` };
  try {
    await getContainerRuntimeClient();
    return { kind: 'container', describe: `testcontainers ${NEO4J_IMAGE}` };
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { kind: 'none', reason: `NEO4J_URI is not set and no container runtime is available (${why})` };
  }
}

export interface RunningNeo4j {
  readonly options: Neo4jOptions;
  /** Deletes every node and relationship, so each test starts from an empty database. */
  erase(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNeo4j(target: Neo4jTarget, env: NodeJS.ProcessEnv = process.env): Promise<RunningNeo4j> {
  let container: StartedNeo4jContainer | undefined;
  let options: Neo4jOptions;
  if (target.kind === 'server') {
    options = loadConfig({ ...env, GRAPH_STORE: 'neo4j' }).neo4j;
  } else {
    container = await new Neo4jContainer(NEO4J_IMAGE).withPassword('recograph-test').start();
    options = loadConfig({
      GRAPH_STORE: 'neo4j',
      NEO4J_URI: container.getBoltUri(),
      NEO4J_USER: container.getUsername(),
      NEO4J_PASSWORD: container.getPassword(),
    }).neo4j;
  }
  const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password));
  return {
    options,
    async erase() {
      // Test-only clean-up; the product's statements all live in src/graph/neo4j/cypher.ts.
      await driver.executeQuery('MATCH (n) DETACH DELETE n', {}, {
        database: options.database,
      });
    },
    async stop() {
      await driver.close();
      await container?.stop();
    },
  };
}
