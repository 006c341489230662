// s32-vunary, 128-bit SIMD (4 lanes): contiguous rows of neg, abs, square, sign, relu (wrapping);
// see _lib/unary-simd.ts.
import { unarySimdND } from '../_lib/unary-simd';

/** Same contract as s32_vunary_scalar and bit-identical to it. */
export function s32_vunary_wasmsimd(op: i32, meta: usize, x: usize, out: usize): void {
  unarySimdND<i32>(op, meta, x, out);
}
