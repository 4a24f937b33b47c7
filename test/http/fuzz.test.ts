import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecographSchema } from '../../src/schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** The served schema, federation fields (`_entities`, `_service`) included. */
const schema = buildRecographSchema('subgraph');

/** Values of every kind, for any argument: the right kind often, the wrong kind sometimes. */
const anyLiteral = fc.oneof(
  fc.integer({ min: -2_000_000, max: 2_000_000 }).map(String),
  fc.constantFrom('0', '1', '-1', '100', '101', '2147483647', '1e308', '0.5', 'NaN', 'null', 'true', '[]', '{}'),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"user-0001"', '"item-0001"', '"nobody"', '"2026-01-01T00:00:00Z"', '"2999-01-01T00:00:00Z"', '""', 'VIEW', 'STEAL'),
);

function literalFor(g: fc.GeneratorValue, type: GraphQLInputType, depth: number): string {
  if (g(fc.integer, { min: 0, max: 9 }) === 0) return g(() => anyLiteral);
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const length = g(fc.integer, { min: 0, max: 3 });
    return `[${Array.from({ length }, () => literalFor(g, inner.ofType, depth + 1)).join(', ')}]`;
  }
  const named = getNamedType(inner);
  if (isEnumType(named)) return g(fc.constantFrom, ...named.getValues().map((v) => v.name));
  if (isInputObjectType(named) && depth < 3) {
    const fields = Object.values(named.getFields()).filter((f) => isNonNullType(f.type) || g(fc.boolean));
    return `{ ${fields.map((f) => `${f.name}: ${literalFor(g, f.type, depth + 1)}`).join(', ')} }`;
  }
  if (isScalarType(named) && (named.name === 'Int' || named.name === 'Float')) {
    return String(g(fc.constantFrom, 0, 1, 2, 5, 10, 50, 100, 101, -3));
  }
  return g(() => anyLiteral);
}

function selectionFor(g: fc.GeneratorValue, type: GraphQLObjectType, depth: number): string {
  const fields = Object.values(type.getFields());
  const count = g(fc.integer, { min: 1, max: Math.min(4, fields.length) });
  const chosen = Array.from({ length: count }, () => fields[g(fc.integer, { min: 0, max: fields.length - 1 })]!);
  return chosen.map((field, i) => fieldFor(g, field, depth, i)).join(' ');
}

function fieldFor(g: fc.GeneratorValue, field: GraphQLField<unknown, unknown>, depth: number, index: number): string {
  const args = field.args
    .filter((a) => isNonNullType(a.type) || g(fc.boolean))
    .map((a) => `${a.name}: ${literalFor(g, a.type, 0)}`);
  const alias = g(fc.integer, { min: 0, max: 4 }) === 0 ? `a${index}: ` : '';
  const named = getNamedType(field.type);
  let selection = '';
  if (isObjectType(named)) selection = depth < 7 ? `{ ${selectionFor(g, named, depth + 1)} }` : '{ __typename }';
  return `${alias}${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''} ${selection}`;
}

/** A schema-shaped operation with random arguments, sizes and nesting. */
const schemaOperation = fc.gen().map((g) => {
  const mutation = g(fc.integer, { min: 0, max: 4 }) === 0;
  const root = mutation ? schema.getMutationType()! : schema.getQueryType()!;
  return `${mutation ? 'mutation' : 'query'} { ${selectionFor(g, root, 1)} }`;
});

const VALID = [
  '{ recommendations(userId: "user-0001", first: 3) { rank score item { id title } explanation { kind summary contributions(first: 2) { weight share item { id } evidence(first: 2) { share user { id } } } } } }',
  'query ($id: ID!) { user(id: $id) { id interactionCount interactions(first: 5) { type weight occurredAt item { title } } } }',
  '{ items(first: 5, category: "Jazz") { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }',
  'mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount users { id } } }',
  '{ model { version format fanouts heads embeddingDim itemCount executionProvider trainedAt } }',
];

/** A valid operation with bytes deleted, inserted, duplicated or swapped. */
const mutatedOperation = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(
      fc.tuple(fc.constantFrom('delete', 'insert', 'duplicate', 'swap'), fc.nat(), fc.nat({ max: 12 }), fc.string({ unit: 'binary', maxLength: 8 })),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([query, edits]) =>
    edits.reduce((text, [edit, at, length, chars]) => {
      const i = at % (text.length + 1);
      if (edit === 'delete') return text.slice(0, i) + text.slice(i + length);
      if (edit === 'insert') return text.slice(0, i) + chars + text.slice(i);
      if (edit === 'duplicate') return text.slice(0, i + length) + text.slice(i, i + length) + text.slice(i + length);
      return text.slice(i, i + length) + text.slice(0, i) + text.slice(i + length);
    }, query),
  );

