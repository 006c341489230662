// s32-reduce, portable scalar loop: the readable ground truth for this family (see assembly/_lib/reduce.ts).
import { reduceND } from '../_lib/reduce';

/** As f32_reduce_scalar on i32 (sum/prod wrap modulo 2^32). */
export function s32_reduce_scalar(op: i32, meta: usize, x: usize, out: usize): void {
  reduceND<i32>(op, meta, x, out);
}
