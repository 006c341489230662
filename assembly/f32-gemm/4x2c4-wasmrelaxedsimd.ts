// f32 GEMM for narrow C (n ≤ 12) when both operands run along k in memory (A row-major, B column-
// major: x·Wᵀ, a Linear layer's forward), 4×2 register tile vectorised along k ("c4", as
// XNNPACK names its k-grouped kernels), relaxed SIMD f32x4.relaxed_madd.
//
// Why: the N-vectorised tiles waste lanes when n = 10 (4×8 computes 12 or 16 columns, 3×12
// computes 12) and need B packed. Here each C element is a dot product kept in one f32x4 of
// partial sums over k ≡ lane (mod 4), reduced once at the end: no packing, and every computed
// column is a real one for any even n. 4×2: 8 accumulators + 4 A + 2 B vectors = 14 live v128
// (V8 11.3 hoists a loop body's loads to its top, so all of them are live at once); 2×5 (17 live)
// spilled: 27 GFLOP/s at 128×256·256×10.
// The sums are in another order than the N-vectorised kernels' (lanes, then (l0 + l2) + (l1 + l3)),
// so the bits differ from theirs; the driver picks this kernel from the whole product's shape, so
// every part of a pooled product uses it (same bits on any thread count).
// A whole tile's 8 lane sums are reduced and stored as vectors (lanesum4, storeCols): the 48
// extracts and adds of lanesum cost 11–14% of the kernel's time at 128×256·256×10 (paired
// interleaved samples, Intel Xeon). Row quads are the outer loop, so a quad's 4 rows of A stay in
// L1 while every column pair runs over them (2–4% over column pairs outside).
import { epilogue1, epilogue4, ptrAt } from '../_lib/gemm-store';
import { geluf32x4 } from '../_lib/geluf';

/** The dot product of one lane-partial-sum vector: (l0 + l2) + (l1 + l3). */
@inline
function lanesum(x: v128): f32 {
  return (f32x4.extract_lane(x, 0) + f32x4.extract_lane(x, 2)) + (f32x4.extract_lane(x, 1) + f32x4.extract_lane(x, 3));
}

/**
 * lanesum of a, b, c and d as one vector, the same adds in the same order (l0 + l2) + (l1 + l3):
 * 6 shuffles and 3 vector adds instead of 12 lane extracts and 12 scalar adds.
 */
@inline
function lanesum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/** Rows 0..3 of a 4×2 block of C (row stride cRow bytes) ← columns x and y, one 8-byte store a row. */
@inline
function storeCols(c: usize, cRow: usize, x: v128, y: v128): void {
  const r01 = v128.shuffle<f32>(x, y, 0, 4, 1, 5), r23 = v128.shuffle<f32>(x, y, 2, 6, 3, 7);
  v128.store64_lane(c, r01, 0); v128.store64_lane(c + cRow, r01, 1);
  v128.store64_lane(c + 2 * cRow, r23, 0); v128.store64_lane(c + 3 * cRow, r23, 1);
}

/** Column q (0 or 1) of a 4×2 block of C as a vector of its 4 rows. */
@inline
function loadCol(c: usize, cRow: usize, q: i32): v128 {
  const r01 = v128.load64_lane(c + cRow, v128.load64_zero(c), 1);
  const r23 = v128.load64_lane(c + 3 * cRow, v128.load64_zero(c + 2 * cRow), 1);
  return q == 0 ? v128.shuffle<f32>(r01, r23, 0, 2, 4, 6) : v128.shuffle<f32>(r01, r23, 1, 3, 5, 7);
}

/** One column of a whole 4×2 tile up to its bias add: store1's and epilogue1's operations on its 4 rows at once (same bits). */
@inline
function epilogueCol(c: usize, cRow: usize, q: i32, x: v128, alpha: f32, beta: f32, bias: usize): v128 {
  let y = f32x4.mul(f32x4.splat(alpha), x);
  if (beta != 0) y = f32x4.add(y, f32x4.mul(f32x4.splat(beta), loadCol(c, cRow, q)));
  if (bias != 0) y = f32x4.add(y, v128.load32_splat(bias + (<usize>q << 2)));
  return y;
}

/** act of epilogueCol's column (after its copy to pre): epilogue4's relu, or gelu, as epilogue1. */
@inline
function activate(y: v128, act: i32): v128 {
  const x = epilogue4(y, 0, act == 1, 0);
  return act == 2 ? geluf32x4(x) : x;
}

/** C[0] ← epilogue(alpha·acc + beta·C[0]) (C not read if beta = 0), as the vector kernels store it. */
@inline
function store1(c: usize, x: v128, alpha: f32, beta: f32, bias: usize, act: i32, pre: usize): void {
  let y = alpha * lanesum(x);
  if (beta != 0) y += beta * load<f32>(c);
  epilogue1(c, y, bias, act, pre);
}

/** Stores one tile row's valid columns (nr ≤ 2) with the epilogue. */
@inline
function storeRow2(c: usize, nr: i32, x0: v128, x1: v128, alpha: f32, beta: f32, bias: usize, act: i32, pre: usize): void {
  store1(c, x0, alpha, beta, bias, act, pre);
  if (nr > 1) store1(c + 4, x1, alpha, beta, ptrAt(bias, 4), act, ptrAt(pre, 4));
}