/** Chains of fragments, each spreading the one before up to 12 times, over a heavy or a light base. */
const fragmentFanOut = fc
  .tuple(
    fc.constantFrom(
      'model { version }',
      'items(first: 100) { nodes { id title } }',
      'users(first: 30) { nodes { id recommendations(first: 100) { explanation { contributions(first: 50) { evidence(first: 50) { weight } } } } } }',
    ),
    fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
  )
  .map(([base, spreads]) => {
    const fragments = [`fragment F0 on Query { ${base} }`];
    spreads.forEach((n, level) => fragments.push(`fragment F${level + 1} on Query { ${`...F${level} `.repeat(n)}}`));
    return `query { ...F${spreads.length} } ${fragments.join(' ')}`;
  });

/** Floats at and beyond the edges of float32 and float64, subnormals included (JSON has no NaN or Infinity). */
const extremeFloat = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(5e-324, Number.MIN_VALUE, 1e-45, 1.4e-45, 1e-40, 1.1754943508222875e-38, 1.2e-38, -0, 0, 99.99999999, 100, 100.000001, 1e308, -1e-30),
);

/** Ids of any script, combining marks and astral characters included, precomposed or not. */
const unicodeId = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  fc.constantFrom('jürgen', 'ju\u0308rgen', 'Ωμέγα', '東京', '👩‍💻', 'a\u0000b', '\ud800', 'x'.repeat(129), 'İstanbul', 'ǅ'),
);

const RECORD_ONE = 'mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount interactions { weight } } }';
/** Users whose interactions the fuzz recorded with extreme weights: recommending for them must still work. */
const floatUsers = Array.from({ length: 20 }, (_, i) => `fuzz-float-${i}`);

/** What a hostile client may put in a request body. */
const requestBody = fc.oneof(
  { weight: 1, arbitrary: fragmentFanOut.map((query) => JSON.stringify({ query })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...floatUsers), extremeFloat)
      .map(([userId, weight]) => JSON.stringify({ query: RECORD_ONE, variables: { input: [{ userId, itemId: 'item-0001', weight }] } })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(unicodeId, fc.boolean())
      .map(([id, record]) =>
        JSON.stringify(
          record
            ? { query: RECORD_ONE, variables: { input: [{ userId: id, itemId: 'item-0002' }] } }
            : { query: 'query ($id: ID!) { user(id: $id) { id interactions { item { id } } } recommendations(userId: $id, first: 2) { score } }', variables: { id } },
        ),
      ),
  },
  { weight: 4, arbitrary: schemaOperation.map((query) => JSON.stringify({ query })) },
  { weight: 3, arbitrary: mutatedOperation.map((query) => JSON.stringify({ query, variables: { id: 'user-0001', input: [] } })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...VALID), fc.jsonValue({ maxDepth: 3 }))
      .map(([query, variables]) => JSON.stringify({ query, variables: { id: variables, input: variables } })),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

describe('fuzzing the GraphQL endpoint', () => {
  let server: TestServer;
  const seen = { requests: 0, errors: 0, codes: new Map<string, number>() };
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('answers thousands of random and mutated requests without a 5xx, always with coded errors', async () => {
    await fc.assert(
      fc.asyncProperty(requestBody, async (body) => {
        const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        seen.requests += 1;
        expect(response.status).toBeLessThan(500);
        const payload = (await response.json()) as { errors?: { message: string; extensions?: { code?: unknown } }[] };
        for (const error of payload.errors ?? []) {
          seen.errors += 1;
          expect(error.extensions?.code, error.message).toEqual(expect.any(String));
          expect(error.extensions!.code).not.toBe('INTERNAL_SERVER_ERROR');
          seen.codes.set(error.extensions!.code as string, (seen.codes.get(error.extensions!.code as string) ?? 0) + 1);
        }
      }),
      // Bounded in time on slow machines; the count is asserted below so that it cannot pass vacuously.
      { numRuns: 2000, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false },
    );
    expect(seen.requests).toBeGreaterThanOrEqual(1000);
    expect(seen.errors).toBeGreaterThan(0);
    console.info(`fuzz: ${seen.requests} requests, ${seen.errors} errors`, Object.fromEntries(seen.codes));

    // Still up and still right.
    expect((await fetch(`${server.origin}/healthz`)).status).toBe(200);
    const { data, errors } = await server.graphql('{ recommendations(userId: "user-0001", first: 2) { rank } }');
    expect(errors).toBeUndefined();
    expect(data.recommendations).toHaveLength(2);
    // No weight the fuzz got recorded turned a user's scores into NaN.
    for (const userId of floatUsers) {
      const after = await server.graphql('query ($u: ID!) { recommendations(userId: $u, first: 5) { score } }', { u: userId });
      expect(after.errors, userId).toBeUndefined();
      for (const { score } of after.data.recommendations) expect(Number.isFinite(score)).toBe(true);
    }
  }, 150_000);
});
