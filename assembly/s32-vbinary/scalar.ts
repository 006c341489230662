// s32-vbinary, portable scalar loop: the readable ground truth for this family (see assembly/_lib/binary.ts).
import { binaryND } from '../_lib/binary';

/** As f32_vbinary_scalar on i32: wrapping arithmetic, pow by squaring, div never traps. */
export function s32_vbinary_scalar(op: i32, meta: usize, a: usize, b: usize, out: usize): void {
  binaryND<i32>(op, meta, a, b, out);
}
