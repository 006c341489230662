// x32-where, portable scalar loop: the readable ground truth for this family (see assembly/_lib/select.ts).
import { whereND } from '../_lib/select';

/**
 * out[i] = cond[i] != 0 ? a[i] : b[i] on 32-bit elements (f32 or i32), N-d strided (META operands
 * cond, a, b, out; strides in elements, 0 = broadcast). cond is i32. 4-byte aligned.
 */
export function x32_where_scalar(meta: usize, cond: usize, a: usize, b: usize, out: usize): void {
  whereND<u32>(meta, cond, a, b, out);
}
