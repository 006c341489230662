// Long checks that do not fit the CI test budget: `npm run verify -- <name> [args]` runs
// verify/<name>.mjs (its default export gets the args); `--list` names them.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'verify');
const all = readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => f.replace(/\.mjs$/, '')).sort();
const [name, ...args] = process.argv.slice(2);

if (name === undefined || name === '--list') {
  console.log(all.join('\n'));
} else if (!all.includes(name)) {
  console.error(`verify: no check '${name}'; expected one of: ${all.join(', ')}`);
  process.exit(2);
} else {
  const mod = await import(pathToFileURL(join(dir, `${name}.mjs`)).href);
  process.exitCode = await mod.default(args);
}
