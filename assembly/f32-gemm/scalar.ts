// Plain scalar twins of the f32 GEMM macro-kernels: the readable ground truth that the SIMD
// variants are tested against. 4×8: same layouts and rounding order, so bit-identical. 5×8, 3×12,
// 4×2c4: same layouts and summation order, mul then add where the relaxed kernel may fuse (tested
// to the f32 error bound, not bit for bit). Each takes the SIMD kernels' epilogue (bias, act, pre)
// and runs it as f32_biasact_scalar over the finished block.
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
 * Same contract as f32_gemm_5x8_wasmrelaxedsimd (A packed with w = 5, B packed with w = 8 or in place), unfused:
 * acc = Σ_{p=0..kc-1} a·b in order, f32 mul then add; result act(alpha·acc + beta·C + bias).
 */
export function f32_gemm_5x8_scalar(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, bRow: i32, c: usize, ldc: i32,
                                    alpha: f32, beta: f32, tmp: usize, bias: usize, act: i32, pre: usize): void {
  const bK: usize = bRow == 0 ? 32 : <usize>bRow << 2;
  for (let i = 0; i < mc; i++) {
    const ap = pa + ((<usize>(i / 5) * <usize>kc * 5 + <usize>(i % 5)) << 2);
    for (let j = 0; j < nc; j++) {
      const bp = pb + (bRow == 0 ? ((<usize>(j >> 3) * <usize>kc) << 5) + (<usize>(j & 7) << 2) : <usize>j << 2);
      let acc: f32 = 0;
      for (let p = 0; p < kc; p++) acc += load<f32>(ap + <usize>p * 20) * load<f32>(bp + <usize>p * bK);
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

/**
 * Same contract as f32_gemm_4x2c4_wasmrelaxedsimd (A rows and B columns along k, the epilogue),
 * unfused: four lane sums s_l = Σ a·b over p = 4q + l < kc − kc mod 4 in order, then the tail
 * element kc − 4 + l added to s_l for the lanes l ≥ 4 − kc mod 4; acc = (s0 + s2) + (s1 + s3).
 */
export function f32_gemm_4x2c4_scalar(mc: i32, nc: i32, kc: i32, a: usize, lda: i32, b: usize, ldb: i32,
                                      c: usize, ldc: i32, alpha: f32, beta: f32, bias: usize, act: i32, pre: usize): void {
  const k4 = kc & ~3, tail = kc & 3;
  for (let i = 0; i < mc; i++) {
    const ap = a + ((<usize>i * <usize>lda) << 2);
    for (let j = 0; j < nc; j++) {
      const bp = b + ((<usize>j * <usize>ldb) << 2);
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      for (let p = 0; p < k4; p += 4) {
        const o = <usize>p << 2;
        s0 += load<f32>(ap + o) * load<f32>(bp + o); s1 += load<f32>(ap + o + 4) * load<f32>(bp + o + 4);
        s2 += load<f32>(ap + o + 8) * load<f32>(bp + o + 8); s3 += load<f32>(ap + o + 12) * load<f32>(bp + o + 12);
      }
      const o = <usize>(kc - 4) << 2;
      if (tail >= 3) s1 += load<f32>(ap + o + 4) * load<f32>(bp + o + 4);
      if (tail >= 2) s2 += load<f32>(ap + o + 8) * load<f32>(bp + o + 8);
      if (tail >= 1) s3 += load<f32>(ap + o + 12) * load<f32>(bp + o + 12);
      const acc = (s0 + s2) + (s1 + s3), dst = c + ((<usize>i * <usize>ldc + <usize>j) << 2);
      store<f32>(dst, beta == 0 ? alpha * acc : alpha * acc + beta * load<f32>(dst));
    }
  }
  if (bias != 0 || act != 0 || pre != 0) f32_biasact_scalar(mc, nc, c, ldc, bias, act, pre);
}
