// SIMD128 fused SGD-momentum update with a bf16 buffer; bit-identical to the scalar twin.
import { sgdBf16, sgdBf16Multi } from './_chunks';

/** Same contract as f32_sgd_bf16state_scalar (see there). */
export function f32_sgd_bf16state_wasmsimd(n: i32, p: usize, g: usize, buf: usize, scratch: usize, lr: f32, momentum: f32,
                                           dampening: f32, wd: f32, flags: i32, bc0: u32, bc1: u32, k0: u32, k1: u32): void {
  sgdBf16(true, n, p, g, buf, scratch, lr, momentum, dampening, wd, flags, bc0, bc1, k0, k1);
}

/** Same contract as f32_sgd_bf16state_multi_scalar. */
export function f32_sgd_bf16state_multi_wasmsimd(count: i32, table: usize, scratch: usize, lr: f32, momentum: f32, dampening: f32,
                                                 wd: f32, flags: i32, k0: u32, k1: u32): void {
  sgdBf16Multi(f32_sgd_bf16state_wasmsimd, count, table, scratch, lr, momentum, dampening, wd, flags, k0, k1);
}
