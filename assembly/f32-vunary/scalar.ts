// f32-vunary, portable scalar loop: the readable ground truth for this family (see assembly/_lib/unary.ts).
import { unaryND } from '../_lib/unary';

/**
 * out[i] = op(x[i]) for op = U_* in _lib/ops.ts over an N-d strided iteration (META operands x, out;
 * strides in elements). f32, 4-byte aligned; in place allowed when x and out are the same view.
 * Accuracy (ulp of the exact result): exact ops exact; exp ≲ 2, log ≲ 2, sigmoid, silu, tanh, log1p
 * ≲ 4, gelu ≲ 3 (f32 algorithms in _lib, shared with the SIMD kernel); others evaluated in f64 and
 * rounded once (≲ 1).
 */
export function f32_vunary_scalar(op: i32, meta: usize, x: usize, out: usize): void {
  unaryND<f32>(op, meta, x, out);
}
