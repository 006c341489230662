// f32-vbinary, 128-bit SIMD (4 lanes): contiguous, scalar-broadcast and row-broadcast rows for every
// op but pow, comparisons included; see _lib/binary-simd.ts.
import { binarySimdND } from '../_lib/binary-simd';

/**
 * Same contract as f32_vbinary_scalar (N-d strided META operands a, b, out; elements; f32, 4-byte
 * aligned; comparisons write i32) and bit-identical to it. In place (out == a or b, same layout) is fine.
 */
export function f32_vbinary_wasmsimd(op: i32, meta: usize, a: usize, b: usize, out: usize): void {
  binarySimdND<f32>(op, meta, a, b, out);
}
