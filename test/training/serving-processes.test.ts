import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerServingProcess, signalServingProcesses } from '../../src/training/index.js';

const REGISTER_AND_WAIT = `
  const { registerServingProcess } = await import(process.argv[1]);
  const unregister = registerServingProcess(process.argv[2]);
  process.on('SIGHUP', () => { console.log('reloading'); unregister(); process.exit(0); });
  console.log('registered');
  setInterval(() => {}, 1000);
`;

describe('API processes serving a model folder', () => {
  it('registers a process and unregisters it', async () => {
    const modelDir = await mkdtemp(join(tmpdir(), 'recograph-serving-'));
    const unregister = registerServingProcess(modelDir);
    expect(await readdir(join(modelDir, '.serving'))).toEqual([`${hostname()}.${process.pid}`]);
    unregister();
    expect(await readdir(join(modelDir, '.serving'))).toEqual([]);
  });

  it('sends SIGHUP to the live ones of this host, drops stale entries and reports other hosts', async () => {
    const modelDir = await mkdtemp(join(tmpdir(), 'recograph-serving-'));
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', REGISTER_AND_WAIT, new URL('../../src/training/index.ts', import.meta.url).href, modelDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const output: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    while (!output.join('').includes('registered')) await new Promise((r) => setTimeout(r, 20));
    // A process that exited without unregistering (kill -9), and one of another container.
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    await writeFile(join(modelDir, '.serving', `${hostname()}.${gone.pid}`), JSON.stringify({ pid: gone.pid, host: hostname(), startTicks: null }));
    await writeFile(join(modelDir, '.serving', 'other-container.1'), JSON.stringify({ pid: 1, host: 'other-container', startTicks: 5 }));

    const signals = signalServingProcesses(modelDir);
    expect(signals).toEqual({ signalled: [child.pid], elsewhere: ['other-container.1'], stale: [`${hostname()}.${gone.pid}`] });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output.join('')).toContain('reloading');
    expect(await readdir(join(modelDir, '.serving'))).toEqual(['other-container.1']);
  });

  it('takes a reused pid (another start time) for a stale entry and never signals it', async () => {
    const modelDir = await mkdtemp(join(tmpdir(), 'recograph-serving-'));
    registerServingProcess(modelDir);
    const path = join(modelDir, '.serving', `${hostname()}.${process.pid}`);
    await writeFile(path, JSON.stringify({ pid: process.pid, host: hostname(), startTicks: 1 }));
    expect(signalServingProcesses(modelDir).stale).toEqual([`${hostname()}.${process.pid}`]);
  });

  it('finds nothing to signal when no process ever registered', async () => {
    expect(signalServingProcesses(await mkdtemp(join(tmpdir(), 'recograph-serving-')))).toEqual({ signalled: [], elsewhere: [], stale: [] });
  });
});
