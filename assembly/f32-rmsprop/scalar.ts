// Plain scalar twin of the fused RMSprop update (Hinton's lecture 6e; PyTorch order, ALGORITHMS.md
// §3, eps added outside the square root): the ground truth the SIMD variant is tested against.
import { rmspropMulti, rmspropTail } from './_row';

/**
 * One RMSprop step over n f32 elements, in place on p, v (and gavg when centered, buf when μ > 0):
 *   g ← maximize ? −g : g;  g ← g + wd·p;  v ← v·α + (g·g)·(1−α)
 *   centered: gavg ← gavg·α + g·(1−α), avg ← √(v − gavg·gavg) + eps;  else avg ← √v + eps
 *   μ > 0: buf ← buf·μ + g/avg, p ← p − lr·buf;  else p ← p − lr·(g/avg)
 * gavg is touched only with RMSPROP_CENTERED, buf only when momentum > 0. f32, one rounding per op,
 * no FMA. Byte pointers to non-overlapping f32 arrays; g is never written.
 */
export function f32_rmsprop_scalar(n: i32, p: usize, g: usize, v: usize, gavg: usize, buf: usize, lr: f32,
                                   alpha: f32, eps: f32, wd: f32, momentum: f32, flags: i32): void {
  rmspropTail(0, n, p, g, v, gavg, buf, lr, alpha, eps, wd, momentum, flags);
}

/** Multi-tensor entry: table holds count records of six u32 [n, p, g, v, gavg, buf] (byte pointers). */
export function f32_rmsprop_multi_scalar(count: i32, table: usize, lr: f32, alpha: f32, eps: f32, wd: f32,
                                         momentum: f32, flags: i32): void {
  rmspropMulti(f32_rmsprop_scalar, count, table, lr, alpha, eps, wd, momentum, flags);
}
