import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ApiKeyRing } from '../../src/security/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const READER = 'reader-key-0123456789';
const WRITER = 'writer-key-0123456789';
const ADMIN = 'admin-key-01234567890';
const API_KEYS = `${READER}:reader,${WRITER}:writer,${ADMIN}:admin`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const RECORD = 'mutation { recordInteractions(input: [{ userId: "user-0001", itemId: "item-0001" }]) { recordedCount } }';
const EXPLAINED = /* GraphQL */ `
  { recommendations(userId: "user-0001", first: 1) {
      explanation { contributions(first: 1) { item { id } user { id } evidence(first: 2) { share user { id } } } } } }
`;

describe('API keys', () => {
  it('finds the role of a key and nothing for any other string', () => {
    const ring = new ApiKeyRing([{ key: READER, role: 'reader' }, { key: ADMIN, role: 'admin' }]);
    expect(ring.roleOf(READER)).toBe('reader');
    expect(ring.roleOf(ADMIN)).toBe('admin');
    expect(ring.roleOf(`${ADMIN}x`)).toBeNull();
    expect(ring.roleOf('')).toBeNull();
  });

  it('refuses malformed API_KEYS, naming the variable', () => {
    expect(() => loadConfig({ API_KEYS: 'short:reader' })).toThrow(/API_KEYS/);
    expect(() => loadConfig({ API_KEYS: `${READER}:root` })).toThrow(/API_KEYS/);
    expect(() => loadConfig({ API_KEYS: `${READER}:reader,${READER}:admin` })).toThrow(/appears twice/);
    expect(loadConfig({ API_KEYS: API_KEYS }).access.apiKeys).toHaveLength(3);
  });

  it('refuses to start in production open unless explicitly allowed; keys or user tokens close it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ALLOW_OPEN_MUTATIONS/);
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_OPEN_MUTATIONS: 'true' }).access.apiKeys).toEqual([]);
    const ERASURE_SECRET = 'e'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', API_KEYS, ERASURE_SECRET }).environment).toBe('production');
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32), ERASURE_SECRET }).access.userTokens).toMatchObject({ secret: 'x'.repeat(32) });
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'too-short' })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'x'.repeat(32), AUTH_JWKS_URL: 'https://id.example/jwks' })).toThrow(/not both/);
    expect(() => loadConfig({ AUTH_JWKS_URL: 'file:///etc/passwd' })).toThrow(/AUTH_JWKS_URL/);
  });
});

