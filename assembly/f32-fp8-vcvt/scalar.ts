// f32-fp8-vcvt, portable scalar loops: the readable ground truth (rounding rules: _lib/minifloat.ts).
import { narrowFp8, widenFp8 } from './_dispatch';

/**
 * y[i] = fp8 bits of x[i], i < n; format 0 = e4m3 (max 448, no Inf), 1 = e5m2 (max 57344).
 * x: f32 (4-byte aligned), y: u8, contiguous byte pointers, not overlapping. sat = 1: overflow and
 * ±Inf → ±max finite; sat = 0: overflow → NaN (e4m3) or ±Inf (e5m2). stochastic = 0: round to
 * nearest even; 1: stochastic rounding with Philox words from block (c0 + c1·2^32), key (k0, k1).
 * NaN → S.1111.111 (e4m3) or S.11111.10 (e5m2).
 */
export function f32_fp8_vcvt_scalar(format: i32, sat: i32, n: i32, x: usize, y: usize, stochastic: i32,
                                    c0: u32, c1: u32, k0: u32, k1: u32): void {
  narrowFp8(false, format, sat, n, x, y, stochastic, c0, c1, k0, k1);
}

/** y[i] = f32 value of fp8 bits x[i] (format as above), exact; x: u8, y: f32, contiguous. */
export function fp8_f32_vcvt_scalar(format: i32, n: i32, x: usize, y: usize): void {
  widenFp8(false, format, n, x, y);
}
