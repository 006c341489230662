// x64-gather, portable scalar loop: the readable ground truth for this family (see assembly/_lib/select.ts).
import { gatherND } from '../_lib/select';

/** As x32_gather_scalar on 64-bit elements. */
export function x64_gather_scalar(dimStride: i32, dimSize: i32, meta: usize, x: usize, index: usize, out: usize): i32 {
  return gatherND<u64>(meta, dimStride, dimSize, x, index, out);
}
