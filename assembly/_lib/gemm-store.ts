// The GEMM store epilogues shared by the f32 4×8 and f64 4×4 macro-kernels: a tile row of two
// vectors written as alpha·acc (+ beta·C), and an edge tile copied from its scratch onto the
// valid mr×nr part of C. T is f32 or f64; C is never read when beta = 0.

/** C[0..2 vectors) ← alpha·(x0, x1) + beta·C. */
@inline
export function storeRow<T>(c: usize, x0: v128, x1: v128, alpha: T, beta: T): void {
  const va = v128.splat<T>(alpha);
  if (beta == 0) {
    v128.store(c, v128.mul<T>(va, x0)); v128.store(c, v128.mul<T>(va, x1), 16);
  } else {
    const vb = v128.splat<T>(beta);
    v128.store(c, v128.add<T>(v128.mul<T>(va, x0), v128.mul<T>(vb, v128.load(c))));
    v128.store(c, v128.add<T>(v128.mul<T>(va, x1), v128.mul<T>(vb, v128.load(c, 16))), 16);
  }
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
