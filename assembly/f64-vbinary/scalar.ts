// f64-vbinary, portable scalar loop: the readable ground truth for this family (see assembly/_lib/binary.ts).
import { binaryND } from '../_lib/binary';

/** As f32_vbinary_scalar on f64 (8-byte aligned); pow via std Math.pow. */
export function f64_vbinary_scalar(op: i32, meta: usize, a: usize, b: usize, out: usize): void {
  binaryND<f64>(op, meta, a, b, out);
}
