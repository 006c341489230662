// f32-bf16-vcvt, 128-bit SIMD: narrowing 16 elements a step (32 stochastic), widening 8 (lane recipes in _lib/minifloat-simd.ts).
import { FMT_BF16 } from '../_lib/minifloat';
import { narrowSimd, widenSimd } from '../_lib/vcvt';

/** Same contract as f32_bf16_vcvt_scalar and bit-identical to it. */
export function f32_bf16_vcvt_wasmsimd(n: i32, x: usize, y: usize, stochastic: i32, c0: u32, c1: u32, k0: u32, k1: u32): void {
  if (stochastic) narrowSimd(FMT_BF16, false, true, n, x, y, c0, c1, k0, k1);
  else narrowSimd(FMT_BF16, false, false, n, x, y, 0, 0, 0, 0);
}

/** Same contract as bf16_f32_vcvt_scalar and bit-identical to it. */
export function bf16_f32_vcvt_wasmsimd(n: i32, x: usize, y: usize): void {
  widenSimd(FMT_BF16, n, x, y);
}
