// f64 GEMM macro-kernel, 4×4 register tile of f64x2 (8 accumulators, the same register budget
// as the f32 4×8 tile that measured best here). Packed panels come from x64_packb_scalar.

import { storeEdge, storeRow } from '../_lib/gemm-store';

@inline
function tile4x4(kc: i32, a: usize, b: usize, c: usize, ldcBytes: usize, alpha: f64, beta: f64): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  let left = kc; // bottom-tested k loop, as in ../f32-gemm/5x8-wasmrelaxedsimd.ts
  if (left > 0) do {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const a0 = v128.load64_splat(a), a1 = v128.load64_splat(a, 8);
    const a2 = v128.load64_splat(a, 16), a3 = v128.load64_splat(a, 24);
    c00 = f64x2.add(c00, f64x2.mul(a0, b0)); c01 = f64x2.add(c01, f64x2.mul(a0, b1));
    c10 = f64x2.add(c10, f64x2.mul(a1, b0)); c11 = f64x2.add(c11, f64x2.mul(a1, b1));
    c20 = f64x2.add(c20, f64x2.mul(a2, b0)); c21 = f64x2.add(c21, f64x2.mul(a2, b1));
    c30 = f64x2.add(c30, f64x2.mul(a3, b0)); c31 = f64x2.add(c31, f64x2.mul(a3, b1));
    a += 32; b += 32;
  } while (--left > 0);
  storeRow<f64>(c, c00, c01, alpha, beta);
  storeRow<f64>(c + ldcBytes, c10, c11, alpha, beta);
  storeRow<f64>(c + 2 * ldcBytes, c20, c21, alpha, beta);
  storeRow<f64>(c + 3 * ldcBytes, c30, c31, alpha, beta);
}

/**
 * C ← alpha·Ã·B̃ + beta·C for one mc×nc f64 block, kc deep. pa: A packed with w = 4, pb: B
 * packed with w = 4 (x64_packb_scalar). c: byte pointer, row stride ldc ELEMENTS, column
 * stride 1; tmp: 128-byte scratch; packed pointers 16-byte aligned. beta = 0 never reads C.
 * Σ in order p = 0..kc-1, f64 mul then add: bit-identical to f64_gemm_4x4_scalar. Edge tiles go
 * through tmp with the same roundings; nothing outside C is written.
 */
export function f64_gemm_4x4_wasmsimd(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize,
                                      ldc: i32, alpha: f64, beta: f64, tmp: usize): void {
  const ldcBytes = <usize>ldc << 3;
  const stride = <usize>kc << 5;
  for (let j = 0; j < nc; j += 4) {
    const bj = pb + <usize>(j >> 2) * stride;
    const nr = min(4, nc - j);
    for (let i = 0; i < mc; i += 4) {
      const ai = pa + <usize>(i >> 2) * stride;
      const ct = c + <usize>i * ldcBytes + (<usize>j << 3);
      const mr = min(4, mc - i);
      if (mr == 4 && nr == 4) {
        tile4x4(kc, ai, bj, ct, ldcBytes, alpha, beta);
        continue;
      }
      tile4x4(kc, ai, bj, tmp, 32, alpha, 0);
      storeEdge<f64>(tmp, 4, ct, ldcBytes, mr, nr, beta);
    }
  }
}
