// s32-scatteradd, portable scalar loop: the readable ground truth for this family (see assembly/_lib/select.ts).
import { scatterAddND } from '../_lib/select';

/** As f32_scatteradd_scalar on i32 (wrapping). */
export function s32_scatteradd_scalar(meta: usize, dimStride: i32, dimSize: i32, target: usize, index: usize, src: usize): i32 {
  return scatterAddND<i32>(meta, dimStride, dimSize, target, index, src);
}
