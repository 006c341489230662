// f32 GEMM macro-kernel for small n (9..12 columns), 3×12 register tile, relaxed SIMD
// f32x4.relaxed_madd (fused where the CPU has FMA: not used when `deterministic` is set).
//
// Why: with n = 10 the 4×8 tile covers C with one full tile and one 4-accumulator half tile per 4
// rows, the half tile latency-bound (128×256·256×10 at 53% of peak). One 3×12 tile spans every
// column: 9 accumulators + 3 B vectors + 3 broadcasts = 15 live v128, no spill in V8, each A
// element broadcast once per k step. Measured (CPU time, loaded machine, GFLOP/s, B packing
// included): 128×256·256×10 29.7 → 37.5, Aᵀ·B 256×128·128×10 29.2 → 37.8. Candidates: 1×12,
// 2×12 31, 4×12 19 (spills), 2×16/3×16/4×16 no better than two 4×8 tiles at n = 16. The plain
// mul+add form of 3×12 needs a 16th live value (the product) and spills (15 GFLOP/s), and
// 2×12 only matched 4×8, so the deterministic kernel keeps 4×8 for small n.

// The fused Linear epilogue's bias, pre and relu are applied in the store of each tile after the
// k loop (../_lib/gemm-store.ts); gelu runs over the block afterwards (see there). The loops with
// the epilogue are a wasm function of their own, as in ./_4x8.ts.
import { f32_biasact_scalar } from '../f32-biasact/scalar';
import { f32_biasact_wasmsimd } from '../f32-biasact/wasmsimd';
import { epilogue4, ptrAt } from '../_lib/gemm-store';

/**
 * C[0..n) ← alpha·(x0, x1, x2) + beta·C for n ≤ 12: whole vectors, the partial one via tmp lane by
 * lane; then with epi (constant) the epilogue: bias and pre at the row's first column, relu.
 */
@inline
function storeRow12(c: usize, n: i32, x0: v128, x1: v128, x2: v128, alpha: f32, beta: f32, tmp: usize,
                    epi: bool, bias: usize, relu: bool, pre: usize): void {
  const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
  for (let v = 0; v * 4 < n; v++) {
    const at = c + (<usize>v << 4), vBias = ptrAt(bias, <usize>v << 4), vPre = ptrAt(pre, <usize>v << 4);
    let y = f32x4.mul(va, v == 0 ? x0 : v == 1 ? x1 : x2);
    if (n - v * 4 >= 4) {
      if (beta != 0) y = f32x4.add(y, f32x4.mul(vb, v128.load(at)));
      v128.store(at, epi ? epilogue4(y, vBias, relu, vPre) : y);
    } else {
      // same roundings as the whole-vector store: alpha·acc, then + beta·C, then the epilogue
      v128.store(tmp, y);
      for (let q = 0; q < n - v * 4; q++) {
        const src = load<f32>(tmp + (<usize>q << 2)), dst = at + (<usize>q << 2);
        store<f32>(dst, beta == 0 ? src : src + beta * load<f32>(dst));
      }
      if (epi) f32_biasact_scalar(1, n - v * 4, at, 0, vBias, relu ? 1 : 0, vPre);
    }
  }
}

