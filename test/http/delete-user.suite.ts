import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

const EVIDENCE = /* GraphQL */ `
  query ($userId: ID!) {
    recommendations(userId: $userId, first: 20) {
      item { id }
      explanation { contributions(first: 50) { evidence(first: 50) { user { id } } } }
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation ($id: ID!) {
    deleteUser(id: $id) { id deleted deletedInteractionCount }
  }
`;

const evidenceUsers = (recommendations: any[]): Set<string> =>
  new Set(
    recommendations.flatMap((r) =>
      r.explanation.contributions.flatMap((c: any) => c.evidence.map((e: any) => e.user.id as string)),
    ),
  );

export function describeUserErasure(leg: StoreLeg): void {
  describe(`erasing a user (${leg.name} store)`, () => {
    let server: TestServer;
    const auditLines: Record<string, unknown>[] = [];
    beforeAll(async () => {
      const auditDestination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          auditLines.push(...chunk.toString().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>));
          done();
        },
      });
      // LOG_LEVEL is silent: audit lines are written whatever it says.
      server = await startTestServerOn(leg, { auditDestination });
    });
    afterAll(() => server?.close());

    it('erases the user and everything derived from them, even while the model still knows their id', async () => {
      const before = await server.graphql(EVIDENCE, { userId: 'user-0001' });
      const victim = [...evidenceUsers(before.data.recommendations)][0]!;
      expect(victim).toMatch(/^user-/);
      const profile = await server.graphql(`query ($id: ID!) { user(id: $id) { interactionCount } }`, { id: victim });
      const recorded = profile.data.user.interactionCount as number;

      const erased = await server.graphql(DELETE, { id: victim });
      expect(erased.errors).toBeUndefined();
      expect(erased.data.deleteUser).toEqual({ id: victim, deleted: true, deletedInteractionCount: recorded });

      const after = await server.graphql(EVIDENCE, { userId: 'user-0001' });
      expect(evidenceUsers(after.data.recommendations).has(victim)).toBe(false);
      const gone = await server.graphql(
        `query ($id: ID!) {
          user(id: $id) { id }
          recommendations(userId: $id, first: 3) { explanation { kind } }
          users(first: 100) { nodes { id } }
        }`,
        { id: victim },
      );
      expect(gone.data.user).toBeNull();
      expect(gone.data.recommendations.map((r: any) => r.explanation.kind)).toEqual(Array(3).fill('POPULARITY_FALLBACK'));
      expect(gone.data.users.nodes.map((n: any) => n.id)).not.toContain(victim);
    });

    it('refuses a retried recordInteractions of an erased user as bad input, recreating nothing', async () => {
      const RECORD = `mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount } }`;
      const input = [{ id: 'replayed-evt-1', userId: 'erased-then-replayed', itemId: 'item-0001' }];
      expect((await server.graphql(RECORD, { input })).data.recordInteractions.recordedCount).toBe(1);
      expect((await server.graphql(DELETE, { id: 'erased-then-replayed' })).data.deleteUser.deleted).toBe(true);

      const replay = await server.graphql(RECORD, { input });
      expect(replay.data).toBeNull();
      expect(replay.errors).toEqual([
        {
          message: expect.stringContaining('replayed-evt-1 were erased with their user'),
          path: ['recordInteractions'],
          locations: expect.any(Array),
          extensions: { code: 'BAD_USER_INPUT', argument: 'input', erasedInteractionIds: ['replayed-evt-1'] },
        },
      ]);
      const user = await server.graphql(`{ user(id: "erased-then-replayed") { id } }`);
      expect(user.data.user).toBeNull();
    });

    it('reports an unknown user as not deleted and changes nothing', async () => {
      const result = await server.graphql(DELETE, { id: 'nobody-at-all' });
      expect(result.data.deleteUser).toEqual({ id: 'nobody-at-all', deleted: false, deletedInteractionCount: 0 });
    });

    it('leaves an audit line naming only the id, and a metric, for every erasure', async () => {
      const before = auditLines.length;
      await server.graphql(DELETE, { id: 'user-0005' });
      await server.graphql(DELETE, { id: 'nobody-either' });
      const lines = auditLines.slice(before);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ audit: 'deleteUser', userId: 'user-0005', deleted: true, by: 'admin key', msg: 'user erasure' });
      expect(lines[1]).toMatchObject({ audit: 'deleteUser', userId: 'nobody-either', deleted: false });
      for (const line of lines) {
        expect(Object.keys(line).sort()).toEqual(['audit', 'by', 'deleted', 'hostname', 'interactionCount', 'level', 'msg', 'name', 'pid', 'time', 'userId']);
      }
      const text = await (await fetch(server.app.metricsUrl)).text();
      expect(text).toMatch(/recograph_user_erasures_total\{outcome="erased"\} [1-9]/);
      expect(text).toMatch(/recograph_user_erasures_total\{outcome="unknown_user"\} [1-9]/);
    });

    it('rejects an empty id as bad input', async () => {
      const result = await server.graphql(DELETE, { id: '' });
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
    });
  });
}
