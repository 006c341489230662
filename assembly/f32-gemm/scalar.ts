// Plain scalar twins of the f32 GEMM macro-kernels: the readable ground truth that the SIMD
// variants are tested against. 4×8: same layouts and rounding order, so bit-identical. 5×8, 3×12: same
// layouts and summation order, mul then add where the relaxed kernel may fuse (tested to the
// f32 error bound, not bit for bit). Each takes the SIMD kernels' epilogue (bias, act, pre) and
// runs it as f32_biasact_scalar over the finished block.
import { f32_biasact_scalar } from '../f32-biasact/scalar';

/**
 * Same contract as f32_gemm_4x8_wasmsimd (A through (aRow, aK, aPanel) strides, B packed with
 * w = 8): acc = Σ_{p=0..kc-1} a·b in order, f32 mul then add; result act(alpha·acc + beta·C + bias).
 */
export function f32_gemm_4x8_scalar(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, aPanel: i32,
                                    pb: usize, c: usize, ldc: i32, alpha: f32, beta: f32, tmp: usize,
                                    bias: usize, act: i32, pre: usize): void {
  for (let i = 0; i < mc; i++) {
    const ap = a + ((<usize>(i >> 2) * <usize>aPanel + <usize>(i & 3) * <usize>aRow) << 2);
    for (let j = 0; j < nc; j++) {
      const bp = pb + ((<usize>(j >> 3) * <usize>kc) << 5) + (<usize>(j & 7) << 2);
      let acc: f32 = 0;
      for (let p = 0; p < kc; p++) acc += load<f32>(ap + ((<usize>p * <usize>aK) << 2)) * load<f32>(bp + (<usize>p << 5));
      const dst = c + ((<usize>i * <usize>ldc + <usize>j) << 2);
      store<f32>(dst, beta == 0 ? alpha * acc : alpha * acc + beta * load<f32>(dst));
    }
  }
  if (bias != 0 || act != 0 || pre != 0) f32_biasact_scalar(mc, nc, c, ldc, bias, act, pre);
}

/**
 * Same contract as f32_gemm_5x8_wasmrelaxedsimd (A packed with w = 5, B with w = 8), unfused:
 * acc = Σ_{p=0..kc-1} a·b in order, f32 mul then add; result act(alpha·acc + beta·C + bias).
 */
export function f32_gemm_5x8_scalar(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32,
                                    alpha: f32, beta: f32, tmp: usize, bias: usize, act: i32, pre: usize): void {
  for (let i = 0; i < mc; i++) {
    const ap = pa + ((<usize>(i / 5) * <usize>kc * 5 + <usize>(i % 5)) << 2);
    for (let j = 0; j < nc; j++) {
      const bp = pb + ((<usize>(j >> 3) * <usize>kc) << 5) + (<usize>(j & 7) << 2);
      let acc: f32 = 0;
      for (let p = 0; p < kc; p++) acc += load<f32>(ap + <usize>p * 20) * load<f32>(bp + (<usize>p << 5));
      const dst = c + ((<usize>i * <usize>ldc + <usize>j) << 2);
      store<f32>(dst, beta == 0 ? alpha * acc : alpha * acc + beta * load<f32>(dst));
    }
  }
  if (bias != 0 || act != 0 || pre != 0) f32_biasact_scalar(mc, nc, c, ldc, bias, act, pre);
}

/**
 * Same contract as f32_gemm_3x12_wasmrelaxedsimd (A in place through (aRow, aK) strides, B packed
 * with w = 12), unfused: acc = Σ_{p=0..kc-1} a·b in order, f32 mul then add; act(alpha·acc + beta·C + bias).
 */
export function f32_gemm_3x12_scalar(mc: i32, nc: i32, kc: i32, a: usize, aRow: i32, aK: i32, pb: usize, c: usize,
                                     ldc: i32, alpha: f32, beta: f32, tmp: usize, bias: usize, act: i32, pre: usize): void {
  for (let i = 0; i < mc; i++) {
    const ap = a + ((<usize>i * <usize>aRow) << 2);
    for (let j = 0; j < nc; j++) {
      let acc: f32 = 0;
      for (let p = 0; p < kc; p++) acc += load<f32>(ap + ((<usize>p * <usize>aK) << 2)) * load<f32>(pb + <usize>(p * 12 + j) * 4);
      const dst = c + ((<usize>i * <usize>ldc + <usize>j) << 2);
      store<f32>(dst, beta == 0 ? alpha * acc : alpha * acc + beta * load<f32>(dst));
    }
  }
  if (bias != 0 || act != 0 || pre != 0) f32_biasact_scalar(mc, nc, c, ldc, bias, act, pre);
}
