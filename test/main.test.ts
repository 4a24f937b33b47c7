import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

describe('the server process', () => {
  it('reloads the model on SIGHUP and exits cleanly on SIGTERM', async () => {
    const modelDir = mkdtempSync(join(tmpdir(), 'recograph-process-model-'));
    cpSync('models/demo', modelDir, { recursive: true });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        ALLOW_OPEN_MUTATIONS: 'true',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'recograph-process-')),
        MODEL_DIR: modelDir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const logs: Record<string, any>[] = [];
    const waiters: { msg: string; resolve: (line: Record<string, any>) => void }[] = [];
    createInterface({ input: child.stdout! }).on('line', (text) => {
      // Anything on stdout that is not a log line (a native library's warning) is kept, not thrown on.
      const line = text.startsWith('{') ? JSON.parse(text) : { msg: `(not a log line) ${text}` };
      logs.push(line);
      for (const w of waiters.filter((w) => w.msg === line.msg)) w.resolve(line);
    });
    // A step that never comes fails with what the process did log, instead of a bare test timeout.
    const within = <T>(what: string, promise: Promise<T>) =>
      Promise.race([
        promise,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no ${what} after 40 s; the server logged: ${logs.map((l) => l.msg).join(' | ')}`)), 40_000).unref(),
        ),
      ]);
    const logged = (msg: string) =>
      within(
        `"${msg}"`,
        new Promise<Record<string, any>>((resolve) => {
          const seen = logs.find((l) => l.msg === msg);
          if (seen) resolve(seen);
          else waiters.push({ msg, resolve });
        }),
      );
    const version = async (url: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ model { version } }' }),
      });
      return ((await response.json()) as any).data.model.version;
    };

    try {
      const { url } = await logged('recograph is ready');
      const metadata = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
      writeFileSync(join(modelDir, 'model.json'), JSON.stringify({ ...metadata, version: 'from-sighup' }));
      child.kill('SIGHUP');
      await logged('model reloaded');
      expect(await within('answer to { model { version } }', version(url))).toBe('from-sighup');

      child.kill('SIGTERM');
      expect(await within('exit after SIGTERM', exited)).toBe(0);
      expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: no new connections, finishing in-flight requests', 'stopped']));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
