import { Neo4jContainer, type StartedNeo4jContainer } from '@testcontainers/neo4j';
import { getContainerRuntimeClient } from 'testcontainers';
import type { TestProject } from 'vitest/node';
import { neo4jTestServerUnavailableReason, startNeo4jTestServer, type Neo4jTestServer } from '../../tools/neo4j-test-server/launch.js';
import { NEO4J_IMAGE, type Neo4jProvision } from './neo4j.js';

/**
 * One Neo4j for the whole `neo4j` vitest project: the server at `NEO4J_URI` when set, else the
 * embedded test server (tools/neo4j-test-server) when Java and Maven are here, else a container
 * when a container runtime answers, else none, with the reason every Neo4j test prints as it skips
 * (or, with `NEO4J_TESTS=required`, as CI sets it, a failed run).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  let stop = async () => {};
  let provision: Neo4jProvision;
  const harnessMissing = env.NEO4J_URI ? null : neo4jTestServerUnavailableReason(env);
  if (env.NEO4J_URI) {
    provision = {
      available: true,
      describe: `NEO4J_URI=${env.NEO4J_URI}`,
      settings: { NEO4J_URI: env.NEO4J_URI, NEO4J_USER: env.NEO4J_USER ?? 'neo4j', NEO4J_PASSWORD: env.NEO4J_PASSWORD ?? '' },
    };
  } else if (harnessMissing === null) {
    const started = performance.now();
    const server: Neo4jTestServer = await startNeo4jTestServer({ onStderr: (line) => console.error(`[neo4j] ${line}`) });
    console.log(`Neo4j test server ready at ${server.settings.NEO4J_URI} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    provision = { available: true, describe: 'Neo4j 5.26 test server (tools/neo4j-test-server)', settings: server.settings };
    stop = () => server.stop();
  } else {
    const container = await startContainer();
    if (typeof container === 'string') {
      const reason = `NEO4J_URI is not set, the test server cannot run (${harnessMissing}) and ${container}`;
      if (env.NEO4J_TESTS === 'required') throw new Error(`NEO4J_TESTS=required, but there is no Neo4j: ${reason}`);
      provision = { available: false, reason };
      console.warn(`Skipping the Neo4j tests: ${reason}.`);
    } else {
      provision = {
        available: true,
        describe: `testcontainers ${NEO4J_IMAGE}`,
        settings: { NEO4J_URI: container.getBoltUri(), NEO4J_USER: container.getUsername(), NEO4J_PASSWORD: container.getPassword() },
      };
      stop = async () => void (await container.stop());
    }
  }
  project.provide('neo4j', provision);
  return stop;
}

/** A started container, or why there is none. */
async function startContainer(): Promise<StartedNeo4jContainer | string> {
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    return `no container runtime is available (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  return new Neo4jContainer(NEO4J_IMAGE).withPassword('recograph-test').start();
}
