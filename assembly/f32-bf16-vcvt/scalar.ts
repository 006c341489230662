// f32-bf16-vcvt, portable scalar loops: the readable ground truth (rounding rules: _lib/minifloat.ts).
import { FMT_BF16 } from '../_lib/minifloat';
import { narrowScalar, widenScalar } from '../_lib/vcvt';

/**
 * y[i] = bf16 bits of x[i], i < n; x: f32 (4-byte aligned), y: u16 (2-byte aligned), contiguous byte
 * pointers, not overlapping. stochastic = 0: round to nearest even (bit-exact with PyTorch's
 * round_to_nearest_even); 1: stochastic rounding with Philox words from block (c0 + c1·2^32) under
 * key (k0, k1). Overflow → ±Inf, NaN → 0x7FC0.
 */
export function f32_bf16_vcvt_scalar(n: i32, x: usize, y: usize, stochastic: i32, c0: u32, c1: u32, k0: u32, k1: u32): void {
  if (stochastic) narrowScalar(FMT_BF16, false, true, 0, n, x, y, c0, c1, k0, k1);
  else narrowScalar(FMT_BF16, false, false, 0, n, x, y, 0, 0, 0, 0);
}

/** y[i] = f32 value of bf16 bits x[i] (bits << 16, exact); x: u16, y: f32, contiguous. */
export function bf16_f32_vcvt_scalar(n: i32, x: usize, y: usize): void {
  widenScalar(FMT_BF16, 0, n, x, y);
}
