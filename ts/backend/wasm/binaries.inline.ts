// Bundle-time replacement for binaries.ts (swapped in by scripts/bundle.mjs): both builds inlined
// by esbuild's binary loader, so the bundles are single self-contained files for Node and browsers.
import simd from '../../../build/descent.simd.wasm';
import relaxed from '../../../build/descent.relaxed.wasm';

export type BuildName = 'simd' | 'relaxed';

export async function wasmBytes(build: BuildName): Promise<Uint8Array<ArrayBuffer>> {
  return build === 'simd' ? simd : relaxed;
}