describe('roles over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { API_KEYS });
  });
  afterAll(() => server?.close());

  it('serves the catalogue and model info to anonymous callers when reads are public', async () => {
    const { status, data, errors } = await server.graphql('{ items(first: 2) { nodes { id title } } item(id: "item-0001") { id } model { version } }');
    expect(status).toBe(200);
    expect(errors).toBeUndefined();
    expect(data.items.nodes).toHaveLength(2);
    expect(data.item.id).toBe('item-0001');
  });

  it("never shows anonymous callers a stored user's history, the user list or a user's recommendations", async () => {
    const queries = [
      '{ users(first: 30) { nodes { id } } }',
      '{ user(id: "user-0001") { id } }',
      '{ recommendations(userId: "user-0001", first: 2) { rank } }',
      '{ _entities(representations: [{ __typename: "User", id: "user-0001" }]) { ... on User { interactions { item { id } } } } }',
      '{ _entities(representations: [{ __typename: "User", id: "user-0001" }]) { ... on User { recommendations { rank } } } }',
      '{ _entities(representations: [{ __typename: "User", id: "user-0001" }]) { ... on User { interactionCount } } }',
    ];
    for (const query of queries) {
      const { status, data, errors } = await server.graphql(query);
      expect(status, query).toBe(401);
      expect(data, query).toBeUndefined();
      expect(errors, query).toEqual([{ message: expect.stringMatching(/^Authentication required for `\w+\.\w+`/), extensions: { code: 'UNAUTHENTICATED' } }]);
    }
    // Items by reference stay public.
    const items = await server.graphql('{ _entities(representations: [{ __typename: "Item", id: "item-0001" }]) { ... on Item { title } } }');
    expect(items.errors).toBeUndefined();
    expect(items.data._entities[0].title).toEqual(expect.any(String));
  });

  it('shows the subgraph SDL to key holders only', async () => {
    const anonymous = await server.graphql('{ _service { sdl } }');
    expect(anonymous.status).toBe(401);
    expect(anonymous.data).toBeUndefined();
    const reader = await server.graphql('{ _service { sdl } }', {}, bearer(READER));
    expect(reader.data._service.sdl).toContain('type Query');
  });

  it('requires a writer key for mutations: 401 UNAUTHENTICATED without one, 403 FORBIDDEN for a reader', async () => {
    const anonymous = await server.graphql(RECORD);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors).toEqual([{ message: expect.stringMatching(/Authentication required/), extensions: { code: 'UNAUTHENTICATED' } }]);
    const reader = await server.graphql(RECORD, {}, bearer(READER));
    expect(reader.status).toBe(403);
    expect(reader.errors).toEqual([{ message: expect.any(String), extensions: { code: 'FORBIDDEN' } }]);
    const before = await server.graphql('{ user(id: "user-0001") { interactionCount } }', {}, bearer(READER));
    const writer = await server.graphql(RECORD, {}, bearer(WRITER));
    expect(writer.errors).toBeUndefined();
    expect(writer.data.recordInteractions.recordedCount).toBe(1);
    const after = await server.graphql('{ user(id: "user-0001") { interactionCount } }', {}, bearer(READER));
    expect(after.data.user.interactionCount).toBe(before.data.user.interactionCount + 1);
  });

  it("gives the feedback report (every user's feedback at once) to admin keys only", async () => {
    const report = '{ feedbackReport { variants { answers } } }';
    const anonymous = await server.graphql(report);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    for (const key of [READER, WRITER]) {
      const refused = await server.graphql(report, {}, bearer(key));
      expect(refused.errors).toEqual([{ message: expect.any(String), extensions: { code: 'FORBIDDEN' } }]);
      expect(refused.data).toBeUndefined();
    }
    const admin = await server.graphql(report, {}, bearer(ADMIN));
    expect(admin.errors).toBeUndefined();
    expect(Array.isArray(admin.data.feedbackReport.variants)).toBe(true);
  });

  it('requires a writer key to write the catalogue, and writes nothing of a refused call', async () => {
    const upsert = 'mutation { upsertItems(input: [{ id: "access-item", title: "Access" }]) { createdCount } }';
    expect((await server.graphql(upsert)).status).toBe(401);
    expect((await server.graphql(upsert, {}, bearer(READER))).errors).toEqual([{ message: expect.any(String), extensions: { code: 'FORBIDDEN' } }]);
    expect((await server.graphql('{ item(id: "access-item") { id } }')).data.item).toBeNull();
    const writer = await server.graphql(upsert, {}, bearer(WRITER));
    expect(writer.errors).toBeUndefined();
    expect(writer.data.upsertItems.createdCount).toBe(1);
  });

  it('refuses an unknown key with 401 and no detail, even for public reads', async () => {
    for (const authorization of [`Bearer ${READER}x`, 'Bearer', READER, `Basic ${READER}`, 'Bearer a.b.c']) {
      const { status, errors } = await server.graphql('{ model { version } }', {}, { authorization });
      expect(status).toBe(401);
      expect(errors).toEqual([{ message: 'These credentials are not valid.', extensions: { code: 'UNAUTHENTICATED' } }]);
    }
  });

  it('shows other users in explanations to admins only; others get one FORBIDDEN for the operation and nothing runs', async () => {
    const admin = await server.graphql(EXPLAINED, {}, bearer(ADMIN));
    expect(admin.errors).toBeUndefined();
    const adminEvidence = admin.data.recommendations[0].explanation.contributions[0].evidence;
    expect(adminEvidence.length).toBeGreaterThan(0);
    expect(adminEvidence[0].user.id).toMatch(/^user-/);

    for (const key of [READER, WRITER]) {
      const { status, data, errors } = await server.graphql(EXPLAINED, {}, bearer(key));
      expect(status).toBe(403);
      expect(data).toBeUndefined();
      expect(errors).toEqual([{ message: 'Your credentials may not use `Contribution.user` here.', extensions: { code: 'FORBIDDEN' } }]);
    }
    // Their own items, weights and shares stay theirs to read.
    const own = await server.graphql(
      '{ recommendations(userId: "user-0001", first: 1) { explanation { contributions(first: 1) { item { id } share evidence(first: 2) { share } } } } }',
      {},
      bearer(READER),
    );
    expect(own.errors).toBeUndefined();
    expect(own.data.recommendations[0].explanation.contributions[0].item.id).toMatch(/^item-/);
  });

  it('answers a query that would refuse a field in every list entry with one error (finding 2)', async () => {
    const aliased = ['a', 'b', 'c', 'd']
      .map((alias) => `${alias}: recommendations(userId: "user-0001", first: 100) { explanation { contributions(first: 50) { evidence(first: 50) { user { id } } } } }`)
      .join(' ');
    const { status, data, errors } = await server.graphql(`{ ${aliased} }`, {}, bearer(READER));
    expect(status).toBe(403);
    expect(data).toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('lets only admin keys erase users', async () => {
    const writer = await server.graphql('mutation { deleteUser(id: "user-0002") { deleted } }', {}, bearer(WRITER));
    expect(writer.status).toBe(403);
    expect(writer.data).toBeUndefined();
    const still = await server.graphql('{ user(id: "user-0002") { id } }', {}, bearer(READER));
    expect(still.data.user).toEqual({ id: 'user-0002' });
  });

  it('serves the admin panel to anyone, and admits only admin keys to its session check', async () => {
    // The panel, or its "not built" 404 where `npm run build` has not run: no key is asked either way.
    expect([200, 404]).toContain((await fetch(`${server.origin}/admin/`)).status);
    const anonymous = await fetch(`${server.origin}/admin/session`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] });
    expect((await fetch(`${server.origin}/admin/session`, { headers: bearer(WRITER) })).status).toBe(403);
    expect((await fetch(`${server.origin}/admin/session`, { headers: { authorization: 'Bearer not-a-key-at-all' } })).status).toBe(401);
    expect((await fetch(`${server.origin}/admin/session`, { headers: bearer(ADMIN) })).status).toBe(204);
  });
});

describe('private reads', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { API_KEYS, PUBLIC_READS: 'false', SEED_DEMO_DATA: 'false' });
  });
  afterAll(() => server?.close());

  it('refuses anonymous requests before reading their bodies when PUBLIC_READS=false', async () => {
    for (const body of ['{"query": "{ model { version } }"', 'x'.repeat(2_000_000)]) {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ errors: [{ message: expect.stringMatching(/Authentication required/), extensions: { code: 'UNAUTHENTICATED' } }] });
    }
  });

  it('requires a reader key for queries when PUBLIC_READS=false', async () => {
    const anonymous = await server.graphql('{ model { version } }');
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    const reader = await server.graphql('{ model { version } }', {}, bearer(READER));
    expect(reader.errors).toBeUndefined();
    expect(reader.data.model.version).toEqual(expect.any(String));
  });
});
