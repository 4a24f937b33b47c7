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

  it('refuses to start in production with open mutations unless explicitly allowed', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ALLOW_OPEN_MUTATIONS/);
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_OPEN_MUTATIONS: 'true' }).access.apiKeys).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'production', API_KEYS }).environment).toBe('production');
  });
});

describe('roles over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { API_KEYS });
  });
  afterAll(() => server?.close());

  it('serves recommendations to anonymous callers when reads are public', async () => {
    const { status, data, errors } = await server.graphql('{ recommendations(userId: "user-0001", first: 2) { rank } }');
    expect(status).toBe(200);
    expect(errors).toBeUndefined();
    expect(data.recommendations).toHaveLength(2);
  });

  it('requires a writer key for mutations: 401 UNAUTHENTICATED without one, 403 FORBIDDEN for a reader', async () => {
    const anonymous = await server.graphql(RECORD);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors).toEqual([{ message: expect.stringMatching(/Authentication required/), extensions: { code: 'UNAUTHENTICATED' } }]);
    const reader = await server.graphql(RECORD, {}, bearer(READER));
    expect(reader.status).toBe(403);
    expect(reader.errors).toEqual([{ message: expect.any(String), extensions: { code: 'FORBIDDEN' } }]);
    const before = await server.graphql('{ user(id: "user-0001") { interactionCount } }');
    const writer = await server.graphql(RECORD, {}, bearer(WRITER));
    expect(writer.errors).toBeUndefined();
    expect(writer.data.recordInteractions.recordedCount).toBe(1);
    const after = await server.graphql('{ user(id: "user-0001") { interactionCount } }');
    expect(after.data.user.interactionCount).toBe(before.data.user.interactionCount + 1);
  });

  it('refuses an unknown key with 401 and no detail, even for public reads', async () => {
    for (const authorization of [`Bearer ${READER}x`, 'Bearer', READER, `Basic ${READER}`]) {
      const { status, errors } = await server.graphql('{ model { version } }', {}, { authorization });
      expect(status).toBe(401);
      expect(errors).toEqual([{ message: 'This API key is not valid.', extensions: { code: 'UNAUTHENTICATED' } }]);
    }
  });

  it('shows other users in explanations to admins only; others get their own items and FORBIDDEN', async () => {
    const admin = await server.graphql(EXPLAINED, {}, bearer(ADMIN));
    expect(admin.errors).toBeUndefined();
    const adminEvidence = admin.data.recommendations[0].explanation.contributions[0].evidence;
    expect(adminEvidence.length).toBeGreaterThan(0);
    expect(adminEvidence[0].user.id).toMatch(/^user-/);

    for (const headers of [{}, bearer(READER), bearer(WRITER)] as Record<string, string>[]) {
      const { status, data, errors } = await server.graphql(EXPLAINED, {}, headers);
      expect(status).toBe(200);
      const contribution = data.recommendations[0].explanation.contributions[0];
      expect(contribution.item.id).toMatch(/^item-/);
      expect(contribution.user).toBeNull(); // hop 1: the caller's own item
      expect(contribution.evidence.map((e: any) => e.user)).toEqual(adminEvidence.map(() => null));
      expect(errors!.length).toBe(adminEvidence.length);
      for (const error of errors!) expect(error.extensions).toEqual({ code: headers.authorization ? 'FORBIDDEN' : 'UNAUTHENTICATED' });
    }
  });

  it('serves the admin panel to anyone, and admits only admin keys to its session check', async () => {
    // The panel, or its "not built" 404 where `npm run build` has not run: no key is asked either way.
    expect([200, 404]).toContain((await fetch(`${server.origin}/admin/`)).status);
    const anonymous = await fetch(`${server.origin}/admin/session`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] });
    expect((await fetch(`${server.origin}/admin/session`, { headers: bearer(WRITER) })).status).toBe(403);
    expect((await fetch(`${server.origin}/admin/session`, { headers: bearer(ADMIN) })).status).toBe(204);
  });
});

describe('private reads', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { API_KEYS, PUBLIC_READS: 'false', SEED_DEMO_DATA: 'false' });
  });
  afterAll(() => server?.close());

  it('requires a reader key for queries when PUBLIC_READS=false', async () => {
    const anonymous = await server.graphql('{ model { version } }');
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    const reader = await server.graphql('{ model { version } }', {}, bearer(READER));
    expect(reader.errors).toBeUndefined();
    expect(reader.data.model.version).toEqual(expect.any(String));
  });
});