/**
 * C[mc×nc] ← act(alpha·A·B + beta·C + bias) for kc ≥ 4. A(i, p) at a + (i·lda + p)·4, B(p, j) at
 * b + (j·ldb + p)·4 (strides in ELEMENTS); c: byte pointer, row stride ldc ELEMENTS; bias: byte
 * pointer to nc floats or 0; act: 0 none, 1 relu, 2 gelu; pre: 0, or a block laid out as C that
 * receives the value before act. beta = 0 never reads C. Lane l sums p ≡ l (mod 4) over the
 * whole vectors; a tail of t = kc mod 4 elements is added from one last vector at kc − 4 with its
 * first 4 − t lanes (already summed) zeroed in both operands. Edge rows and columns alias the last
 * valid one: nothing outside A, B or C is read or written.
 */
export function f32_gemm_4x2c4_wasmrelaxedsimd(mc: i32, nc: i32, kc: i32, a: usize, lda: i32, b: usize, ldb: i32,
                                              c: usize, ldc: i32, alpha: f32, beta: f32, bias: usize, act: i32, pre: usize): void {
  const aRow = <usize>lda << 2, bCol = <usize>ldb << 2, cRow = <usize>ldc << 2;
  const k4 = <usize>(kc & ~3) << 2, tail = kc & 3, last = <usize>(kc - 4) << 2;
  for (let i = 0; i < mc; i += 4) {
    const mr = min(4, mc - i);
    const a0 = a + <usize>i * aRow, a1 = a0 + <usize>min(1, mr - 1) * aRow;
    const a2 = a0 + <usize>min(2, mr - 1) * aRow, a3 = a0 + <usize>min(3, mr - 1) * aRow;
    for (let j = 0; j < nc; j += 2) {
      const nr = min(2, nc - j);
      const b0 = b + <usize>j * bCol, b1 = b0 + (nr > 1 ? bCol : 0);
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let p: usize = 0; // bottom-tested k loop, as in ./5x8-wasmrelaxedsimd.ts
      if (k4 > 0) do {
        const y0 = v128.load(b0 + p), y1 = v128.load(b1 + p);
        let x = v128.load(a0 + p);
        c00 = f32x4.relaxed_madd(x, y0, c00); c01 = f32x4.relaxed_madd(x, y1, c01);
        x = v128.load(a1 + p);
        c10 = f32x4.relaxed_madd(x, y0, c10); c11 = f32x4.relaxed_madd(x, y1, c11);
        x = v128.load(a2 + p);
        c20 = f32x4.relaxed_madd(x, y0, c20); c21 = f32x4.relaxed_madd(x, y1, c21);
        x = v128.load(a3 + p);
        c30 = f32x4.relaxed_madd(x, y0, c30); c31 = f32x4.relaxed_madd(x, y1, c31);
        p += 16;
      } while (p < k4);
      if (tail != 0) {
        const mask = i32x4.ge_s(v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0), i32x4.splat(4 - tail));
        const y0 = v128.and(v128.load(b0 + last), mask), y1 = v128.and(v128.load(b1 + last), mask);
        let x = v128.and(v128.load(a0 + last), mask);
        c00 = f32x4.relaxed_madd(x, y0, c00); c01 = f32x4.relaxed_madd(x, y1, c01);
        x = v128.and(v128.load(a1 + last), mask);
        c10 = f32x4.relaxed_madd(x, y0, c10); c11 = f32x4.relaxed_madd(x, y1, c11);
        x = v128.and(v128.load(a2 + last), mask);
        c20 = f32x4.relaxed_madd(x, y0, c20); c21 = f32x4.relaxed_madd(x, y1, c21);
        x = v128.and(v128.load(a3 + last), mask);
        c30 = f32x4.relaxed_madd(x, y0, c30); c31 = f32x4.relaxed_madd(x, y1, c31);
      }
      const tile = <usize>i * cRow + (<usize>j << 2), ct = c + tile, bj = ptrAt(bias, <usize>j << 2), pt = ptrAt(pre, tile);
      if (mr == 4 && nr == 2) {
        const y0 = epilogueCol(ct, cRow, 0, lanesum4(c00, c10, c20, c30), alpha, beta, bj);
        const y1 = epilogueCol(ct, cRow, 1, lanesum4(c01, c11, c21, c31), alpha, beta, bj);
        if (pt != 0) storeCols(pt, cRow, y0, y1);
        storeCols(ct, cRow, activate(y0, act), activate(y1, act));
        continue;
      }
      storeRow2(ct, nr, c00, c01, alpha, beta, bj, act, pt);
      if (mr > 1) storeRow2(ct + cRow, nr, c10, c11, alpha, beta, bj, act, ptrAt(pt, cRow));
      if (mr > 2) storeRow2(ct + 2 * cRow, nr, c20, c21, alpha, beta, bj, act, ptrAt(pt, 2 * cRow));
      if (mr > 3) storeRow2(ct + 3 * cRow, nr, c30, c31, alpha, beta, bj, act, ptrAt(pt, 3 * cRow));
    }
  }
}
