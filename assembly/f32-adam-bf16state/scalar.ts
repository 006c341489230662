// Scalar twin of the fused Adam/AdamW update with bf16 moments: the readable ground truth the SIMD
// variant is tested against (bit-identical). AMSGrad is not covered (the host keeps it composed).
import { adamBf16, adamBf16Multi } from './_chunks';

/**
 * One Adam step over n elements: p, g f32; m, v bf16 bits (u16, 2-byte aligned), in place. The
 * update is f32_adam_scalar's (same scalars and flags, see there) on the widened moments; m and v
 * are written back with stochastic rounding, element i drawing word i & 3 of Philox block
 * (mc0 + mc1·2^32) + (i >> 2) (v: vc0, vc1) under key (k0, k1). scratch: 8 KiB (2 × 1024 f32), 4-byte aligned.
 */
export function f32_adam_bf16state_scalar(n: i32, p: usize, g: usize, m: usize, v: usize, scratch: usize,
                                          beta1: f32, beta2: f32, eps: f32, stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32,
                                          flags: i32, mc0: u32, mc1: u32, vc0: u32, vc1: u32, k0: u32, k1: u32): void {
  adamBf16(false, n, p, g, m, v, scratch, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags,
    mc0, mc1, vc0, vc1, k0, k1);
}

/**
 * Multi-tensor entry: `count` tensors sharing one param group's scalars. table: count records of
 * nine u32 [n, p, g, m, v, mc0, mc1, vc0, vc1] (byte pointers and Philox block counters).
 */
export function f32_adam_bf16state_multi_scalar(count: i32, table: usize, scratch: usize, beta1: f32, beta2: f32, eps: f32,
                                                stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32, flags: i32, k0: u32, k1: u32): void {
  adamBf16Multi(f32_adam_bf16state_scalar, count, table, scratch, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags, k0, k1);
}
