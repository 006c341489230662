// f64-vbinary, 128-bit SIMD (2 lanes): contiguous and broadcast rows of add, sub, mul, div, maximum,
// minimum; pow and comparisons stay scalar; see _lib/binary-simd.ts.
import { binarySimdND } from '../_lib/binary-simd';

/** Same contract as f64_vbinary_scalar (8-byte aligned) and bit-identical to it. */
export function f64_vbinary_wasmsimd(op: i32, meta: usize, a: usize, b: usize, out: usize): void {
  binarySimdND<f64>(op, meta, a, b, out);
}
