// f32-f16-vcvt, 128-bit SIMD: narrowing 16 elements a step (32 stochastic), widening 8 (lane recipes in _lib/minifloat-simd.ts).
import { FMT_F16 } from '../_lib/minifloat';
import { narrowSimd, widenSimd } from '../_lib/vcvt';

/** Same contract as f32_f16_vcvt_scalar and bit-identical to it. */
export function f32_f16_vcvt_wasmsimd(n: i32, x: usize, y: usize, stochastic: i32, c0: u32, c1: u32, k0: u32, k1: u32): void {
  if (stochastic) narrowSimd(FMT_F16, false, true, n, x, y, c0, c1, k0, k1);
  else narrowSimd(FMT_F16, false, false, n, x, y, 0, 0, 0, 0);
}

/** Same contract as f16_f32_vcvt_scalar and bit-identical to it. */
export function f16_f32_vcvt_wasmsimd(n: i32, x: usize, y: usize): void {
  widenSimd(FMT_F16, n, x, y);
}
