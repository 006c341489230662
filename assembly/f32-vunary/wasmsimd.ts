// f32-vunary, 128-bit SIMD (4 lanes): contiguous rows of every op but sin, cos and expm1, the
// transcendentals through the f32 algorithms shared with the scalar kernel; see _lib/unary-simd.ts.
import { unarySimdND } from '../_lib/unary-simd';

/**
 * Same contract and accuracy as f32_vunary_scalar (N-d strided META operands x, out; elements; f32,
 * 4-byte aligned; in place allowed) and bit-identical to it; fast when x and out rows are contiguous.
 */
export function f32_vunary_wasmsimd(op: i32, meta: usize, x: usize, out: usize): void {
  unarySimdND<f32>(op, meta, x, out);
}
