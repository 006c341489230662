// f32 GEMM macro-kernel, 5×8 register tile, relaxed SIMD f32x4.relaxed_madd (fused where the CPU
// has FMA, so the last bit may differ between machines: not used when `deterministic` is set).
//
// Why 5×8 and not the 4×8 of the mul+add kernel: on this CPU (AMD EPYC, Zen 5: two FMA pipes
// with 4-cycle latency) 4×8's 8 accumulators are exactly latency × throughput, so any stall
// costs issue slots; 10 accumulators leave slack. V8 11.3 hoists every load of a loop body to its
// top, so broadcast loads of 5 A rows would be 10 + 2 + 5 = 17 live v128 (15 allocatable): it
// spilled (22 GFLOP/s). Instead A is packed 5 floats per k step and rows 0..3 come from ONE
// v128 load, each broadcast by a lane shuffle that V8 schedules next to its two FMAs (row 4 is
// a broadcast load): 10 + 2 + 2 + 1 live, no spill. Measured on L1/L2-resident panels
// (120×256 block, kc 256, CPU time): 4×8 FMA 44.6–47.7, 5×8 shuffle 51.5–51.6 GFLOP/s against
// a relaxed_madd register peak of 55; 6×8 and 4×12 (17 live) and k-unrolling by 2 spill (25–33).
// The fused Linear epilogue's bias, pre and relu are applied in the store of each full tile after
// the k loop (../_lib/gemm-store.ts); gelu runs over the block afterwards (see there). The loops
// with the epilogue are a wasm function of their own, as in ./_4x8.ts.
import { f32_biasact_wasmsimd } from '../f32-biasact/wasmsimd';
import { ptrAt, storeEdge, storeRow } from '../_lib/gemm-store';

/**
 * One 5×8 tile over kc (B's k steps bK bytes apart); with epi (constant) the store's epilogue: bias,
 * pre at the tile's first column/element, relu; scaled (constant) false when alpha is 1.
 */
@inline
function tile5x8(kc: i32, a: usize, b: usize, bK: usize, c: usize, ldcBytes: usize, alpha: f32, beta: f32,
                 epi: bool, bias: usize, relu: bool, pre: usize, scaled: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  // bottom-tested k loop (do-while): one branch per k step, not a test at the top and a jump back
  // (5×8 FMA at 1024²: 52.3 → 55.0 GFLOP/s)
  let left = kc;
  if (left > 0) do {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const a03 = v128.load(a), x4 = v128.load32_splat(a, 16);
    const x0 = v128.shuffle<f32>(a03, a03, 0, 0, 0, 0);
    c00 = f32x4.relaxed_madd(x0, b0, c00); c01 = f32x4.relaxed_madd(x0, b1, c01);
    const x1 = v128.shuffle<f32>(a03, a03, 1, 1, 1, 1);
    c10 = f32x4.relaxed_madd(x1, b0, c10); c11 = f32x4.relaxed_madd(x1, b1, c11);
    const x2 = v128.shuffle<f32>(a03, a03, 2, 2, 2, 2);
    c20 = f32x4.relaxed_madd(x2, b0, c20); c21 = f32x4.relaxed_madd(x2, b1, c21);
    const x3 = v128.shuffle<f32>(a03, a03, 3, 3, 3, 3);
    c30 = f32x4.relaxed_madd(x3, b0, c30); c31 = f32x4.relaxed_madd(x3, b1, c31);
    c40 = f32x4.relaxed_madd(x4, b0, c40); c41 = f32x4.relaxed_madd(x4, b1, c41);
    a += 20; b += bK;
  } while (--left > 0);
  storeRow<f32>(c, c00, c01, alpha, beta, epi, bias, relu, pre, scaled);
  storeRow<f32>(c + ldcBytes, c10, c11, alpha, beta, epi, bias, relu, ptrAt(pre, ldcBytes), scaled);
  storeRow<f32>(c + 2 * ldcBytes, c20, c21, alpha, beta, epi, bias, relu, ptrAt(pre, 2 * ldcBytes), scaled);
  storeRow<f32>(c + 3 * ldcBytes, c30, c31, alpha, beta, epi, bias, relu, ptrAt(pre, 3 * ldcBytes), scaled);
  storeRow<f32>(c + 4 * ldcBytes, c40, c41, alpha, beta, epi, bias, relu, ptrAt(pre, 4 * ldcBytes), scaled);
}

