// SIMD128 fused Lion update with a bf16 momentum; bit-identical to the scalar twin.
import { lionBf16, lionBf16Multi } from './_chunks';

/** Same contract as f32_lion_bf16state_scalar (see there). */
export function f32_lion_bf16state_wasmsimd(n: i32, p: usize, g: usize, m: usize, scratch: usize, lr: f32, beta1: f32, beta2: f32,
                                            decay: f32, mc0: u32, mc1: u32, k0: u32, k1: u32): void {
  lionBf16(true, n, p, g, m, scratch, lr, beta1, beta2, decay, mc0, mc1, k0, k1);
}

/** Same contract as f32_lion_bf16state_multi_scalar. */
export function f32_lion_bf16state_multi_wasmsimd(count: i32, table: usize, scratch: usize, lr: f32, beta1: f32, beta2: f32,
                                                  decay: f32, k0: u32, k1: u32): void {
  lionBf16Multi(f32_lion_bf16state_wasmsimd, count, table, scratch, lr, beta1, beta2, decay, k0, k1);
}
