// f64-vunary, portable scalar loop: the readable ground truth for this family (see assembly/_lib/unary.ts).
import { unaryND } from '../_lib/unary';

/** As f32_vunary_scalar on f64 (std Math, erfc-based gelu; ~1 ulp). */
export function f64_vunary_scalar(op: i32, meta: usize, x: usize, out: usize): void {
  unaryND<f64>(op, meta, x, out);
}
