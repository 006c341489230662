// f32 GEMM macro-kernel, 4×8 register tile, SIMD128 mul+add (deterministic on every machine).
import { macro4x8 } from './_4x8';

/**
 * C ← act(alpha·A·B̃ + beta·C + bias) for one mc×nc block, kc deep.
 * A: byte pointer a; element (i, p) at a + ((i>>2)·aPanel + (i&3)·aRow + p·aK)·4 — either packed
 * by x32_packb with w = 4 (aRow 1, aK 4, aPanel 4·kc) or read in place (aRow = row stride, aK =
 * column stride, aPanel = 4·row stride; strides in ELEMENTS). pb: B packed with w = 8 (ceil(nc/8)
 * panels of kc×8), 16-byte aligned. c: byte pointer to C[0,0], row stride ldc ELEMENTS, column
 * stride 1. tmp: 128-byte scratch, 16-byte aligned. beta = 0 never reads C. Each C element is
 * Σ_p in order p = 0..kc-1 with f32 mul then add, then alpha·acc + beta·C: bit-identical to
 * f32_gemm_4x8_scalar. Reads only rows < mc of A; writes only C's mc×nc block. Not in place.
 * Epilogue (the driver passes it on the last k block only): bias byte pointer to nc floats or 0,
 * act 0 none / 1 relu / 2 gelu, pre byte pointer laid out as C (row stride ldc) receiving the
 * value before act, or 0; the bits of f32_biasact_scalar run on the result.
 */
export function f32_gemm_4x8_wasmsimd(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, aPanel: i32,
                                     pb: usize, c: usize, ldc: i32, alpha: f32, beta: f32, tmp: usize,
                                     bias: usize, act: i32, pre: usize): void {
  macro4x8(mc, nc, kc, a, aRow, aK, aPanel, pb, c, ldc, alpha, beta, tmp, bias, act, pre, false);
}
