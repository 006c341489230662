// f32-fp8-vcvt, 128-bit SIMD: 16 elements a step (narrowing stochastically 32) (lane recipes in _lib/minifloat-simd.ts).
import { narrowFp8, widenFp8 } from './_dispatch';

/** Same contract as f32_fp8_vcvt_scalar and bit-identical to it. */
export function f32_fp8_vcvt_wasmsimd(format: i32, sat: i32, n: i32, x: usize, y: usize, stochastic: i32,
                                      c0: u32, c1: u32, k0: u32, k1: u32): void {
  narrowFp8(true, format, sat, n, x, y, stochastic, c0, c1, k0, k1);
}

/** Same contract as fp8_f32_vcvt_scalar and bit-identical to it. */
export function fp8_f32_vcvt_wasmsimd(format: i32, n: i32, x: usize, y: usize): void {
  widenFp8(true, format, n, x, y);
}
