// f64-vunary, 128-bit SIMD (2 lanes): contiguous rows of the exact ops (neg, abs, sqrt, rsqrt,
// reciprocal, square, sign, relu, floor, ceil, round); transcendentals stay on std Math in the
// scalar loop; see _lib/unary-simd.ts.
import { unarySimdND } from '../_lib/unary-simd';

/** Same contract as f64_vunary_scalar and bit-identical to it. */
export function f64_vunary_wasmsimd(op: i32, meta: usize, x: usize, out: usize): void {
  unarySimdND<f64>(op, meta, x, out);
}
