// Bundles `npm run bench -- webgpu` into one file for a machine with Node but no npm packages
// (the lent GPU machine; see scripts/gpu-bench.sh): build/bench/gpu-bench.mjs holds the bench,
// its harness, tinybench and TensorFlow.js (core, cpu, webgpu); only `webgpu` (Dawn, brought by
// .gpu/setup.sh) stays external. The library bundle the bench loads is made here as well, at the
// path the bench asks for (build/bench/webgpu-entry.js): on the GPU machine, where esbuild is
// absent, the harness's bundleSource is swapped for one that returns that prebuilt path.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSource } from './bundle.mjs';
import { ENTRY, ENTRY_FILE } from '../bench/webgpu.bench.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await bundleSource(ENTRY, ENTRY_FILE);

const prebuilt = {
  name: 'prebuilt-bundles',
  setup(b) {
    b.onResolve({ filter: /scripts\/bundle\.mjs$/ }, () => ({ path: 'prebuilt', namespace: 'prebuilt' }));
    b.onLoad({ filter: /.*/, namespace: 'prebuilt' }, () => ({
      resolveDir: root,
      contents: `import { join } from 'node:path';
const root = join(new URL('.', import.meta.url).pathname, '..', '..');
const made = (outfile) => join(root, outfile); // built by scripts/gpu-bench.mjs
export const bundleSource = async (_contents, outfile) => made(outfile);
export const bundleEntry = async (_entry, outfile) => made(outfile);`,
    }));
  },
};
const main = join(root, 'build', 'bench', 'gpu-bench-main.mjs');
writeFileSync(main, "import run from '../../bench/webgpu.bench.mjs';\nawait run(process.argv.slice(2));\n");
await build({
  entryPoints: [main], outfile: join(root, 'build', 'bench', 'gpu-bench.mjs'), bundle: true, format: 'esm', platform: 'node',
  target: 'node20', external: ['webgpu', '@tensorflow/tfjs-backend-wasm'], plugins: [prebuilt], logLevel: 'warning', minify: true,
  // tfjs is CommonJS and requires Node built-ins: give the ESM bundle a require
  banner: { js: "import { createRequire as __benchRequire } from 'node:module';\nconst require = __benchRequire(import.meta.url);" },
});
console.log('build/bench/gpu-bench.mjs and build/bench/webgpu-entry.js are ready');
