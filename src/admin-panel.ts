import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';

/** Where `npm run build` puts the panel (`web/admin/`), from `src/` and `dist/` alike. */
export const ADMIN_PANEL_DIR = fileURLToPath(new URL('../dist/admin/', import.meta.url));

// The panel talks only to this origin's /graphql; cytoscape.js sets inline styles.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The explanation panel, a Fastify plugin to register under `/admin`: its static files for anyone
 * (the page holds no data and signs in itself), and `GET session`, 204 once `admitAdmin` admits
 * the caller, with which the page checks a key before using it. The data comes from `/graphql`,
 * under the API's own rules. Vite's hashed assets are cached for good; `index.html` is
 * revalidated so a new build shows at once. Without a build it says how to make one.
 */
export function adminPanel(admitAdmin: onRequestAsyncHookHandler, dir: string = ADMIN_PANEL_DIR) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', (_request, reply, done) => {
      reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      done();
    });
    // The bundle's relative paths resolve only under the trailing slash.
    app.get('/', { prefixTrailingSlash: 'no-slash' }, (_request, reply) => reply.redirect(`${app.prefix}/`, 301));
    app.get('/session', { onRequest: admitAdmin }, (_request, reply) => {
      reply.header('Cache-Control', 'no-store').code(204).send();
    });
    await app.register(fastifyStatic, {
      root: dir,
      redirect: true,
      cacheControl: false,
      decorateReply: false,
      setHeaders: (reply, path) => {
        const hashed = path.startsWith(join(dir, 'assets'));
        reply.header('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    app.setNotFoundHandler((_request, reply) => {
      const built = existsSync(join(dir, 'index.html'));
      reply.code(404).type('text/plain').send(built ? 'Not found.' : 'The admin panel is not built: run `npm run build`.');
    });
  };
}
