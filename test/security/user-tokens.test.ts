import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type GenerateKeyPairResult } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserTokens } from '../../src/security/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const ADMIN = 'admin-key-01234567890';
const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

const sign = (sub: string, { secret = SECRET, expiresIn = '5m' } = {}) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(secret));

describe('end-user tokens (shared secret)', () => {
  let server: TestServer;
  let own: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer({}, { AUTH_JWT_SECRET: SECRET, API_KEYS: `${ADMIN}:admin` });
    own = bearer(await sign('user-0001'));
  });
  afterAll(() => server?.close());

  it("reads the subject's own user, history and recommendations", async () => {
    const { errors, data } = await server.graphql(
      '{ user(id: "user-0001") { interactionCount interactions(first: 2) { item { id } } recommendations(first: 2) { rank } } recommendations(userId: "user-0001", first: 1) { rank } recommendationList(userId: "user-0001", first: 1) { nodes { rank } } }',
      {},
      own,
    );
    expect(errors).toBeUndefined();
    expect(data.user.interactions).toHaveLength(2);
    expect(data.recommendations).toHaveLength(1);
    expect(data.recommendationList.nodes).toHaveLength(1);
    const entity = await server.graphql('{ _entities(representations: [{ __typename: "User", id: "user-0001" }]) { ... on User { interactionCount } } }', {}, own);
    expect(entity.errors).toBeUndefined();
  });

  it('ranks a visit without a user, or joined to their own user, but never to another user', async () => {
    const visit = '{ itemIds: ["item-0001", "item-0002"] }';
    const { errors, data } = await server.graphql(
      `{ anonymous: recommendations(context: ${visit}, first: 2) { rank } mine: recommendations(userId: "user-0001", context: ${visit}, first: 2) { rank } }`,
      {},
      own,
    );
    expect(errors).toBeUndefined();
    expect(data.anonymous).toHaveLength(2);
    expect(data.mine).toHaveLength(2);
    const other = await server.graphql(`{ recommendations(userId: "user-0002", context: ${visit}) { rank } }`, {}, own);
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("refuses anyone else's data, the user list and other users in explanations, once per operation", async () => {
    const queries = [
      '{ user(id: "user-0002") { id } }',
      '{ recommendations(userId: "user-0002") { rank } }',
      'query ($id: ID!) { recommendations(userId: $id) { rank } }',
      '{ recommendationList(userId: "user-0002") { nodes { rank } } }',
      '{ recommendationList(userId: "user-0001") { nodes { explanation { contributions { evidence { user { id } } } } } } }',
      '{ users { nodes { id } } }',
      '{ _entities(representations: [{ __typename: "User", id: "user-0001" }, { __typename: "User", id: "user-0002" }]) { ... on User { interactionCount } } }',
      '{ recommendations(userId: "user-0001") { explanation { contributions { evidence { user { id } } } } } }',
      '{ _service { sdl } }',
    ];
    for (const query of queries) {
      const { status, data, errors } = await server.graphql(query, { id: 'user-0002' }, own);
      expect(status, query).toBe(403);
      expect(data, query).toBeUndefined();
      expect(errors, query).toEqual([{ message: expect.stringMatching(/^Your credentials may not use/), extensions: { code: 'FORBIDDEN' } }]);
    }
  });

  it('decides each request of one parsed operation by its own caller and variables', async () => {
    const query = 'query ($id: ID!) { recommendations(userId: $id, first: 1) { rank } }';
    const other = bearer(await sign('user-0002'));
    expect((await server.graphql(query, { id: 'user-0001' }, own)).errors).toBeUndefined();
    expect((await server.graphql(query, { id: 'user-0002' }, own)).status).toBe(403);
    expect((await server.graphql(query, { id: 'user-0002' }, other)).errors).toBeUndefined();
    expect((await server.graphql(query, { id: 'user-0001' }, other)).status).toBe(403);
    expect((await server.graphql(query, { id: 'user-0001' })).status).toBe(401);
    expect((await server.graphql(query, { id: 'user-0001' }, own)).errors).toBeUndefined();
  });

  it('records only as the subject, and nothing of a refused call', async () => {
    const record = 'mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount } }';
    const mine = await server.graphql(record, { input: [{ userId: 'user-0001', itemId: 'item-0003' }] }, own);
    expect(mine.errors).toBeUndefined();
    expect(mine.data.recordInteractions.recordedCount).toBe(1);
    const before = await server.graphql('{ user(id: "user-0002") { interactionCount } }', {}, bearer(ADMIN));
    const mixed = await server.graphql(record, { input: [{ userId: 'user-0001', itemId: 'item-0003' }, { userId: 'user-0002', itemId: 'item-0003' }] }, own);
    expect(mixed.status).toBe(403);
    const after = await server.graphql('{ user(id: "user-0002") { interactionCount } }', {}, bearer(ADMIN));
    expect(after.data.user.interactionCount).toBe(before.data.user.interactionCount);
  });

  it('never lets a subject write the catalogue', async () => {
    const upsert = await server.graphql('mutation { upsertItems(input: [{ id: "subject-item", title: "Mine" }]) { createdCount } }', {}, own);
    expect(upsert.status).toBe(403);
    expect(upsert.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN' });
    expect((await server.graphql('{ item(id: "subject-item") { id } }', {}, bearer(ADMIN))).data.item).toBeNull();
  });

  it('lets a subject erase themselves and nobody else', async () => {
    const other = await server.graphql('mutation { deleteUser(id: "user-0003") { deleted } }', {}, bearer(await sign('user-0004')));
    expect(other.status).toBe(403);
    const self = await server.graphql('mutation { deleteUser(id: "user-0004") { deleted } }', {}, bearer(await sign('user-0004')));
    expect(self.errors).toBeUndefined();
    expect(self.data.deleteUser.deleted).toBe(true);
  });

  it('refuses expired tokens, tokens signed with another secret and subjects that are no valid id with 401', async () => {
    for (const token of [
      await sign('user-0001', { expiresIn: '-1m' }),
      await sign('user-0001', { secret: 'another-secret-of-at-least-32-characters' }),
      await sign('user 0001'),
    ]) {
      const { status, errors } = await server.graphql('{ model { version } }', {}, bearer(token));
      expect(status).toBe(401);
      expect(errors).toEqual([{ message: 'These credentials are not valid.', extensions: { code: 'UNAUTHENTICATED' } }]);
    }
  });

  it('normalises the subject like ids: a decomposed "jürgen" token reads the precomposed user', async () => {
    const token = await sign('ju\u0308rgen');
    const { errors, data } = await server.graphql('{ recommendations(userId: "j\u00fcrgen", first: 1) { rank } }', {}, bearer(token));
    expect(errors).toBeUndefined();
    expect(data.recommendations).toHaveLength(1);
  });
});

describe('end-user tokens (JWKS)', () => {
  let jwks: Server;
  let server: TestServer;
  let privateKey: GenerateKeyPairResult['privateKey'];
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    server = await startTestServer({}, { AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, AUTH_JWT_ISSUER: 'https://id.example' });
  });
  afterAll(async () => {
    await server?.close();
    jwks?.close();
  });

  const signEs = (issuer: string) =>
    new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('user-0001').setIssuer(issuer).setExpirationTime('5m').sign(privateKey);

  it('verifies tokens against the key set and the configured issuer', async () => {
    const good = await server.graphql('{ user(id: "user-0001") { interactionCount } }', {}, bearer(await signEs('https://id.example')));
    expect(good.errors).toBeUndefined();
    expect(good.data.user.interactionCount).toBeGreaterThan(0);
    const wrongIssuer = await server.graphql('{ model { version } }', {}, bearer(await signEs('https://evil.example')));
    expect(wrongIssuer.status).toBe(401);
    // A shared-secret token is not accepted where a key set is configured.
    const hs = await server.graphql('{ model { version } }', {}, bearer(await sign('user-0001')));
    expect(hs.status).toBe(401);
  });
});

describe('a key set that cannot be fetched', () => {
  it('refuses the token and warns the operator, naming the cause', async () => {
    const warnings: Record<string, unknown>[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });
    // Port 1 on loopback: nothing listens there.
    const tokens = new UserTokens({ jwksUrl: new URL('http://127.0.0.1:1/jwks.json'), issuer: null, audience: null }, logger);
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('user-0001').setExpirationTime('5m').sign(privateKey);
    expect(await tokens.subject(token)).toBeNull();
    expect(warnings).toEqual([expect.objectContaining({ msg: 'user token not verified: the key set could not be fetched' })]);
    // A token that is merely bad is no news for the operator.
    expect(await tokens.subject('not.a.token')).toBeNull();
    expect(warnings).toHaveLength(1);
  });
});
