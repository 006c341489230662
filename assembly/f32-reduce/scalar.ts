// f32-reduce, portable scalar loop: the readable ground truth for this family (see assembly/_lib/reduce.ts).
import { reduceND } from '../_lib/reduce';

/**
 * Reduces each row of x (META: [outer dims..., reduced length], operand x; strides in elements)
 * into out[r] (contiguous; f32, or i32 indices for argmax/argmin). op = R_* in _lib/ops.ts.
 * Sequential order, f64 accumulation for sum/prod, NaN propagation as documented in _lib/reduce.ts.
 */
export function f32_reduce_scalar(op: i32, meta: usize, x: usize, out: usize): void {
  reduceND<f32>(op, meta, x, out);
}
