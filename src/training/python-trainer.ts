import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTERACTIONS_FILE, ITEMS_FILE } from './dataset-csv.js';

/** The repository root (from `src/training` or `dist/training`): `scripts/run-python.mjs` puts `training/` on the path from there. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface TrainerRun {
  /** Folder holding the CSV pair. */
  readonly dataset: string;
  /** Folder to write the model into. */
  readonly out: string;
  readonly epochs?: number;
  /** Continue from the model in this folder (`recograph_training.warm_start`) instead of training anew. */
  readonly warmStartFrom?: string;
  readonly datasetName: string;
}

export class TrainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainerError';
  }
}

/** The Python trainer's arguments for `run`. */
export function trainerArguments(run: TrainerRun): string[] {
  return [
    join(ROOT, 'scripts', 'run-python.mjs'),
    '-m',
    run.warmStartFrom === undefined ? 'recograph_training.train' : 'recograph_training.warm_start',
    ...(run.warmStartFrom === undefined ? [] : ['--from', run.warmStartFrom]),
    '--interactions',
    join(run.dataset, INTERACTIONS_FILE),
    '--items',
    join(run.dataset, ITEMS_FILE),
    '--dataset-name',
    run.datasetName,
    '--out',
    run.out,
    ...(run.epochs === undefined ? [] : ['--epochs', String(run.epochs)]),
  ];
}

/** Runs the Python trainer (its output goes to this process's); rejects when it fails. */
export function runTrainer(run: TrainerRun): Promise<void> {
  return runPython(trainerArguments(run).slice(1), 'the trainer');
}

/** Runs `scripts/run-python.mjs` with `args` (output to this process's); rejects, naming `what`, when it fails. */
export function runPython(args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-python.mjs'), ...args], { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new TrainerError(`${what} exited with ${signal ?? `status ${code}`}`))));
  });
}
