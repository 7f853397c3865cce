/**
 * Benchmark runner: `npm run bench -- <name>` runs bench/<name>.ts. Each benchmark prints its numbers
 * together with the machine and the conditions it ran under.
 */
import fs from 'node:fs';
import path from 'node:path';

const name = process.argv[2];
const available = fs
  .readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.ts') && !['run.ts'].includes(f) && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(', ')})`);
  process.exit(2);
}
await import(path.join(import.meta.dirname, `${name}.ts`));
