// Scalar twin of the fused Lion update with a bf16 momentum: the readable ground truth the SIMD
// variant is tested against (bit-identical).
import { lionBf16, lionBf16Multi } from './_chunks';

/**
 * One Lion step over n elements: p, g f32; m bf16 bits (u16, 2-byte aligned), in place. The update
 * is f32_lion_scalar's (same scalars, see there) on the widened m; m is written back with
 * stochastic rounding, element i drawing word i & 3 of Philox block (mc0 + mc1·2^32) + (i >> 2)
 * under key (k0, k1). scratch: 4 KiB (1024 f32), 4-byte aligned.
 */
export function f32_lion_bf16state_scalar(n: i32, p: usize, g: usize, m: usize, scratch: usize, lr: f32, beta1: f32, beta2: f32,
                                          decay: f32, mc0: u32, mc1: u32, k0: u32, k1: u32): void {
  lionBf16(false, n, p, g, m, scratch, lr, beta1, beta2, decay, mc0, mc1, k0, k1);
}

/** Multi-tensor entry: count records of six u32 [n, p, g, m, mc0, mc1] (byte pointers and Philox block counters). */
export function f32_lion_bf16state_multi_scalar(count: i32, table: usize, scratch: usize, lr: f32, beta1: f32, beta2: f32,
                                                decay: f32, k0: u32, k1: u32): void {
  lionBf16Multi(f32_lion_bf16state_scalar, count, table, scratch, lr, beta1, beta2, decay, k0, k1);
}
