// Plain scalar twin of the f64 4×4 GEMM macro-kernel: readable ground truth, bit-identical.

/** Same contract as f64_gemm_4x4_wasmsimd (A and B packed with w = 4). */
export function f64_gemm_4x4_scalar(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize,
                                    ldc: i32, alpha: f64, beta: f64, tmp: usize): void {
  for (let i = 0; i < mc; i++) {
    const ap = pa + ((<usize>(i >> 2) * <usize>kc) << 5) + (<usize>(i & 3) << 3);
    for (let j = 0; j < nc; j++) {
      const bp = pb + ((<usize>(j >> 2) * <usize>kc) << 5) + (<usize>(j & 3) << 3);
      let acc: f64 = 0;
      for (let p = 0; p < kc; p++) acc += load<f64>(ap + (<usize>p << 5)) * load<f64>(bp + (<usize>p << 5));
      const dst = c + ((<usize>i * <usize>ldc + <usize>j) << 3);
      store<f64>(dst, beta == 0 ? alpha * acc : alpha * acc + beta * load<f64>(dst));
    }
  }
}
