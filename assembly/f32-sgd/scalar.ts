// Plain scalar twin of the fused SGD update (plain, heavy-ball momentum with dampening, Nesterov):
// the ground truth the SIMD variant is tested against, bit-identical. PyTorch `_single_tensor_sgd`
// order (ALGORITHMS.md §1).
import { sgdMulti, sgdTail } from './_row';

/**
 * One SGD step over n f32 elements, in place on p and buf:
 *   g ← maximize ? −g : g;  g ← g + wd·p
 *   if momentum ≠ 0: buf ← first ? g : buf·μ + g·(1−τ);  g ← nesterov ? g + μ·buf : buf
 *   p ← p − lr·g
 * buf is read/written only when momentum ≠ 0 (pass 0 otherwise). f32, one rounding per op, no FMA.
 * Byte pointers to non-overlapping f32 arrays, any 4-byte alignment; g is never written.
 */
export function f32_sgd_scalar(n: i32, p: usize, g: usize, buf: usize, lr: f32, momentum: f32,
                               dampening: f32, wd: f32, flags: i32): void {
  sgdTail(0, n, p, g, buf, lr, momentum, dampening, wd, flags);
}

/** Multi-tensor entry: table holds count records of four u32 [n, p, g, buf] (byte pointers). */
export function f32_sgd_multi_scalar(count: i32, table: usize, lr: f32, momentum: f32, dampening: f32,
                                     wd: f32, flags: i32): void {
  sgdMulti(f32_sgd_scalar, count, table, lr, momentum, dampening, wd, flags);
}
