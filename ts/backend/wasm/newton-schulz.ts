// Backend.newtonSchulz on wasm (ALGORITHMS.md §5) on f32 buffers. A = X·Xᵀ and A² are symmetric,
// so they run as symmetric products (syrk.ts: upper triangle multiplied, then mirrored), which
// cuts a step from 6r²c to about 4r²c flops (r ≤ c); B·X is one GEMM (gemm.ts). All products use
// the FMA kernel when the device is not deterministic (f32Kernel).
// A tall G is never transposed: X is read through strides (its storage is
// G's layout) and the update is computed as Xᵀ ← Xᵀ·B, valid because B is symmetric. The a·X term
// rides in B's diagonal (B = a·I + b·A + c·A²), so no pass copies X, and the iteration starts in
// the buffer that makes its last step land in `out`: passes over X are the norm, the scaled copy
// and the products.

import { newtonSchulzScale, type NewtonSchulzSpec } from '../backend.js';
import { gemm, f32Kernel, OPERAND_SAME } from './gemm.js';
import { symmetricProduct, type SymmetricCall } from './syrk.js';
import type { WasmRuntime } from './runtime.js';
import { withBlocks } from './scratch.js';

/** How the two symmetric products run: 'symmetric' (syrk.ts, the default) or 'general' (full GEMMs, kept for the bench's A/B). */
export type NewtonSchulzProducts = 'symmetric' | 'general';

function generalProduct(rt: WasmRuntime, g: SymmetricCall): void {
  gemm(rt, { ...g, m: g.n, aKind: OPERAND_SAME, bKind: OPERAND_SAME, ldc: g.n });
}

/**
 * Newton–Schulz on wasm memory: reads the rows×cols row-major f32 matrix at byte address `g` and
 * writes the result (same layout) at `out` (may equal g). Scratch is allocated and freed here.
 */
export function newtonSchulzPtr(rt: WasmRuntime, g: number, out: number, rows: number, cols: number, o: NewtonSchulzSpec,
  products: NewtonSchulzProducts = 'symmetric'): void {
  const ex = rt.exports;
  const n = rows * cols, r = Math.min(rows, cols), tall = rows > cols;
  const [ca, cb, cc] = o.coefficients;
  const scale = newtonSchulzScale(Math.sqrt(ex.f32_ns5_sumsq_wasmsimd(n, g)), o);
  if (o.steps === 0 || n === 0) {
    ex.f32_ns5_scale_wasmsimd(n, g, out, scale);
    return;
  }
  const [xRs, xCs] = tall ? [1, r] : [cols, 1];
  withBlocks(rt, [n * 4, r * r * 4, r * r * 4], ([other, gram, poly]) => {
    const kernel = f32Kernel(rt), k = n / r;
    const product = products === 'symmetric' ? symmetricProduct : generalProduct;
    // X ping-pongs between out and other: start where the last step lands in out (no final copy)
    let [x, y] = o.steps % 2 ? [other, out] : [out, other];
    ex.f32_ns5_scale_wasmsimd(n, g, x, scale);
    const diagonal = Math.fround(ca);
    for (let s = 0; s < o.steps; s++) {
      product(rt, { kernel, n: r, k, a: x, aRs: xRs, aCs: xCs, b: x, bRs: xCs, bCs: xRs, c: gram, alpha: 1, beta: 0 });
      // B = a·I + b·A + c·A², so the step X ← B·X needs no copy of X for its a·X term
      ex.f32_ns5_scale_wasmsimd(r * r, gram, poly, cb);
      const p = rt.views.f32(poly, r * r);
      for (let i = 0; i < r * r; i += r + 1) p[i] += diagonal;
      product(rt, { kernel, n: r, k: r, a: gram, aRs: r, aCs: 1, b: gram, bRs: r, bCs: 1, c: poly, alpha: cc, beta: 1 });
      if (tall) {
        gemm(rt, { kernel, m: rows, n: r, k: r, a: x, aRs: r, aCs: 1, aKind: OPERAND_SAME,
          b: poly, bRs: r, bCs: 1, bKind: OPERAND_SAME, c: y, ldc: r, alpha: 1, beta: 0 });
      } else {
        gemm(rt, { kernel, m: r, n: cols, k: r, a: poly, aRs: r, aCs: 1, aKind: OPERAND_SAME,
          b: x, bRs: cols, bCs: 1, bKind: OPERAND_SAME, c: y, ldc: cols, alpha: 1, beta: 0 });
      }
      [x, y] = [y, x];
    }
  });
}