/**
 * C[mc×nc] ← act(alpha·Ã·B̃ + beta·C + bias), kc deep. pa: A packed by x32_packb with w = 5 (panels
 * of kc×5, rows past mc zero); pb: B packed with w = 8 (bRow = 0), or row-major B read in place,
 * rows bRow ELEMENTS apart (then nc must be a multiple of 8: every panel is read whole, for products
 * with so few rows that packing B would cost more than the tiles that reuse it). c: byte pointer, row stride ldc ELEMENTS,
 * column stride 1; tmp: 160-byte scratch. beta = 0 never reads C. Each C element is Σ_p in order
 * p = 0..kc-1 by relaxed_madd, then alpha·acc + beta·C. Edge tiles are computed whole into tmp
 * and only their valid part stored: nothing outside C is written. Epilogue (the driver passes it
 * on the last k block only): bias byte pointer to nc floats or 0, act 0 none / 1 relu / 2 gelu,
 * pre byte pointer laid out as C (row stride ldc) receiving the value before act, or 0; the bits
 * of f32_biasact_scalar run on the result.
 */
export function f32_gemm_5x8_wasmrelaxedsimd(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, bRow: i32, c: usize, ldc: i32,
                                            alpha: f32, beta: f32, tmp: usize, bias: usize, act: i32, pre: usize): void {
  const plain = bias == 0 && act != 1 && pre == 0;
  if (alpha == 1) {
    if (plain) unit5x8(mc, nc, kc, pa, pb, bRow, c, ldc, beta, tmp);
    else unitEpilogue5x8(mc, nc, kc, pa, pb, bRow, c, ldc, beta, tmp, bias, act == 1, pre);
  } else if (plain) {
    blocks5x8(mc, nc, kc, pa, pb, bRow, c, ldc, alpha, beta, tmp, 0, false, 0, false, true);
  } else {
    epilogue5x8(mc, nc, kc, pa, pb, bRow, c, ldc, alpha, beta, tmp, bias, act == 1, pre);
  }
  if (act == 2) f32_biasact_wasmsimd(mc, nc, c, ldc, 0, 2, 0);
}

function epilogue5x8(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, bRow: i32, c: usize, ldc: i32,
                     alpha: f32, beta: f32, tmp: usize, bias: usize, relu: bool, pre: usize): void {
  blocks5x8(mc, nc, kc, pa, pb, bRow, c, ldc, alpha, beta, tmp, bias, relu, pre, true, true);
}

// alpha = 1 (every product of the op layer): the stores skip the multiply by alpha, 10 of a tile's
// FMA-port ops; that is a tenth of them when k = 10 (dX = g·W of a 10-class head)
function unit5x8(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, bRow: i32, c: usize, ldc: i32, beta: f32, tmp: usize): void {
  blocks5x8(mc, nc, kc, pa, pb, bRow, c, ldc, 1, beta, tmp, 0, false, 0, false, false);
}

function unitEpilogue5x8(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, bRow: i32, c: usize, ldc: i32,
                         beta: f32, tmp: usize, bias: usize, relu: bool, pre: usize): void {
  blocks5x8(mc, nc, kc, pa, pb, bRow, c, ldc, 1, beta, tmp, bias, relu, pre, true, false);
}

/** The kernel's loops over the tiles; epi (constant): through the store's epilogue (bias, pre, relu); scaled (constant): alpha ≠ 1. */
@inline
function blocks5x8(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, bRow: i32, c: usize, ldc: i32, alpha: f32, beta: f32,
                   tmp: usize, bias: usize, relu: bool, pre: usize, epi: bool, scaled: bool): void {
  const ldcBytes = <usize>ldc << 2;
  // packed: kc×8 panels, 32 bytes per k step; in place: panels 8 columns apart, k steps a row apart
  const aStride = <usize>kc * 20, bStride: usize = bRow == 0 ? <usize>kc << 5 : 32, bK: usize = bRow == 0 ? 32 : <usize>bRow << 2;
  for (let j = 0; j < nc; j += 8) {
    const bj = pb + <usize>(j >> 3) * bStride;
    const nr = min(8, nc - j);
    for (let i = 0; i < mc; i += 5) {
      const ai = pa + <usize>(i / 5) * aStride;
      const ct = c + <usize>i * ldcBytes + (<usize>j << 2);
      const mr = min(5, mc - i);
      const tb = epi ? ptrAt(bias, <usize>j << 2) : 0, tp = epi ? ptrAt(pre, ct - c) : 0;
      if (mr == 5 && nr == 8) {
        tile5x8(kc, ai, bj, bK, ct, ldcBytes, alpha, beta, epi, tb, relu, tp, scaled);
      } else {
        tile5x8(kc, ai, bj, bK, tmp, 32, alpha, 0, false, 0, false, 0, scaled);
        storeEdge<f32>(tmp, 8, ct, ldcBytes, mr, nr, beta);
        if (epi) f32_biasact_wasmsimd(mr, nr, ct, ldc, tb, relu ? 1 : 0, tp);
      }
    }
  }
}
