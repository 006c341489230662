// The GEMM store epilogues shared by the f32 and f64 macro-kernels: a tile row of two vectors
// written as alpha·acc (+ beta·C), and an edge tile copied from its scratch onto the valid mr×nr
// part of C. T is f32 or f64; C is never read when beta = 0. f32 tiles may also apply the fused
// Linear epilogue's bias add, pre-activation copy and relu to the row while it is in registers.
import { geluF32 } from './geluf';

/** p + off, or 0 where p is 0 (no such operand). */
@inline
export function ptrAt(p: usize, off: usize): usize {
  return p == 0 ? 0 : p + off;
}

/**
 * The f32 GEMM epilogue on one vector y of C (4 columns): y + bias[0..4) (bias ≠ 0), stored at
 * pre (≠ 0), then relu as x < 0 ? 0 : x (NaN and -0 pass through): the bits of the f32 add, then
 * the unary relu. gelu is not applied here: the kernels run it over their block after the last
 * tile (f32_biasact_wasmsimd). In the store its out-of-line tail calls clobber every register, so
 * the tile's other rows spill around each call: on a 128×256 block, kc 196 (CPU time, interleaved
 * medians) bias + gelu in the store took 2% (5×8 FMA) to 4–7% (4×8) longer than a separate bias +
 * gelu pass; bias in the store and gelu over the block after it, the same time as that pass.
 */
@inline
export function epilogue4(y: v128, bias: usize, relu: bool, pre: usize): v128 {
  let x = y;
  if (bias != 0) x = f32x4.add(x, v128.load(bias));
  if (pre != 0) v128.store(pre, x);
  if (relu) x = v128.bitselect(f32x4.splat(0), x, f32x4.lt(x, f32x4.splat(0)));
  return x;
}

/**
 * The f32 GEMM epilogue on one element x of C, stored at dst: x + bias[0] (bias ≠ 0), stored at
 * pre (≠ 0), then act (1: relu as x < 0 ? 0 : x, NaN and -0 passing; 2: geluF32): epilogue4's
 * bits lane by lane, and the unary kernels' for the activation.
 */
@inline
export function epilogue1(dst: usize, x: f32, bias: usize, act: i32, pre: usize): void {
  if (bias != 0) x += load<f32>(bias);
  if (pre != 0) store<f32>(pre, x);
  if (act == 1) x = x < 0 ? <f32>0.0 : x;
  else if (act == 2) x = geluF32(x);
  store<f32>(dst, x);
}

/**
 * C[0..2 vectors) ← alpha·(x0, x1) + beta·C, then, where the constant `epi` is set (f32 only), the
 * epilogue with bias and pre pointing at this row's first column (0: none) and relu. epi = false
 * compiles to the plain store; scaled = false (constant, for alpha = 1) leaves out the multiply,
 * whose result would be x itself.
 */
@inline
export function storeRow<T>(c: usize, x0: v128, x1: v128, alpha: T, beta: T,
                            epi: bool = false, bias: usize = 0, relu: bool = false, pre: usize = 0, scaled: bool = true): void {
  const va = v128.splat<T>(alpha);
  let y0 = scaled ? v128.mul<T>(va, x0) : x0, y1 = scaled ? v128.mul<T>(va, x1) : x1;
  if (beta != 0) {
    const vb = v128.splat<T>(beta);
    y0 = v128.add<T>(y0, v128.mul<T>(vb, v128.load(c)));
    y1 = v128.add<T>(y1, v128.mul<T>(vb, v128.load(c, 16)));
  }
  if (epi) {
    y0 = epilogue4(y0, bias, relu, pre);
    y1 = epilogue4(y1, ptrAt(bias, 16), relu, ptrAt(pre, 16));
  }
  v128.store(c, y0); v128.store(c, y1, 16);
}

/** C[r, q] ← tmp[r, q] (+ beta·C[r, q]) for r < mr, q < nr; tmp rows are `tmpCols` elements. */
@inline
export function storeEdge<T>(tmp: usize, tmpCols: i32, c: usize, ldcBytes: usize, mr: i32, nr: i32, beta: T): void {
  for (let r = 0; r < mr; r++) {
    for (let q = 0; q < nr; q++) {
      const src = load<T>(tmp + ((<usize>(r * tmpCols + q)) << alignof<T>()));
      const dst = c + <usize>r * ldcBytes + (<usize>q << alignof<T>());
      store<T>(dst, beta == 0 ? src : src + beta * load<T>(dst));
    }
  }
}
