// s32-vbinary, 128-bit SIMD (4 lanes): contiguous and broadcast rows of wrapping add, sub, mul,
// maximum, minimum and the comparisons; pow and div stay scalar; see _lib/binary-simd.ts.
import { binarySimdND } from '../_lib/binary-simd';

/** Same contract as s32_vbinary_scalar and bit-identical to it. */
export function s32_vbinary_wasmsimd(op: i32, meta: usize, a: usize, b: usize, out: usize): void {
  binarySimdND<i32>(op, meta, a, b, out);
}
