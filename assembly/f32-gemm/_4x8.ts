// Shared body of the f32 4×8 GEMM macro-kernel (BLIS "macro-kernel": the two loops around the
// register-tiled micro-kernel). Internal helper ('_' prefix): the plain and relaxed files
// instantiate it with a constant `fma` flag that binaryen folds away after inlining.
//
// Why 4×8: measured on this machine (AMD EPYC, V8 11.3) against 2×16, 3×8, 3×12, 4×12, 4×16,
// 5×8, 6×4, 6×8, 7×8, 8×4, 8×8 and k-unrolling by 2 and 4: 4×8 (8 accumulators, 2 B vectors,
// one broadcast A) reached ~57 GFLOP/s on L1/L2-resident panels, the larger tiles 23–34
// because V8's register allocator spills once more than ~12 v128 values are live. Unrolling k by
// 2 was also measured: 37 instead of 58 GFLOP/s (spills again), so the loop stays rolled. The
// relaxed (FMA) kernel uses this tile only for C blocks ≤ 64 columns wide (A read in place) other
// than 9..12 columns (./3x12-wasmrelaxedsimd.ts); wider blocks go to the 5×8 FMA tile
// (./5x8-wasmrelaxedsimd.ts), which avoids the spills by broadcasting A with lane shuffles.
// The fused Linear epilogue's bias, pre and relu are applied in the store of each full tile after
// the k loop (../_lib/gemm-store.ts); gelu runs over the block afterwards (see there).

import { f32_biasact_wasmsimd } from '../f32-biasact/wasmsimd';
import { ptrAt, storeEdge, storeRow } from '../_lib/gemm-store';

/**
 * Accumulates one MR×NR = 4×8 tile over kc and stores alpha·acc + beta·C (C not read if beta = 0),
 * with epi (constant) through the store's epilogue: bias, pre at the tile's first column/element, relu.
 * wide = false computes only the left 4 columns (the right half stays 0): the last B panel of an
 * n ≡ 1..4 (mod 8) product then costs half (n = 10 heads: 12 columns computed, not 16).
 */
