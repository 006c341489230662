// Plain scalar twin of the fused Lion update (Chen et al., "Symbolic Discovery of Optimization
// Algorithms", 2023): the ground truth the SIMD variant is tested against, bit-identical.
import { lionMulti, lionTail } from './_row';

/**
 * One Lion step over n f32 elements, in place on p and m:
 *   c ← m·β1 + g·(1−β1);  p ← p·decay − lr·sign(c);  m ← m·β2 + g·(1−β2)
 * decay = 1 − lr·λ (decoupled weight decay, folded by the host). sign(0) = 0 and sign(NaN) = NaN.
 * f32, one rounding per op, no FMA. Byte pointers to non-overlapping f32 arrays; g is never written.
 */
export function f32_lion_scalar(n: i32, p: usize, g: usize, m: usize, lr: f32, beta1: f32, beta2: f32, decay: f32): void {
  lionTail(0, n, p, g, m, lr, beta1, beta2, decay);
}

/** Multi-tensor entry: table holds count records of four u32 [n, p, g, m] (byte pointers). */
export function f32_lion_multi_scalar(count: i32, table: usize, lr: f32, beta1: f32, beta2: f32, decay: f32): void {
  lionMulti(f32_lion_scalar, count, table, lr, beta1, beta2, decay);
}
