// f32 GEMM macro-kernel, 4×8 register tile, SIMD128 mul+add (deterministic on every machine).
import { macro4x8 } from './_4x8';

/**
 * C ← alpha·Ã·B̃ + beta·C for one mc×nc block, kc deep.
 * pa: A packed by x32_packb with w = 4 (ceil(mc/4) panels of kc×4 floats); pb: B packed with
 * w = 8 (ceil(nc/8) panels of kc×8). c: byte pointer to C[0,0], row stride ldc ELEMENTS, column
 * stride 1. tmp: 128-byte scratch. Pointers 16-byte aligned except c (any 4-byte alignment).
 * beta = 0 never reads C. Each C element is Σ_p in order p = 0..kc-1 with f32 mul then add,
 * then alpha·acc + beta·C: bit-identical to f32_gemm_4x8_scalar. Not in place on A/B.
 */
export function f32_gemm_4x8_wasmsimd(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize,
                                      ldc: i32, alpha: f32, beta: f32, tmp: usize): void {
  macro4x8(mc, nc, kc, pa, pb, c, ldc, alpha, beta, tmp, false);
}
