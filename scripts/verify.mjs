// Long checks that do not belong in the unit-test suite: `npm run verify -- <name> [args]` runs
// verify/<name>.mjs (its default export, given the args); no name lists them. Exit code 1 on failure.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'verify');
const all = readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => f.replace(/\.mjs$/, '')).sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !all.includes(name)) {
  console.error(name ? `verify: no check '${name}'; expected one of: ${all.join(', ')}` : `verify checks: ${all.join(', ')}`);
  process.exit(name ? 2 : 0);
}
const mod = await import(pathToFileURL(join(dir, `${name}.mjs`)).href);
const ok = await mod.default(args);
process.exit(ok === false ? 1 : 0);
