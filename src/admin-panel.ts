import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Router } from 'express';

/** Where `npm run build` puts the panel (`web/admin/`), from `src/` and `dist/` alike. */
export const ADMIN_PANEL_DIR = fileURLToPath(new URL('../dist/admin/', import.meta.url));

// The panel talks only to this origin's /graphql; cytoscape.js sets inline styles.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The explanation panel: its static files for anyone (the page holds no data and signs in itself),
 * and `GET session`, 204 once `admitAdmin` admits the caller, with which the page checks a key
 * before using it. The data comes from `/graphql`, under the API's own rules. Vite's hashed assets
 * are cached for good; `index.html` is revalidated so a new build shows at once. Without a build it
 * says how to make one.
 */
export function adminPanel(admitAdmin: RequestHandler, dir: string = ADMIN_PANEL_DIR): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    next();
  });
  router.get('/session', admitAdmin, (_req, res) => {
    res.set('Cache-Control', 'no-store').status(204).end();
  });
  router.use(
    express.static(dir, {
      setHeaders: (res, path) => {
        const hashed = path.startsWith(join(dir, 'assets'));
        res.set('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  router.use((_req, res) => {
    const built = existsSync(join(dir, 'index.html'));
    res.status(404).type('text/plain').send(built ? 'Not found.' : 'The admin panel is not built: run `npm run build`.');
  });
  return router;
}
