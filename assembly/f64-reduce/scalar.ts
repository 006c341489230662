// f64-reduce, portable scalar loop: the readable ground truth for this family (see assembly/_lib/reduce.ts).
import { reduceND } from '../_lib/reduce';

/** As f32_reduce_scalar on f64. */
export function f64_reduce_scalar(op: i32, meta: usize, x: usize, out: usize): void {
  reduceND<f64>(op, meta, x, out);
}
