import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Which API processes serve a model folder, so that a trainer can tell them to reload it. Each
 * process registers `<MODEL_DIR>/.serving/<host>.<pid>` at start and removes it at exit; a process
 * killed outright leaves its entry, which is recognised as stale (no such process, or another
 * process under a reused pid) and removed when next read. Only processes of this host (by
 * hostname, which is the container's in a container) can be signalled; others are reported.
 */
const REGISTRY = '.serving';

interface Registration {
  readonly pid: number;
  readonly host: string;
  /** The process's start time in clock ticks since boot (Linux), to tell a reused pid apart; null elsewhere. */
  readonly startTicks: number | null;
}

/** The start time of `pid` from `/proc/<pid>/stat` (field 22), or null without procfs. */
function startTicksOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is parenthesised and may hold spaces: count fields after it.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}

/** Registers this process as serving `modelDir`; returns the function that unregisters it (synchronous, so it runs in an `exit` handler). */
export function registerServingProcess(modelDir: string): () => void {
  const directory = join(modelDir, REGISTRY);
  mkdirSync(directory, { recursive: true });
  const entry: Registration = { pid: process.pid, host: hostname(), startTicks: startTicksOf(process.pid) };
  const path = join(directory, `${entry.host}.${entry.pid}`);
  writeFileSync(path, `${JSON.stringify(entry)}\n`);
  return () => rmSync(path, { force: true });
}

export interface ReloadSignals {
  /** Pids sent SIGHUP. */
  readonly signalled: readonly number[];
  /** Entries of processes on other hosts or containers: reload those there. */
  readonly elsewhere: readonly string[];
  /** Entries of processes that no longer run, removed. */
  readonly stale: readonly string[];
}

function isRunning(entry: Registration): boolean {
  try {
    process.kill(entry.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return entry.startTicks === null || startTicksOf(entry.pid) === entry.startTicks;
}

/** Sends SIGHUP to every live process of this host registered as serving `modelDir`. */
export function signalServingProcesses(modelDir: string): ReloadSignals {
  const directory = join(modelDir, REGISTRY);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return { signalled: [], elsewhere: [], stale: [] };
  }
  const here = hostname();
  const signalled: number[] = [];
  const elsewhere: string[] = [];
  const stale: string[] = [];
  for (const name of names) {
    let entry: Registration;
    try {
      entry = JSON.parse(readFileSync(join(directory, name), 'utf8')) as Registration;
    } catch {
      continue; // removed meanwhile, or being written
    }
    if (entry.host !== here) {
      elsewhere.push(name);
    } else if (isRunning(entry)) {
      process.kill(entry.pid, 'SIGHUP');
      signalled.push(entry.pid);
    } else {
      rmSync(join(directory, name), { force: true });
      stale.push(name);
    }
  }
  return { signalled, elsewhere, stale };
}
