// Plain scalar twin of the fused Adam/AdamW/AMSGrad update: the readable ground truth the SIMD
// variant is tested against (same operations in the same order, so bit-identical). Follows
// PyTorch's `_single_tensor_adam` order (ALGORITHMS.md §2); the host folds the scalars.
import { adamMulti, adamTail } from './_row';

/**
 * One Adam step over n f32 elements, in place on p, m, v (and vmax when AMSGrad):
 *   g ← maximize ? −g : g;  p ← p·decay;  g ← g + l2·p
 *   m ← m·β1 + g·(1−β1);  v ← v·β2 + (g·g)·(1−β2);  s ← amsgrad ? (vmax ← max(vmax, v)) : v
 *   p ← p − stepSize·(m / (√s / bc2sqrt + eps))
 * Host folding: decoupled decay (AdamW) passes decay = 1 − lr·λ and l2 = 0; coupled (Adam) passes
 * decay = 1 and l2 = λ; stepSize = lr/(1−β1^t), bc2sqrt = √(1−β2^t). All arithmetic is f32 with one
 * rounding per operation (no FMA). Pointers are byte addresses of f32 arrays (any 4-byte
 * alignment, the arrays may not overlap); vmax is read only with ADAM_AMSGRAD. g is never written.
 */
export function f32_adam_scalar(n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize,
                                beta1: f32, beta2: f32, eps: f32, stepSize: f32, bc2sqrt: f32,
                                decay: f32, l2: f32, flags: i32): void {
  adamTail(0, n, p, g, m, v, vmax, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags);
}

/**
 * Multi-tensor entry: `count` tensors sharing one param group's scalars. table: count records of
 * six u32 [n, p, g, m, v, vmax] (byte pointers; vmax 0 without AMSGrad), 4-byte aligned.
 */
export function f32_adam_multi_scalar(count: i32, table: usize, beta1: f32, beta2: f32, eps: f32,
                                      stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32, flags: i32): void {
  adamMulti(f32_adam_scalar, count, table, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags);
}
