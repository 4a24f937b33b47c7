import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPanel } from '../src/admin-panel.js';

/** Admits only the header `x-test-admin: yes`, standing in for the API-key check. */
async function admitTestAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.headers['x-test-admin'] !== 'yes') await reply.code(401).send();
}

async function serve(dir: string): Promise<{ base: string; close: () => Promise<void> }> {
  const app = Fastify();
  await app.register(adminPanel(admitTestAdmin, dir), { prefix: '/admin' });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base, close: () => app.close() };
}

describe('serving the explanation panel at /admin', () => {
  let built: Awaited<ReturnType<typeof serve>>;
  let missing: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recograph-admin-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>panel</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    built = await serve(dir);
    missing = await serve(join(dir, 'no-build-here'));
  });
  afterAll(async () => {
    await built?.close();
    await missing?.close();
  });

  it('serves index.html, revalidated, under a strict content security policy', async () => {
    const response = await fetch(`${built.base}/admin/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>panel</title>');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('redirects /admin to /admin/ so the bundle’s paths resolve', async () => {
    const response = await fetch(`${built.base}/admin`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/admin/');
  });

  it('caches hashed assets for good', async () => {
    const response = await fetch(`${built.base}/admin/assets/index-abc123.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers its session check only past the admin gate, uncached, and serves its files without it', async () => {
    const refused = await fetch(`${built.base}/admin/session`);
    expect(refused.status).toBe(401);
    const admitted = await fetch(`${built.base}/admin/session`, { headers: { 'x-test-admin': 'yes' } });
    expect(admitted.status).toBe(204);
    expect(admitted.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${built.base}/admin/assets/index-abc123.js`)).status).toBe(200);
  });

  it('answers 404 for unknown files, and says how to build a missing panel', async () => {
    expect((await fetch(`${built.base}/admin/nope.js`)).status).toBe(404);
    const response = await fetch(`${missing.base}/admin/`);
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/npm run build/);
  });
});
