import neo4j, { Neo4jError } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { GraphStoreUnavailableError, UnknownItemsError } from '../../src/graph/index.js';
import { mapDatabaseError, toPlain } from '../../src/graph/neo4j/executor.js';

describe('the Neo4j executor boundary', () => {
  it('turns driver Integers into numbers wherever they sit in a record', () => {
    const record = { count: neo4j.int(3), items: [{ lastAt: neo4j.int(1_767_225_600_000), weight: 2.5, title: null }] };
    expect(toPlain(record)).toEqual({ count: 3, items: [{ lastAt: 1_767_225_600_000, weight: 2.5, title: null }] });
  });

  it('refuses an Integer a JavaScript number cannot hold exactly', () => {
    expect(() => toPlain(neo4j.int('9007199254740993'))).toThrow(RangeError);
  });

  it('maps a lost connection to GraphStoreUnavailableError and keeps other errors’ codes', () => {
    const down = mapDatabaseError(new Neo4jError('no route', neo4j.error.SERVICE_UNAVAILABLE, '08000', 'connection exception'));
    expect(down).toBeInstanceOf(GraphStoreUnavailableError);
    const denied = mapDatabaseError(new Neo4jError('bad credentials', 'Neo.ClientError.Security.Unauthorized', '42NFF', 'permission denied'));
    expect((denied as Error).message).toBe('Neo4j error Neo.ClientError.Security.Unauthorized: bad credentials');
  });

  it('lets the adapter’s own domain errors through untouched', () => {
    const unknown = new UnknownItemsError(['zzz']);
    expect(mapDatabaseError(unknown)).toBe(unknown);
  });
});
