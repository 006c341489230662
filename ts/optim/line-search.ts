// Strong-Wolfe line search with cubic interpolation, as in PyTorch's `_strong_wolfe` (a port of
// Torch7's lswolfe.lua; Nocedal & Wright, "Numerical Optimization", 2006, Alg. 3.5/3.6): a bracket
// phase with extrapolation bounded to [t + 0.01(t − t_prev), 10t], then a zoom phase with the
// "insufficient progress" rule. Gradients and directions are flat tensors; step sizes, losses and
// directional derivatives are numbers. Tensors made here are left to the caller's tidy scope.
// The search yields the scalars it reads (host-reads.ts), so it also runs on async-only devices.

import type { Tensor } from '../tensor.js';
import { abs, mul } from '../ops/elementwise.js';
import { max, sum } from '../ops/reduce.js';
import { readSync, type Reads } from './host-reads.js';

/** f(x + t·d) and its flat gradient. */
export type DirectionalObjective = (t: number) => [number, Tensor];

/** a·b, as a one-element tensor to read. */
export const dot = (a: Tensor, b: Tensor): Tensor => sum(mul(a, b));

/** Minimizer of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to bounds (default: [x1, x2]). */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number,
  bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2sq);
  const minPos = x1 <= x2
    ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minPos, lo), hi);
}

export interface WolfeResult { f: number; g: Tensor; t: number; evals: number }
export interface WolfeOptions { c1?: number; c2?: number; toleranceChange?: number; maxLs?: number }

interface Point { t: number; f: number; g: Tensor; gtd: number }

/**
 * Finds t satisfying the strong Wolfe conditions along d from (f, g) with slope gtd = g·d < 0.
 * Returns the accepted point (PyTorch returns the low end of the final bracket).
 */
export function strongWolfe(obj: DirectionalObjective, t0: number, d: Tensor, f: number, g: Tensor, gtd: number,
  opts: WolfeOptions = {}): WolfeResult {
  return readSync(strongWolfeReads(function* (t) { return obj(t); }, t0, d, f, g, gtd, opts));
}

/** strongWolfe with an objective that yields its reads too (host-reads.ts). */
export function* strongWolfeReads(obj: (t: number) => Reads<[number, Tensor]>, t0: number, d: Tensor, f: number,
  g: Tensor, gtd: number, opts: WolfeOptions = {}): Reads<WolfeResult> {
  const c1 = opts.c1 ?? 1e-4, c2 = opts.c2 ?? 0.9, tolChange = opts.toleranceChange ?? 1e-9, maxLs = opts.maxLs ?? 25;
  const dNorm = yield max(abs(d));
  const eval0 = function* (t: number): Reads<Point> {
    const [fn, gn] = yield* obj(t);
    return { t, f: fn, g: gn, gtd: yield dot(gn, d) };
  };
  let cur = yield* eval0(t0);
  let evals = 1;
  let prev: Point = { t: 0, f, g, gtd };
  let bracket: Point[] | null = null;
  let done = false;
  let it = 0;
  while (it < maxLs) {
    if (cur.f > f + c1 * cur.t * gtd || (it > 1 && cur.f >= prev.f)) { bracket = [prev, cur]; break; }
    if (Math.abs(cur.gtd) <= -c2 * gtd) { bracket = [cur]; done = true; break; }
    if (cur.gtd >= 0) { bracket = [prev, cur]; break; }
    const tNext = cubicInterpolate(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd,
      [cur.t + 0.01 * (cur.t - prev.t), cur.t * 10]);
    prev = cur;
    cur = yield* eval0(tNext);
    evals += 1;
    it += 1;
  }
  if (it === maxLs || bracket === null) bracket = [{ t: 0, f, g, gtd }, cur];
  if (done) return { f: bracket[0].f, g: bracket[0].g, t: bracket[0].t, evals };
  const b = bracket;
  let insufficient = false;
  let [low, high] = b[0].f <= b[1].f ? [0, 1] : [1, 0];
  while (!done && it < maxLs) {
    if (Math.abs(b[1].t - b[0].t) * dNorm < tolChange) break;
    let t = cubicInterpolate(b[0].t, b[0].f, b[0].gtd, b[1].t, b[1].f, b[1].gtd);
    const bMax = Math.max(b[0].t, b[1].t), bMin = Math.min(b[0].t, b[1].t);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufficient || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufficient = false;
      } else {
        insufficient = true;
      }
    } else {
      insufficient = false;
    }
    const p = yield* eval0(t);
    evals += 1;
    it += 1;
    if (p.f > f + c1 * t * gtd || p.f >= b[low].f) {
      b[high] = p;
      [low, high] = b[0].f <= b[1].f ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(p.gtd) <= -c2 * gtd) done = true;
      else if (p.gtd * (b[high].t - b[low].t) >= 0) b[high] = b[low];
      b[low] = p;
    }
  }
  return { f: b[low].f, g: b[low].g, t: b[low].t, evals };
}
