#!/usr/bin/env node
/**
 * Runs Python with the training package on its path. The interpreter is $PYTHON, else Debian's
 * /usr/bin/python3 (which has python3-torch), since a `python3` earlier on PATH may lack PyTorch.
 * With --tests, a missing PyTorch or pytest skips the Python tests with the reason, rather than
 * failing a machine that only serves the API.
 */
import { spawnSync } from 'node:child_process';
import { delimiter, resolve } from 'node:path';

const python = process.env.PYTHON ?? '/usr/bin/python3';
const args = process.argv.slice(2);
const testsOnly = args[0] === '--tests';
const env = {
  ...process.env,
  PYTHONPATH: [resolve('training'), process.env.PYTHONPATH].filter(Boolean).join(delimiter),
  PYTHONDONTWRITEBYTECODE: '1',
};

if (testsOnly) {
  const probe = spawnSync(python, ['-c', 'import torch, numpy, pytest'], { env, encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(
      `SKIPPED Python tests: ${python} cannot import torch, numpy and pytest ` +
        '(apt-get install python3-torch python3-numpy python3-scipy python3-pytest python3-onnx, or set PYTHON).',
    );
    process.exit(0);
  }
}
const run = spawnSync(python, testsOnly ? ['-m', 'pytest', 'training', ...args.slice(1)] : args, { env, stdio: 'inherit' });
process.exit(run.status ?? 1);
