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
 * Completes a symmetric n×n row-major f32 matrix in place: a[j][i] ← a[i][j] for every j > i (the
 * strict lower triangle is overwritten from the upper one). Walks 32×32 tiles so both the read
 * rows and the written columns stay in cache.
 */
export function f32_ns5_mirror_scalar(n: i32, a: usize): void {
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = min(i0 + T, n);
    for (let j0 = i0; j0 < n; j0 += T) {
      const j1 = min(j0 + T, n);
      for (let i = i0; i < i1; i++) {
        for (let j = max(j0, i + 1); j < j1; j++) {
          store<f32>(a + ((<usize>j * <usize>n + <usize>i) << 2), load<f32>(a + ((<usize>i * <usize>n + <usize>j) << 2)));
        }
      }
    }
  }
}
