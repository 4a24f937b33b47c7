// Prints recograph's subgraph SDL, as a router composes it, for `rover subgraph publish`.
// Usage: npm run schema:print [-- FILE]   (stdout without FILE)
import { writeFileSync } from 'node:fs';
import { printRecographSubgraphSchema } from '../src/schema.js';

const [file] = process.argv.slice(2);
const sdl = `${printRecographSubgraphSchema()}\n`;
if (file) writeFileSync(file, sdl);
else process.stdout.write(sdl);
