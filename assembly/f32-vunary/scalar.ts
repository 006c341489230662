// f32-vunary, portable scalar loop: the readable ground truth for this family (see assembly/_lib/unary.ts).
import { unaryND } from '../_lib/unary';

/**
 * out[i] = op(x[i]) for op = U_* in _lib/ops.ts over an N-d strided iteration (META operands x, out;
 * strides in elements). f32, 4-byte aligned; in place allowed when x and out are the same view.
 * Accuracy: exact ops exact; exp ≲ 2 ulp (expf32); others evaluated in f64 and rounded once.
 */
export function f32_vunary_scalar(op: i32, meta: usize, x: usize, out: usize): void {
  unaryND<f32>(op, meta, x, out);
}
