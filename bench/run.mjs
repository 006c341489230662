// Benchmark runner: `npm run bench -- <name>` runs bench/<name>.bench.mjs; no name runs them all.
// npm's script passes --experimental-wasm-relaxed-simd so Node 20 can load the relaxed build.
// Each bench module exports `default async function run(args)` and prints its own table.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).map((f) => f.replace(/\.bench\.mjs$/, '')).sort();
const [name, ...args] = process.argv.slice(2);

if (name === '--list') {
  console.log(all.join('\n'));
} else {
  const chosen = name ? [name] : all;
  for (const n of chosen) {
    if (!all.includes(n)) {
      console.error(`bench: no benchmark '${n}'; expected one of: ${all.join(', ')}`);
      process.exit(2);
    }
    console.log(`\n## ${n}\n`);
    const mod = await import(pathToFileURL(join(dir, `${n}.bench.mjs`)).href);
    await mod.default(args);
  }
}