@inline
function tile4x8(kc: i32, a0: usize, a1: usize, a2: usize, a3: usize, aK: usize, b: usize, c: usize, ldcBytes: usize,
                 alpha: f32, beta: f32, fma: bool, wide: bool, epi: bool, bias: usize, relu: bool, pre: usize): void {
  let off: usize = 0; // byte offset along k, shared by the four row pointers
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let left = kc; // bottom-tested k loop, as in ./5x8-wasmrelaxedsimd.ts
  if (left > 0) do {
    const b0 = v128.load(b), b1 = wide ? v128.load(b, 16) : b0;
    const x0 = v128.load32_splat(a0 + off), x1 = v128.load32_splat(a1 + off);
    const x2 = v128.load32_splat(a2 + off), x3 = v128.load32_splat(a3 + off);
    if (ASC_FEATURE_RELAXED_SIMD && fma) {
      c00 = f32x4.relaxed_madd(x0, b0, c00); c10 = f32x4.relaxed_madd(x1, b0, c10);
      c20 = f32x4.relaxed_madd(x2, b0, c20); c30 = f32x4.relaxed_madd(x3, b0, c30);
      if (wide) {
        c01 = f32x4.relaxed_madd(x0, b1, c01); c11 = f32x4.relaxed_madd(x1, b1, c11);
        c21 = f32x4.relaxed_madd(x2, b1, c21); c31 = f32x4.relaxed_madd(x3, b1, c31);
      }
    } else {
      c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c10 = f32x4.add(c10, f32x4.mul(x1, b0));
      c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c30 = f32x4.add(c30, f32x4.mul(x3, b0));
      if (wide) {
        c01 = f32x4.add(c01, f32x4.mul(x0, b1)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
        c21 = f32x4.add(c21, f32x4.mul(x2, b1)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
      }
    }
    off += aK; b += 32;
  } while (--left > 0);
  storeRow<f32>(c, c00, c01, alpha, beta, epi, bias, relu, pre);
  storeRow<f32>(c + ldcBytes, c10, c11, alpha, beta, epi, bias, relu, ptrAt(pre, ldcBytes));
  storeRow<f32>(c + 2 * ldcBytes, c20, c21, alpha, beta, epi, bias, relu, ptrAt(pre, 2 * ldcBytes));
  storeRow<f32>(c + 3 * ldcBytes, c30, c31, alpha, beta, epi, bias, relu, ptrAt(pre, 3 * ldcBytes));
}

/**
 * C[mc×nc] ← act(alpha·A·B̃ + beta·C + bias). B is packed (x32_packb, w = 8); A is read through
 * strides (in elements): element (i, p) at a + (i>>2)·aPanel + (i&3)·aRow + p·aK, which covers both A packed
 * by x32_packb (aRow 1, aK 4, aPanel 4·kc) and A unpacked in place (aRow = row stride, aK =
 * column stride, aPanel = 4·row stride) — small-n products skip packing A. Rows past mc in the
 * last panel alias row mc−1, so nothing outside A is read.
 * Tiles are walked B-panel outer, A-panel inner so the kc×8 B micro-panel stays in L1 while A
 * streams from L2. Edge tiles are computed whole into `tmp` (32 floats, 16-byte aligned) with
 * beta = 0, then C ← tmp + beta·C on the valid part only (and the epilogue on that part): the same
 * roundings as a full tile, no write outside C. Epilogue (bias, act, pre): see f32_gemm_4x8_wasmsimd.
 */
@inline
export function macro4x8(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, aPanel: i32, pb: usize, c: usize,
                         ldc: i32, alpha: f32, beta: f32, tmp: usize, bias: usize, act: i32, pre: usize, fma: bool): void {
  if (bias == 0 && act != 1 && pre == 0) blocks4x8(mc, nc, kc, a, aRow, aK, aPanel, pb, c, ldc, alpha, beta, tmp, 0, false, 0, fma, false);
  else if (fma) epilogue4x8Fma(mc, nc, kc, a, aRow, aK, aPanel, pb, c, ldc, alpha, beta, tmp, bias, act == 1, pre);
  else epilogue4x8Mul(mc, nc, kc, a, aRow, aK, aPanel, pb, c, ldc, alpha, beta, tmp, bias, act == 1, pre);
  if (act == 2) f32_biasact_wasmsimd(mc, nc, c, ldc, 0, 2, 0);
}

// The loops with the store's epilogue, each in a wasm function of its own (binaryen does not inline
// functions with loops): in the kernel's own function they made V8 compile the plain path 4% slower
// (128×256 block, kc 196, CPU time), though its loops came out instruction for instruction the same.
function epilogue4x8Mul(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, aPanel: i32, pb: usize, c: usize, ldc: i32,
                        alpha: f32, beta: f32, tmp: usize, bias: usize, relu: bool, pre: usize): void {
  blocks4x8(mc, nc, kc, a, aRow, aK, aPanel, pb, c, ldc, alpha, beta, tmp, bias, relu, pre, false, true);
}
function epilogue4x8Fma(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, aPanel: i32, pb: usize, c: usize, ldc: i32,
                        alpha: f32, beta: f32, tmp: usize, bias: usize, relu: bool, pre: usize): void {
  blocks4x8(mc, nc, kc, a, aRow, aK, aPanel, pb, c, ldc, alpha, beta, tmp, bias, relu, pre, true, true);
}

/** macro4x8's loops over the tiles; epi (constant): through the store's epilogue (bias, pre, relu). */
@inline
function blocks4x8(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, aPanel: i32, pb: usize, c: usize, ldc: i32,
                   alpha: f32, beta: f32, tmp: usize, bias: usize, relu: bool, pre: usize, fma: bool, epi: bool): void {
  const ldcBytes = <usize>ldc << 2, rowBytes = <usize>aRow << 2, kBytes = <usize>aK << 2;
  const bStride = <usize>kc << 5;
  for (let j = 0; j < nc; j += 8) {
    const bj = pb + <usize>(j >> 3) * bStride;
    const nr = min(8, nc - j);
    for (let i = 0; i < mc; i += 4) {
      const ai = a + ((<usize>(i >> 2) * <usize>aPanel) << 2);
      const ct = c + <usize>i * ldcBytes + (<usize>j << 2);
      const mr = min(4, mc - i);
      const a1 = ai + <usize>min(1, mr - 1) * rowBytes;
      const a2 = ai + <usize>min(2, mr - 1) * rowBytes;
      const a3 = ai + <usize>min(3, mr - 1) * rowBytes;
      const tb = epi ? ptrAt(bias, <usize>j << 2) : 0, tp = epi ? ptrAt(pre, ct - c) : 0;
      if (mr == 4 && nr == 8) {
        tile4x8(kc, ai, a1, a2, a3, kBytes, bj, ct, ldcBytes, alpha, beta, fma, true, epi, tb, relu, tp);
      } else {
        if (nr > 4) tile4x8(kc, ai, a1, a2, a3, kBytes, bj, tmp, 32, alpha, 0, fma, true, false, 0, false, 0);
        else tile4x8(kc, ai, a1, a2, a3, kBytes, bj, tmp, 32, alpha, 0, fma, false, false, 0, false, 0);
        storeEdge<f32>(tmp, 8, ct, ldcBytes, mr, nr, beta);
        if (epi) f32_biasact_wasmsimd(mr, nr, ct, ldc, tb, relu ? 1 : 0, tp);
      }
    }
  }
}
