// Newton–Schulz helpers (the products themselves run on the GEMM driver, see
// ts/optim/newton-schulz.ts): Frobenius sum of squares, scaled copy, and the mirror that completes
// a symmetric matrix of which only the upper triangle was computed. Scalar ground truth for the
// SIMD variants in wasmsimd.ts.

/** Σ x[i]² over n f32 elements, accumulated in f64 in index order. x: byte pointer, 4-byte aligned. */
export function f32_ns5_sumsq_scalar(n: i32, x: usize): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    acc += v * v;
  }
  return acc;
}

/** dst[i] = src[i]·s (f32 multiply, one rounding) over n elements; src and dst may be the same array. */
export function f32_ns5_scale_scalar(n: i32, src: usize, dst: usize, s: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o) * s);
  }
}

/**
 * Completes a symmetric n×n row-major f32 matrix from its upper triangle, over one region:
 * a[j][i] ← a[i][j] for rows i in [r0, r1), columns j in [c0, c1), j > i. The whole matrix is
 * (0, n, 0, n); disjoint regions write disjoint elements, so pool threads mirror their own parts.
 */
export function f32_ns5_mirror_scalar(n: i32, a: usize, r0: i32, r1: i32, c0: i32, c1: i32): void {
  for (let i = r0; i < r1; i++) {
    for (let j = max(c0, i + 1); j < c1; j++) {
      store<f32>(a + ((<usize>j * <usize>n + <usize>i) << 2), load<f32>(a + ((<usize>i * <usize>n + <usize>j) << 2)));
    }
  }
}
