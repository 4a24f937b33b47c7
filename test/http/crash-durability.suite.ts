import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killHard, startServerProcess } from '../support/server-process.js';
import type { StoreLeg } from '../support/store-legs.js';

const RECORD = /* GraphQL */ `
  mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount } }
`;
const WRITERS = 4;
const BATCH = 3;

interface Batch {
  readonly userId: string;
  readonly input: readonly { id: string; userId: string; itemId: string; type: 'LIKE' }[];
}

async function post(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (response.status !== 200 || body.errors) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export function describeCrashDurability(leg: StoreLeg): void {
  describe(`the server under kill -9 (${leg.name} store)`, () => {
    it('keeps every acknowledged interaction once, and a retry of the unacknowledged ones records each once', async () => {
      const env = leg.env(mkdtempSync(join(tmpdir(), 'recograph-kill-')));
      const first = await startServerProcess(env);

      const acknowledged: Batch[] = [];
      const unacknowledged: Batch[] = [];
      let killing = false;
      const writer = async (w: number) => {
        for (let n = 0; !killing; n++) {
          const userId = `crash-writer-${w}`;
          const batch: Batch = {
            userId,
            input: Array.from({ length: BATCH }, (_, j) => ({ id: `w${w}-${n}-${j}`, userId, itemId: `item-000${j + 1}`, type: 'LIKE' as const })),
          };
          try {
            await post(first.url, RECORD, { input: batch.input });
            acknowledged.push(batch);
          } catch {
            unacknowledged.push(batch); // in flight at the kill: a client would retry it
            return;
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 10));
      await killHard(first.child);
      killing = true;
      await Promise.all(writers);
      expect(first.child.signalCode).toBe('SIGKILL');

      const second = await startServerProcess(env);
      try {
        // Every acknowledged interaction is there: recording them again records nothing.
        const replay = await post(second.url, RECORD, { input: acknowledged.flatMap((b) => b.input) });
        expect(replay.recordInteractions.recordedCount).toBe(0);
        // Retrying what was in flight records each interaction at most once.
        for (const batch of unacknowledged) await post(second.url, RECORD, { input: batch.input });
        for (let w = 0; w < WRITERS; w++) {
          const userId = `crash-writer-${w}`;
          const sent = [...acknowledged, ...unacknowledged].filter((b) => b.userId === userId).length * BATCH;
          const { user } = await post(second.url, 'query ($id: ID!) { user(id: $id) { interactionCount } }', { id: userId });
          expect(user.interactionCount).toBe(sent);
        }
      } finally {
        await killHard(second.child);
      }
    }, 120_000);
  });
}
