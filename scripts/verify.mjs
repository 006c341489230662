// Long checks that do not belong in the unit suite: `npm run verify -- <name>` runs
// verify/<name>.mjs (no name runs them all). Each module exports `default async function run(args)`,
// prints what it measured and returns true when the check holds; the exit code is 1 otherwise.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'verify');
const all = readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => f.replace(/\.mjs$/, '')).sort();
const [name, ...args] = process.argv.slice(2);
const chosen = name ? [name] : all;
let ok = true;
for (const n of chosen) {
  if (!all.includes(n)) {
    console.error(`verify: no check '${n}'; expected one of: ${all.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## ${n}\n`);
  const mod = await import(pathToFileURL(join(dir, `${n}.mjs`)).href);
  ok = (await mod.default(args)) && ok;
}
process.exit(ok ? 0 : 1);
