import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteGraphStore } from '../../src/graph/index.js';

describe('embedded store under kill -9', () => {
  it('keeps every acknowledged interaction, once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'recograph-crash-')), 'store.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/record-until-killed.ts', path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: string[] = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', () => resolve());
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        acknowledged.push(...lines);
        if (acknowledged.length >= 200 && child.exitCode === null) child.kill('SIGKILL');
      });
    });
    expect(child.signalCode).toBe('SIGKILL');

    const store = new SqliteGraphStore(path);
    const counts = await store.interactionCounts(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
    const total = counts.reduce((a, b) => a + b, 0);
    // Every acknowledged write is there; at most the one in flight at the kill may be too.
    expect(total).toBeGreaterThanOrEqual(acknowledged.length);
    expect(total).toBeLessThanOrEqual(acknowledged.length + 1);
    const retried = await store.recordInteractions(
      acknowledged.map((id, n) => ({ id, userId: `u${n % 7}`, itemId: 'a', type: 'VIEW' as const, weight: 1, occurredAt: new Date() })),
    );
    expect(retried.recordedCount).toBe(0);
    await store.close();
  });
});
