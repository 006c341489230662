// Plain scalar twin of the fused Adagrad update (Duchi, Hazan & Singer 2011), PyTorch order
// (ALGORITHMS.md §3): the ground truth the SIMD variant is tested against, bit-identical.
import { adagradMulti, adagradTail } from './_row';

/**
 * One Adagrad step over n f32 elements, in place on p and sum:
 *   g ← maximize ? −g : g;  g ← g + wd·p;  sum ← sum + g·g;  p ← p − clr·(g / (√sum + eps))
 * clr = lr / (1 + (t−1)·lrDecay) is folded by the host. f32, one rounding per op, no FMA.
 * Byte pointers to non-overlapping f32 arrays; g is never written.
 */
export function f32_adagrad_scalar(n: i32, p: usize, g: usize, sum: usize, clr: f32, eps: f32, wd: f32, flags: i32): void {
  adagradTail(0, n, p, g, sum, clr, eps, wd, flags);
}

/** Multi-tensor entry: table holds count records of four u32 [n, p, g, sum] (byte pointers). */
export function f32_adagrad_multi_scalar(count: i32, table: usize, clr: f32, eps: f32, wd: f32, flags: i32): void {
  adagradMulti(f32_adagrad_scalar, count, table, clr, eps, wd, flags);
}
