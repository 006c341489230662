// Scalar twin of the fused SGD-momentum update with a bf16 buffer: the readable ground truth the
// SIMD variant is tested against (bit-identical).
import { sgdBf16, sgdBf16Multi } from './_chunks';

/**
 * One SGD step over n elements: p, g f32; buf bf16 bits (u16, 2-byte aligned), in place. The update
 * is f32_sgd_scalar's (same scalars and flags, see there) on the widened buffer; buf is written back
 * with stochastic rounding, element i drawing word i & 3 of Philox block (bc0 + bc1·2^32) + (i >> 2)
 * under key (k0, k1). scratch: 4 KiB (1024 f32), 4-byte aligned.
 */
export function f32_sgd_bf16state_scalar(n: i32, p: usize, g: usize, buf: usize, scratch: usize, lr: f32, momentum: f32,
                                         dampening: f32, wd: f32, flags: i32, bc0: u32, bc1: u32, k0: u32, k1: u32): void {
  sgdBf16(false, n, p, g, buf, scratch, lr, momentum, dampening, wd, flags, bc0, bc1, k0, k1);
}

/** Multi-tensor entry: count records of six u32 [n, p, g, buf, bc0, bc1] (byte pointers and Philox block counters). */
export function f32_sgd_bf16state_multi_scalar(count: i32, table: usize, scratch: usize, lr: f32, momentum: f32, dampening: f32,
                                               wd: f32, flags: i32, k0: u32, k1: u32): void {
  sgdBf16Multi(f32_sgd_bf16state_scalar, count, table, scratch, lr, momentum, dampening, wd, flags, k0, k1);
}
