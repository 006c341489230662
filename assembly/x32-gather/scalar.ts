// x32-gather, portable scalar loop: the readable ground truth for this family (see assembly/_lib/select.ts).
import { gatherND } from '../_lib/select';

/**
 * out[i] = x[base_x(i) + index[i]·dimStride] on 32-bit elements, N-d over out's shape (META operands
 * x with stride 0 on dim, index (i32), out; strides and dimStride in elements). Returns -1, or the
 * row-major position of the first index outside [0, dimSize) without writing anything.
 */
export function x32_gather_scalar(meta: usize, dimStride: i32, dimSize: i32, x: usize, index: usize, out: usize): i32 {
  return gatherND<u32>(meta, dimStride, dimSize, x, index, out);
}
