// x64-where, portable scalar loop: the readable ground truth for this family (see assembly/_lib/select.ts).
import { whereND } from '../_lib/select';

/** As x32_where_scalar on 64-bit elements (f64), 8-byte aligned. */
export function x64_where_scalar(meta: usize, cond: usize, a: usize, b: usize, out: usize): void {
  whereND<u64>(meta, cond, a, b, out);
}