/** One 3×12 tile (mr ≤ 3 rows stored) over kc; a0..a2 row pointers, the rest as in the kernel. */
@inline
function tile3x12(mr: i32, nc: i32, kc: i32, a0: usize, a1: usize, a2: usize, kBytes: usize, pb: usize, c: usize,
                  ldcBytes: usize, alpha: f32, beta: f32, tmp: usize, epi: bool, bias: usize, relu: bool, pre: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c12 = f32x4.splat(0), c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  let b = pb, off: usize = 0;
  let left = kc; // bottom-tested k loop, as in ./5x8-wasmrelaxedsimd.ts
  if (left > 0) do {
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32);
    const x0 = v128.load32_splat(a0 + off), x1 = v128.load32_splat(a1 + off), x2 = v128.load32_splat(a2 + off);
    c00 = f32x4.relaxed_madd(x0, b0, c00); c01 = f32x4.relaxed_madd(x0, b1, c01); c02 = f32x4.relaxed_madd(x0, b2, c02);
    c10 = f32x4.relaxed_madd(x1, b0, c10); c11 = f32x4.relaxed_madd(x1, b1, c11); c12 = f32x4.relaxed_madd(x1, b2, c12);
    c20 = f32x4.relaxed_madd(x2, b0, c20); c21 = f32x4.relaxed_madd(x2, b1, c21); c22 = f32x4.relaxed_madd(x2, b2, c22);
    off += kBytes; b += 48;
  } while (--left > 0);
  storeRow12(c, nc, c00, c01, c02, alpha, beta, tmp, epi, bias, relu, pre);
  if (mr > 1) storeRow12(c + ldcBytes, nc, c10, c11, c12, alpha, beta, tmp, epi, bias, relu, ptrAt(pre, ldcBytes));
  if (mr > 2) storeRow12(c + 2 * ldcBytes, nc, c20, c21, c22, alpha, beta, tmp, epi, bias, relu, ptrAt(pre, 2 * ldcBytes));
}

/**
 * C[mc×nc] ← act(alpha·A·B̃ + beta·C + bias) for nc ≤ 12, kc deep. A read in place: element (i, p)
 * at a + (i·aRow + p·aK)·4 (strides in ELEMENTS; rows past mc in the last tile alias row mc−1, so
 * nothing outside A is read). pb: B packed by x32_packb with w = 12 (one kc×12 panel). c: byte
 * pointer, row stride ldc ELEMENTS, column stride 1; tmp: 16 bytes, 16-byte aligned. beta = 0 never
 * reads C; only C's mc×nc block is written. Each C element is Σ_p in order p = 0..kc-1 by
 * relaxed_madd, then alpha·acc + beta·C: the same operations as f32_gemm_4x8_wasmrelaxedsimd, so
 * the same bits on one machine. Epilogue (bias, act, pre) as in f32_gemm_5x8_wasmrelaxedsimd.
 */
export function f32_gemm_3x12_wasmrelaxedsimd(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, pb: usize, c: usize,
                                             ldc: i32, alpha: f32, beta: f32, tmp: usize, bias: usize, act: i32, pre: usize): void {
  if (bias == 0 && act != 1 && pre == 0) rows3x12(mc, nc, kc, a, aRow, aK, pb, c, ldc, alpha, beta, tmp, 0, false, 0, false);
  else epilogue3x12(mc, nc, kc, a, aRow, aK, pb, c, ldc, alpha, beta, tmp, bias, act == 1, pre);
  if (act == 2) f32_biasact_wasmsimd(mc, nc, c, ldc, 0, 2, 0);
}

function epilogue3x12(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, pb: usize, c: usize,
                      ldc: i32, alpha: f32, beta: f32, tmp: usize, bias: usize, relu: bool, pre: usize): void {
  rows3x12(mc, nc, kc, a, aRow, aK, pb, c, ldc, alpha, beta, tmp, bias, relu, pre, true);
}

/** The kernel's loop over 3-row tiles; epi (constant): through the store's epilogue (bias, pre, relu). */
@inline
function rows3x12(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, pb: usize, c: usize, ldc: i32,
                  alpha: f32, beta: f32, tmp: usize, bias: usize, relu: bool, pre: usize, epi: bool): void {
  const ldcBytes = <usize>ldc << 2, rowBytes = <usize>aRow << 2, kBytes = <usize>aK << 2;
  for (let i = 0; i < mc; i += 3) {
    const mr = min(3, mc - i);
    const a0 = a + <usize>i * rowBytes;
    const a1 = a0 + <usize>min(1, mr - 1) * rowBytes, a2 = a0 + <usize>min(2, mr - 1) * rowBytes;
    const ct = c + <usize>i * ldcBytes;
    tile3x12(mr, nc, kc, a0, a1, a2, kBytes, pb, ct, ldcBytes, alpha, beta, tmp, epi, bias, relu, epi ? ptrAt(pre, ct - c) : 0);
  }
}
