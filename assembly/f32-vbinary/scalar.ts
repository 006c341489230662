// f32-vbinary, portable scalar loop: the readable ground truth for this family (see assembly/_lib/binary.ts).
import { binaryND } from '../_lib/binary';

/**
 * out[i] = a[i] op b[i] for op = B_* in _lib/ops.ts over an N-d strided iteration (META in
 * _lib/nd.ts, operands a, b, out; strides in elements, 0 = broadcast). f32 in, f32 out (i32 0/1 for
 * comparisons). Pointers are byte addresses, 4-byte aligned; out must not partially overlap a or b.
 */
export function f32_vbinary_scalar(op: i32, meta: usize, a: usize, b: usize, out: usize): void {
  binaryND<f32>(op, meta, a, b, out);
}
