// SIMD128 fused Adam/AdamW update with bf16 moments: widening, the f32-adam update and the
// stochastic narrowing all run four or eight lanes at a time; bit-identical to the scalar twin.
import { adamBf16, adamBf16Multi } from './_chunks';

/** Same contract as f32_adam_bf16state_scalar (see there). */
export function f32_adam_bf16state_wasmsimd(n: i32, p: usize, g: usize, m: usize, v: usize, scratch: usize,
                                            beta1: f32, beta2: f32, eps: f32, stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32,
                                            flags: i32, mc0: u32, mc1: u32, vc0: u32, vc1: u32, k0: u32, k1: u32): void {
  adamBf16(true, n, p, g, m, v, scratch, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags,
    mc0, mc1, vc0, vc1, k0, k1);
}

/** Same contract as f32_adam_bf16state_multi_scalar. */
export function f32_adam_bf16state_multi_wasmsimd(count: i32, table: usize, scratch: usize, beta1: f32, beta2: f32, eps: f32,
                                                  stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32, flags: i32, k0: u32, k1: u32): void {
  adamBf16Multi(f32_adam_bf16state_wasmsimd, count, table, scratch, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags, k0, k1);
}
