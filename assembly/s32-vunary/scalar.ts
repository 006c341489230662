// s32-vunary, portable scalar loop: the readable ground truth for this family (see assembly/_lib/unary.ts).
import { unaryND } from '../_lib/unary';

/** As f32_vunary_scalar on i32 for neg, abs, sign, square, relu (wrapping); the host sends no other op. */
export function s32_vunary_scalar(op: i32, meta: usize, x: usize, out: usize): void {
  unaryND<i32>(op, meta, x, out);
}
