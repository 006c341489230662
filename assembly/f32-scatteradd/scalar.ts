// f32-scatteradd, portable scalar loop: the readable ground truth for this family (see assembly/_lib/select.ts).
import { scatterAddND } from '../_lib/select';

/**
 * target[base_t(i) + index[i]·dimStride] += src[i] in row-major order of i (deterministic), N-d
 * over src's shape (META operands target with stride 0 on dim, index (i32), src; elements). In place.
 */
export function f32_scatteradd_scalar(meta: usize, dimStride: i32, target: usize, index: usize, src: usize): void {
  scatterAddND<f32>(meta, dimStride, target, index, src);
}
