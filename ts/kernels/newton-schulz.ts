// Raw Newton–Schulz entry point for kernel users: a row-major f32 matrix in, its orthogonalized
// copy out, on the wasm GEMM (ts/backend/wasm/newton-schulz.ts). Needs `await init()`.

import { check } from '../errors.js';
import { newtonSchulzPtr, wasmRuntime, withBlocks } from '../backend/wasm/raw.js';
import { describe } from '../ops/util.js';
import { checkNumber } from '../optim/validate.js';
import { resolveNewtonSchulz, type NewtonSchulzOptions } from '../optim/newton-schulz.js';

/**
 * Newton–Schulz of a row-major f32 matrix on the wasm kernels (needs `await init()`).
 * @example const o = kernels.newtonSchulz(g, 256, 512, { steps: 5 });
 */
export function newtonSchulz(g: Float32Array, rows: number, cols: number, opts: NewtonSchulzOptions = {}): Float32Array {
  const where = 'newtonSchulz';
  check(g instanceof Float32Array, 'BAD_ARGUMENT', () => `${where}: expected a Float32Array, got ${describe(g)}`);
  checkNumber(where, 'rows', rows, { min: 1, int: true });
  checkNumber(where, 'cols', cols, { min: 1, int: true });
  check(g.length === rows * cols, 'SHAPE_MISMATCH', () => `${where}: ${rows}×${cols} needs ${rows * cols} values, got ${g.length}`);
  const o = resolveNewtonSchulz(where, opts);
  const rt = wasmRuntime(where);
  return withBlocks(rt, [g.length * 4], ([buf]) => {
    rt.views.f32(buf, g.length).set(g);
    newtonSchulzPtr(rt, buf, buf, rows, cols, o);
    return rt.views.f32(buf, g.length).slice();
  });
}
