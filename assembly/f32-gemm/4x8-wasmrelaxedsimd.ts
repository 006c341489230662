// f32 GEMM macro-kernel, 4×8 register tile, relaxed SIMD f32x4.relaxed_madd (fused where the CPU
// has FMA, so the last bit may differ between machines: not used when `deterministic` is set).
import { macro4x8 } from './_4x8';

/**
 * Same contract and layouts as f32_gemm_4x8_wasmsimd, except the k-accumulation uses
 * relaxed_madd (fused or unfused, implementation-defined): error ≤ that of mul+add.
 */
export function f32_gemm_4x8_wasmrelaxedsimd(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, aPanel: i32,
                                            pb: usize, c: usize, ldc: i32, alpha: f32, beta: f32, tmp: usize,
                                            bias: usize, act: i32, pre: usize): void {
  macro4x8(mc, nc, kc, a, aRow, aK, aPanel, pb, c, ldc, alpha, beta, tmp, bias, act, pre, true);
}
