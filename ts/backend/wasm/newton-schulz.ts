// Backend.newtonSchulz on wasm (ALGORITHMS.md §5): every product is one call of the GEMM driver
// (gemm.ts) on f32 buffers. A = X·Xᵀ and A² are symmetric, so only their upper block rows are
// multiplied and the lower triangle is mirrored (assembly/f32-ns5), which cuts a step from 6r²c
// to 4r²c flops (r ≤ c). A tall G is never transposed: X is read through strides (its storage is
// G's layout) and the update is computed as Xᵀ ← Xᵀ·B + a·Xᵀ, valid because B is symmetric.

import { newtonSchulzScale, type NewtonSchulzSpec } from '../backend.js';
import { gemm, f32Kernel, OPERAND_SAME } from './gemm.js';
import type { WasmRuntime } from './runtime.js';
import { withBlocks } from './scratch.js';

const BLOCK = 64;

/** C[upper block rows] = alpha·A·B + beta·C for a symmetric r×r result, then the mirror. */
function symmetricProduct(rt: WasmRuntime, r: number, k: number, a: number, aRs: number, aCs: number,
  b: number, bRs: number, bCs: number, c: number, alpha: number, beta: number): void {
  const kernel = f32Kernel(rt);
  for (let i0 = 0; i0 < r; i0 += BLOCK) {
    gemm(rt, { kernel, m: Math.min(BLOCK, r - i0), n: r - i0, k, a: a + i0 * aRs * 4, aRs, aCs, aKind: OPERAND_SAME,
      b: b + i0 * bCs * 4, bRs, bCs, bKind: OPERAND_SAME, c: c + (i0 * r + i0) * 4, ldc: r, alpha, beta });
  }
  rt.exports.f32_ns5_mirror_scalar(r, c);
}

/**
 * Newton–Schulz on wasm memory: reads the rows×cols row-major f32 matrix at byte address `g` and
 * writes the result (same layout) at `out` (may equal g). Scratch is allocated and freed here.
 */
export function newtonSchulzPtr(rt: WasmRuntime, g: number, out: number, rows: number, cols: number, o: NewtonSchulzSpec): void {
  const ex = rt.exports;
  const n = rows * cols, r = Math.min(rows, cols), tall = rows > cols;
  const [ca, cb, cc] = o.coefficients;
  ex.f32_ns5_scale_wasmsimd(n, g, out, newtonSchulzScale(Math.sqrt(ex.f32_ns5_sumsq_wasmsimd(n, g)), o));
  if (o.steps === 0 || n === 0) return;
  const [xRs, xCs] = tall ? [1, r] : [cols, 1];
  withBlocks(rt, [n * 4, r * r * 4, r * r * 4], ([other, gram, poly]) => {
    let x = out, y = other;
    for (let s = 0; s < o.steps; s++) {
      symmetricProduct(rt, r, n / r, x, xRs, xCs, x, xCs, xRs, gram, 1, 0);
      ex.f32_ns5_scale_wasmsimd(r * r, gram, poly, 1);
      symmetricProduct(rt, r, r, gram, r, 1, gram, r, 1, poly, cc, cb);
      ex.f32_ns5_scale_wasmsimd(n, x, y, 1);
      const kernel = f32Kernel(rt);
      if (tall) {
        gemm(rt, { kernel, m: rows, n: r, k: r, a: x, aRs: r, aCs: 1, aKind: OPERAND_SAME,
          b: poly, bRs: r, bCs: 1, bKind: OPERAND_SAME, c: y, ldc: r, alpha: 1, beta: ca });
      } else {
        gemm(rt, { kernel, m: r, n: cols, k: r, a: poly, aRs: r, aCs: 1, aKind: OPERAND_SAME,
          b: x, bRs: cols, bCs: 1, bKind: OPERAND_SAME, c: y, ldc: cols, alpha: 1, beta: ca });
      }
      [x, y] = [y, x];
    }
    if (x !== out) ex.f32_ns5_scale_wasmsimd(n, x, out, 1);
  });
}
