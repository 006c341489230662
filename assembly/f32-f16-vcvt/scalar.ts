// f32-f16-vcvt, portable scalar loops: the readable ground truth (rounding rules: _lib/minifloat.ts).
import { FMT_F16 } from '../_lib/minifloat';
import { narrowScalar, widenScalar } from '../_lib/vcvt';

/**
 * y[i] = f16 bits of x[i], i < n; x: f32 (4-byte aligned), y: u16 (2-byte aligned), contiguous byte
 * pointers, not overlapping. stochastic = 0: round to nearest even (bit-exact with PyTorch's
 * c10::Half); 1: stochastic rounding with Philox words from block (c0 + c1·2^32) under key (k0, k1).
 * Overflow → ±Inf, NaN → 0x7E00 | sign.
 */
export function f32_f16_vcvt_scalar(n: i32, x: usize, y: usize, stochastic: i32, c0: u32, c1: u32, k0: u32, k1: u32): void {
  if (stochastic) narrowScalar(FMT_F16, false, true, 0, n, x, y, c0, c1, k0, k1);
  else narrowScalar(FMT_F16, false, false, 0, n, x, y, 0, 0, 0, 0);
}

/** y[i] = f32 value of f16 bits x[i], exact (NaN payload kept); x: u16, y: f32, contiguous. */
export function f16_f32_vcvt_scalar(n: i32, x: usize, y: usize): void {
  widenScalar(FMT_F16, 0, n, x, y);
}
