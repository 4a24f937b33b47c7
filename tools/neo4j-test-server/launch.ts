import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const MODULE_DIR = new URL('.', import.meta.url).pathname;
const CLASSES = join(MODULE_DIR, 'target/classes');
const CLASSPATH_FILE = join(MODULE_DIR, 'target/classpath.txt');
/** Touched after each successful build: Maven leaves an unchanged classpath file untouched. */
const BUILT_STAMP = join(MODULE_DIR, 'target/.built');
const SOURCES = [join(MODULE_DIR, 'pom.xml'), join(MODULE_DIR, 'src/main/java/dev/recograph/neo4j/TestServer.java')];
const MAIN_CLASS = 'dev.recograph.neo4j.TestServer';
/** Neo4j 5.26 runs on Java 17 and 21. */
const SUPPORTED_JAVA = [17, 21];

export interface Neo4jTestServerOptions {
  /** Bolt port on 127.0.0.1; 0 (the default) takes any free one. */
  readonly port?: number;
  /** A store folder kept between runs; a fresh temporary one (deleted on stop) when absent. */
  readonly dataDir?: string;
  readonly password?: string;
  /** Neo4j page cache, e.g. `256m`. */
  readonly pageCache?: string;
  /** JVM heap limit, e.g. `1g`. */
  readonly heap?: string;
  /** Lines the JVM writes to stderr (it logs there only when something is wrong). */
  readonly onStderr?: (line: string) => void;
}

export interface Neo4jTestServer {
  /** The client settings, as printed: `NEO4J_URI`, `NEO4J_USER`, `NEO4J_PASSWORD`. */
  readonly settings: Readonly<Record<'NEO4J_URI' | 'NEO4J_USER' | 'NEO4J_PASSWORD', string>>;
  readonly port: number;
  readonly process: ChildProcess;
  /** Asks the DBMS to shut down (SIGTERM, or SIGKILL for a crash) and resolves once the JVM is gone. */
  stop(signal?: 'SIGTERM' | 'SIGINT' | 'SIGKILL'): Promise<void>;
}

function javaCommand(env: NodeJS.ProcessEnv): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin/java') : 'java';
}

/** Why the test server cannot run here (no suitable Java, or no Maven to build it), or null when it can. */
export function neo4jTestServerUnavailableReason(env: NodeJS.ProcessEnv = process.env): string | null {
  const java = spawnSync(javaCommand(env), ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return `no Java runtime (${javaCommand(env)} -version failed)`;
  const major = Number(/version "(\d+)/.exec(java.stderr)?.[1]);
  if (!SUPPORTED_JAVA.includes(major)) return `Neo4j 5.26 needs Java ${SUPPORTED_JAVA.join(' or ')}, found Java ${major || 'of unknown version'}`;
  if (!isBuilt()) {
    const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
    if (mvn.error || mvn.status !== 0) return 'no Maven (mvn) to build the Neo4j test server';
  }
  return null;
}

function isBuilt(): boolean {
  if (!existsSync(BUILT_STAMP) || !existsSync(CLASSPATH_FILE)) return false;
  const builtAt = statSync(BUILT_STAMP).mtimeMs;
  if (SOURCES.some((file) => statSync(file).mtimeMs > builtAt)) return false;
  return readFileSync(CLASSPATH_FILE, 'utf8').trim().split(':').every((jar) => existsSync(jar));
}

/**
 * Compiles the launcher and writes its classpath, unless that is already done and up to date. The
 * first build downloads Neo4j into Maven's local repository; later ones need no network.
 */
export function buildNeo4jTestServer(log: (line: string) => void = () => {}): void {
  if (isBuilt()) return;
  log('building the Neo4j test server (the first build downloads Neo4j 5.26 from Maven Central)…');
  const build = spawnSync('mvn', ['-q', '-B', '-f', join(MODULE_DIR, 'pom.xml'), 'compile'], { encoding: 'utf8' });
  if (build.error || build.status !== 0) {
    throw new Error(`mvn compile of tools/neo4j-test-server failed:\n${build.stdout}${build.stderr}`);
  }
  writeFileSync(BUILT_STAMP, `${new Date().toISOString()}\n`);
}

/** Starts Neo4j (building the launcher first if needed) and resolves once Bolt accepts connections. */
export function startNeo4jTestServer(options: Neo4jTestServerOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<Neo4jTestServer> {
  buildNeo4jTestServer();
  const args = [
    `-Xmx${options.heap ?? '1g'}`,
    '-cp',
    `${CLASSES}:${readFileSync(CLASSPATH_FILE, 'utf8').trim()}`,
    MAIN_CLASS,
    '--port',
    String(options.port ?? 0),
    ...(options.dataDir ? ['--data', options.dataDir] : []),
    ...(options.password ? ['--password', options.password] : []),
    ...(options.pageCache ? ['--page-cache', options.pageCache] : []),
  ];
  const child = spawn(javaCommand(env), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 50) stderr.shift();
    options.onStderr?.(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const failed = (code: number | null, signal: string | null) =>
      reject(new Error(`the Neo4j test server exited (${signal ?? code}) before it was ready:\n${stderr.join('\n')}`));
    child.once('exit', failed);
    child.once('error', reject);
    lines.on('line', (line) => {
      if (!line.startsWith('NEO4J_URI=')) return;
      child.off('exit', failed);
      const settings = Object.fromEntries(line.split(' ').map((pair) => pair.split('=', 2) as [string, string])) as Neo4jTestServer['settings'];
      resolve({
        settings,
        port: Number(new URL(settings.NEO4J_URI).port),
        process: child,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
  });
}
