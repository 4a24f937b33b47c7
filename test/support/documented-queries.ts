import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
export const QUERIES_DIR = join(ROOT, 'docs/queries');

export interface DocumentedQuery {
  /** Relative to `docs/queries`, e.g. `recommendations.graphql`. */
  readonly name: string;
  readonly source: string;
}

/** Every operation under `docs/queries`, recursively, sorted by path. */
export function documentedQueries(dir = QUERIES_DIR): DocumentedQuery[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => ({ name: relative(QUERIES_DIR, join(dir, file)), source: readFileSync(join(dir, file), 'utf8').trim() }));
}

export function documentedQuery(name: string): string {
  return readFileSync(join(QUERIES_DIR, name), 'utf8');
}

/** The fenced code blocks of README.md, in order, with their language. */
export function readmeCodeBlocks(): { readonly lang: string; readonly text: string }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, text: m[2]!.trim() }));
}
