// Long-running checks kept out of the unit tests: `npm run verify -- <name> [args]` runs
// verify/<name>.mjs (its default export, given the remaining args); `--list` names them all.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'verify');
const all = readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => f.replace(/\.mjs$/, '')).sort();
const [name, ...args] = process.argv.slice(2);
if (!name || name === '--list') {
  console.log(all.join('\n'));
} else if (!all.includes(name)) {
  console.error(`verify: no check '${name}'; expected one of: ${all.join(', ')}`);
  process.exit(2);
} else {
  const mod = await import(pathToFileURL(join(dir, `${name}.mjs`)).href);
  const ok = await mod.default(args);
  process.exit(ok ? 0 : 1);
}
