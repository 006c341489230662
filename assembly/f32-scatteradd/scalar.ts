// f32-scatteradd, portable scalar loop: the readable ground truth for this family (see assembly/_lib/select.ts).
import { scatterAddND } from '../_lib/select';

/**
 * target[base_t(i) + index[i]·dimStride] += src[i] in row-major order of i (deterministic), N-d
 * over index's shape (META operands target with stride 0 on dim, index (i32), src; elements). In
 * place. Returns -1, or the position of the first index outside [0, dimSize) having changed nothing.
 */
export function f32_scatteradd_scalar(meta: usize, dimStride: i32, dimSize: i32, target: usize, index: usize, src: usize): i32 {
  return scatterAddND<f32>(meta, dimStride, dimSize, target, index, src);
}
