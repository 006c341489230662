// x32-gather, portable scalar loop: the readable ground truth for this family (see assembly/_lib/select.ts).
import { firstBadIndex, gatherND } from '../_lib/select';

/**
 * out[i] = x[base_x(i) + index[i]·dimStride] on 32-bit elements, N-d over out's shape (META operands
 * x with stride 0 on dim, index (i32), out; strides and dimStride in elements). Returns -1, or the
 * row-major position of the first index outside [0, dimSize) without writing anything. The scalars
 * come first, as the thread pool passes them to a part (ts/backend/wasm/elementwise-part.ts).
 */
export function x32_gather_scalar(dimStride: i32, dimSize: i32, meta: usize, x: usize, index: usize, out: usize): i32 {
  return gatherND<u32>(meta, dimStride, dimSize, x, index, out);
}

/**
 * The check of x32_gather_scalar alone (any element width: it reads only the index, META operand
 * 1): -1, or the row-major position of the first index outside [0, dimSize). A gather split over
 * the pool runs it first, so that a bad index leaves out untouched in every part.
 */
export function x32_gather_check_scalar(dimSize: i32, meta: usize, index: usize): i32 {
  return firstBadIndex(meta, index, dimSize);
}
