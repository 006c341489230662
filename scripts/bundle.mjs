// Bundles the library and the CLI with esbuild, wasm inlined:
//   ts/index.ts    → build/descent.node.js (node, esm) and build/descent.browser.js (browser, esm)
//   ts/viz/index.ts → build/viz.node.js (node, esm: charts and HTML reports, `descent/viz`)
//   ts/cli/main.ts → build/cli.js (node, esm, #!/usr/bin/env node)
// The plugin swaps ts/backend/wasm/binaries.ts (reads build/*.wasm with node:fs, for running the
// sources directly) for binaries.inline.ts (bytes embedded by the binary loader), so the bundles
// are single self-contained files. Run `npm run asbuild` first (npm run build does both).
// Also imported by bench/util.mjs (bundleEntry) to bundle TS entry points for benchmarks.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasmDir = join(root, 'ts', 'backend', 'wasm');

export const inlineWasm = {
  name: 'descent-inline-wasm',
  setup(b) {
    b.onResolve({ filter: /^\.\/binaries\.js$/ }, (args) =>
      args.resolveDir === wasmDir ? { path: join(wasmDir, 'binaries.inline.ts') } : undefined);
  },
};

function checkWasm() {
  for (const f of ['descent.simd.wasm', 'descent.relaxed.wasm']) {
    if (!existsSync(join(root, 'build', f))) {
      console.error(`bundle: build/${f} is missing; run \`npm run asbuild\` first`);
      process.exit(1);
    }
  }
}

const common = {
  bundle: true, format: 'esm', loader: { '.wasm': 'binary' }, plugins: [inlineWasm],
  sourcemap: false, logLevel: 'warning', absWorkingDir: root,
};
const targets = [
  { entry: 'ts/index.ts', outfile: 'build/descent.node.js', platform: 'node', target: 'node20' },
  // The sources import Node built-ins only behind a Node check and by computed names (threads.ts
  // nodeBuiltin), so neither this bundle nor an app's re-bundle of it resolves them; the external
  // is a guard should a literal node:* import appear (it stays as written, as before)
  { entry: 'ts/index.ts', outfile: 'build/descent.browser.js', platform: 'browser', target: 'es2022', external: ['node:*'] },
  { entry: 'ts/viz/index.ts', outfile: 'build/viz.node.js', platform: 'node', target: 'node20' },
  // commander and cli-progress are CommonJS and require Node built-ins: give the ESM bundle a require
  { entry: 'ts/cli/main.ts', outfile: 'build/cli.js', platform: 'node', target: 'node20',
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cliRequire } from 'node:module';\nconst require = __cliRequire(import.meta.url);" } },
];

/** Bundles one TS entry (relative to the repo root) for Node with the wasm inlined. */
export async function bundleEntry(entry, outfile) {
  checkWasm();
  await build({ ...common, entryPoints: [entry], outfile, platform: 'node', target: 'node20' });
  return join(root, outfile);
}

/** Bundles the CLI (ts/cli/main.ts) to `outfile` as the cli target does (tests spawn it). */
export async function bundleCli(outfile = 'build/cli.js') {
  checkWasm();
  const t = targets.find((x) => x.entry === 'ts/cli/main.ts');
  await build({ ...common, entryPoints: [t.entry], outfile, platform: t.platform, target: t.target, banner: t.banner });
  return join(root, outfile);
}

/** Bundles TS source text (imports resolve from the repo root) for Node with the wasm inlined. */
export async function bundleSource(contents, outfile) {
  checkWasm();
  await build({ ...common, stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'bench-entry.ts' }, outfile, platform: 'node', target: 'node20' });
  return join(root, outfile);
}

async function main() {
  checkWasm();
  const t0 = Date.now();
  const made = [];
  for (const t of targets) {
    if (!existsSync(join(root, t.entry))) {
      console.warn(`bundle: ${t.entry} does not exist yet; skipping ${t.outfile}`);
      continue;
    }
    await build({ ...common, entryPoints: [t.entry], outfile: t.outfile, platform: t.platform, target: t.target, banner: t.banner, external: t.external });
    made.push(t.outfile);
  }
  console.log(`bundle: ${made.join(', ')} (${Date.now() - t0} ms)`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
