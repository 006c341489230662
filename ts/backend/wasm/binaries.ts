// Where the wasm bytes come from when the TypeScript sources run directly (vitest, tsx): the files
// that `npm run asbuild` wrote to build/, read with node:fs relative to this module. The bundles
// replace this module with binaries.inline.ts (scripts/bundle.mjs), which has the bytes inlined.

export type BuildName = 'simd' | 'relaxed';

export async function wasmBytes(build: BuildName): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL(`../../../build/descent.${build}.wasm`, import.meta.url);
  const { readFile } = await import('node:fs/promises');
  try {
    return new Uint8Array(await readFile(url));
  } catch (e) {
    const { DescentError } = await import('../../errors.js');
    throw new DescentError('NOT_INITIALIZED',
      `wasm: cannot read ${url.pathname} (${(e as Error).message}); run \`npm run asbuild\` first`);
  }
}
