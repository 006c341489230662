// Measuring sharpness at a point w of a loss f(w₁, …, wₖ): the largest loss increase within an ℓ2
// ball of radius ρ (by projected gradient ascent on the weights, Keskar et al. 2017 / Foret et al.
// 2021's m-sharpness with m = batch), and the top Hessian eigenvalue by power iteration on
// Hessian-vector products (Yao et al. 2020, PyHessian).

import { check, checkOptions } from '../errors.js';
import { tidy } from '../lifetime.js';
import { Tensor } from '../tensor.js';
import { grad, hvp } from '../autograd/functional.js';
import { randnLike } from '../ops/creation.js';
import { noGrad } from '../autograd/tape.js';
import { globalNorm, listDot } from '../optim/transform.js';

export type WeightLoss = (...weights: Tensor[]) => Tensor;

function checkWeights(where: string, f: unknown, ws: unknown): asserts ws is Tensor[] {
  check(typeof f === 'function', 'BAD_ARGUMENT', () => `${where}: expected a loss function of the weights, got ${typeof f}`);
  check(Array.isArray(ws) && ws.length > 0 && ws.every((w) => w instanceof Tensor), 'BAD_ARGUMENT',
    () => `${where}: expected a non-empty array of weight tensors`);
}
const positiveInt = (where: string, k: string, v: number) => check(Number.isInteger(v) && v > 0, 'BAD_OPTION',
  () => `${where}: '${k}' expected a positive integer, got ${String(v)}`);

/**
 * max_{‖δ‖₂ ≤ ρ} f(w + δ) − f(w), by `steps` normalized-gradient ascent steps of size ρ/steps·2,
 * each projected on the ball. Returns { sharpness, base, worst } as numbers.
 * @example sam.maxLossInBall((w, b) => loss(w, b), [w, b], { rho: 0.05 })
 */
export function maxLossInBall(f: WeightLoss, weights: Tensor[], opts?: { rho?: number; steps?: number }): { sharpness: number; base: number; worst: number } {
  checkOptions('maxLossInBall', opts, ['rho', 'steps']);
  checkWeights('maxLossInBall', f, weights);
  const rho = opts?.rho ?? 0.05;
  const steps = opts?.steps ?? 10;
  check(typeof rho === 'number' && rho > 0 && Number.isFinite(rho), 'BAD_OPTION', () => `maxLossInBall: 'rho' expected a number > 0, got ${String(rho)}`);
  positiveInt('maxLossInBall', 'steps', steps);
  return tidy(() => {
    const ws = weights.map((w) => w.detach());
    const value = (ds: Tensor[]) => noGrad(() => f(...ws.map((w, i) => w.add(ds[i])))).item();
    let delta = ws.map((w) => w.mul(0));
    const base = value(delta);
    let worst = base;
    for (let s = 0; s < steps; s++) {
      delta = tidy(() => {
        const g = grad((...ds: Tensor[]) => f(...ws.map((w, i) => w.add(ds[i]))), { argnums: ws.map((_, i) => i) })(...delta) as Tensor[];
        const gn = globalNorm(g) + 1e-12;
        const moved = delta.map((d, i) => d.add(g[i].mul((2 * rho) / steps / gn)));
        const n = globalNorm(moved);
        return n > rho ? moved.map((d) => d.mul(rho / n)) : moved;
      });
      worst = Math.max(worst, value(delta));
    }
    return { sharpness: worst - base, base, worst };
  });
}

/**
 * The eigenvalue of largest magnitude of ∇²f(w) (with its unit eigenvector, a list shaped like the
 * weights), by power iteration on hvp from a seeded random start; stops when the Rayleigh quotient
 * changes by less than tol relative.
 * @example const { eigenvalue } = sam.topHessianEigenvalue((w) => loss(w), [w], { iters: 50 })
 */
export function topHessianEigenvalue(f: WeightLoss, weights: Tensor[], opts?: { iters?: number; tol?: number }): { eigenvalue: number; eigenvector: Tensor[] } {
  checkOptions('topHessianEigenvalue', opts, ['iters', 'tol']);
  checkWeights('topHessianEigenvalue', f, weights);
  const iters = opts?.iters ?? 100;
  const tol = opts?.tol ?? 1e-6;
  positiveInt('topHessianEigenvalue', 'iters', iters);
  check(typeof tol === 'number' && tol >= 0, 'BAD_OPTION', () => `topHessianEigenvalue: 'tol' expected a number ≥ 0, got ${String(tol)}`);
  return tidy(() => {
    const ws = weights.map((w) => w.detach());
    const unit = (vs: Tensor[]) => { const n = globalNorm(vs) + 1e-30; return vs.map((v) => v.div(n)); };
    let v = unit(ws.map((w) => randnLike(w)));
    let lambda = 0;
    for (let k = 0; k < iters; k++) {
      const prev = lambda;
      [v, lambda] = tidy(() => {
        const [, hv] = hvp(f, ws, v) as [Tensor, Tensor[]];
        const rq = listDot(hv, v);
        return [unit(hv), rq] as [Tensor[], number];
      });
      if (k > 0 && Math.abs(lambda - prev) <= tol * Math.abs(lambda)) break;
    }
    return { eigenvalue: lambda, eigenvector: v };
  });
}
