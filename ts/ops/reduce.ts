// Reductions over any set of axes: sum, prod, max, min, argmax, argmin as primitives; mean, var,
// std, norm and logsumexp composed from them. The op layer moves reduced axes last (a view) so
// every backend kernel reduces a trailing block.

import { f32UnderAutocast, inF32IfAutocast } from '../amp/autocast.js';
import { attach, noGrad } from '../autograd/tape.js';
import { check, checkOptions } from '../errors.js';
import { Tensor } from '../tensor.js';
import { abs, add, div, eq, exp, log, lt, mul, ne, pow, sign, sqrt, square, sub, where } from './elementwise.js';
import { zeros, zerosLike } from './creation.js';
import { reshape } from './shape.js';
import {
  type Axes, type ReduceOptions, keepdimOf, keptShape, parse, reduceForward, sum, unreduce,
} from './broadcast.js';
import { assertTensor, normAxis, scoped } from './util.js';

export { sum, type Axes, type ReduceOptions } from './broadcast.js';

/**
 * Product over `axes`. The gradient is the product of the other elements, also where x has
 * zeros (as PyTorch). With p = Π of the nonzero elements, k zeros in the slice and z = Σ of the
 * zero elements (value 0, but it carries their derivative), the other-product is p/x (k = 0);
 * p at the zero and z·p/x elsewhere (k = 1); (z − x)·p at a zero (k = 2); else 0. Each form has
 * the right value and first derivative, so the gradient differentiates again (hvp) exactly.
 */
export function prod(x: Tensor, axes?: Axes, opts?: ReduceOptions): Tensor {
  const [ax, keepdim] = parse('prod', x, axes, opts);
  const y = reduceForward('prod', x, ax, keepdim);
  return attach(y, [x], (g) => [mul(unreduce(g, x.shape, ax, keepdim), otherProducts(x, ax))], 'prod');
}

function otherProducts(x: Tensor, ax: number[]): Tensor {
  const zero = eq(x, 0);
  const x1 = where(zero, 1, x);
  const p = prod(x1, ax, { keepdim: true });
  const k = sum(zero, ax, { keepdim: true });
  const z = sum(where(zero, x, 0), ax, { keepdim: true });
  const pOverX = div(p, x1);
  const atZero = where(eq(k, 1), p, where(eq(k, 2), mul(sub(z, x), p), 0));
  const atOther = where(eq(k, 0), pOverX, where(eq(k, 1), mul(z, pOverX), 0));
  return where(zero, atZero, atOther);
}

function extremum(op: 'max' | 'min', x: Tensor, axes: Axes, opts?: ReduceOptions): Tensor {
  const [ax, keepdim] = parse(op, x, axes, opts);
  const y = reduceForward(op, x, ax, keepdim);
  // Ties share the gradient evenly (PyTorch's amax/amin rule).
  return attach(y, [x], (g) => {
    const hit = eq(x, unreduce(y, x.shape, ax, keepdim));
    const count = sum(hit, ax, { keepdim: true });
    return [div(mul(unreduce(g, x.shape, ax, keepdim), hit), count)];
  }, op);
}

/** Maximum over `axes` (NaN propagates). Use argmax for indices. */
export const max = (x: Tensor, axes?: Axes, opts?: ReduceOptions): Tensor => extremum('max', x, axes, opts);
export const min = (x: Tensor, axes?: Axes, opts?: ReduceOptions): Tensor => extremum('min', x, axes, opts);

function argExtremum(op: 'argmax' | 'argmin', x: Tensor, axis: number | null | undefined, opts?: ReduceOptions): Tensor {
  assertTensor(x, op);
  const keepdim = keepdimOf(op, opts);
  if (axis === null || axis === undefined) {
    return scoped(() => {
      const r = reduceForward(op, reshape(x, [x.size]), x.ndim === 0 ? [] : [0], false);
      return keepdim ? reshape(r, x.shape.map(() => 1)) : r;
    });
  }
  const a = normAxis(axis, x.ndim, op); // a 0-d tensor takes axis 0 or -1 and has nothing to reduce (torch: 0)
  return reduceForward(op, x, x.ndim === 0 ? [] : [a], keepdim);
}

/** Index (i32) of the first maximum along `axis`, or into the flattened tensor when omitted. */
export const argmax = (x: Tensor, axis?: number | null, opts?: ReduceOptions): Tensor => argExtremum('argmax', x, axis, opts);
export const argmin = (x: Tensor, axis?: number | null, opts?: ReduceOptions): Tensor => argExtremum('argmin', x, axis, opts);

const countOf = (x: Tensor, axes: number[]): number => axes.reduce((a, i) => a * x.shape[i], 1);

/** Mean over `axes`; i32 input is averaged as f32. */
export function mean(x: Tensor, axes?: Axes, opts?: ReduceOptions): Tensor {
  const inF32 = inF32IfAutocast(mean, [x, axes, opts]);
  if (inF32 !== null) return inF32;
  const [ax] = parse('mean', x, axes, opts);
  return scoped(() => {
    const xf = x.dtype === 'i32' ? x.to('f32') : x;
    return div(sum(xf, ax, opts), countOf(x, ax));
  });
}

export interface VarOptions extends ReduceOptions { correction?: number }

/** Variance with Bessel's `correction` (default 1, as torch.var): Σ(x-μ)² / (N - correction). */
export const variance = f32UnderAutocast((x: Tensor, axes?: Axes, opts?: VarOptions): Tensor => varianceOf('var', x, axes, opts));
/**
 * √variance. Where the variance is 0 the gradient is 0, as torch masks it: sqrt'(0) = ∞ times
 * the variance's zero slope would be NaN, so zero variances take √1 on a branch where() cuts off.
 */
export function std(x: Tensor, axes?: Axes, opts?: VarOptions): Tensor {
  const inF32 = inF32IfAutocast(std, [x, axes, opts]);
  if (inF32 !== null) return inF32;
  return scoped(() => {
    const v = varianceOf('std', x, axes, opts);
    const zero = eq(v, 0);
    return where(zero, 0, sqrt(where(zero, 1, v)));
  });
}

function varianceOf(where: string, x: Tensor, axes: Axes, opts: VarOptions | undefined): Tensor {
  assertTensor(x, where);
  checkOptions(where, opts, ['keepdim', 'correction']);
  const [ax, keepdim] = parse(where, x, axes, { keepdim: opts?.keepdim });
  const correction = opts?.correction ?? 1;
  check(typeof correction === 'number' && correction >= 0, 'BAD_OPTION', () => `${where}: correction must be a number ≥ 0, got ${String(correction)}`);
  const dof = Math.max(0, countOf(x, ax) - correction);
  // torch's VJP g·2(x − μ)/dof: the composed form also sends Σ 2(x − μ)·(−1/N) through μ, which is
  // 0 in exact arithmetic but NaN once a slice holds ±Inf or NaN. μ keeps its graph inside the
  // VJP, so the gradient differentiates again exactly.
  const y = noGrad(() => scoped(() => div(sum(square(sub(x, mean(x, ax, { keepdim: true }))), ax, { keepdim }), dof)));
  return attach(y, [x], (g) => [mul(unreduce(g, x.shape, ax, keepdim), div(mul(sub(x, mean(x, ax, { keepdim: true })), 2), dof))], where);
}

/**
 * Vector p-norm over `axes` (all when omitted): p = 2 (default), 1, Infinity, -Infinity or any
 * p > 0. The gradient is 0 at a zero norm and at zero elements, as in PyTorch.
 */
export function norm(x: Tensor, p = 2, axes?: Axes, opts?: ReduceOptions): Tensor {
  assertTensor(x, 'norm');
  check(typeof p === 'number' && (p >= 0 || p === -Infinity), 'BAD_ARGUMENT', () => `norm: expected p ≥ 0, Infinity or -Infinity, got ${String(p)}`);
  return scoped(() => {
    // p = 0 counts nonzero entries (torch); its gradient is zero everywhere.
    if (p === 0) return attach(sum(ne(x, 0), axes, opts).to(x.dtype), [x], () => [zerosLike(x)], 'norm0');
    if (p === Infinity) return max(abs(x), axes, opts);
    if (p === -Infinity) return min(abs(x), axes, opts);
    if (p === 1) return sum(abs(x), axes, opts);
    return pNorm(x, p, axes, opts);
  });
}

/**
 * (Σ|x|^p)^(1/p) with PyTorch's VJP: g · sign(x)·|x|^(p-1) / ‖x‖^(p-1), taken as 0 where x = 0 or
 * the norm is 0 (the composed form gives NaN there). |x| and the norm are swapped for 1 at those
 * zeros, so no inf reaches a masked branch and the gradient differentiates again without NaN.
 */
function pNorm(x: Tensor, p: number, axes: Axes, opts: ReduceOptions | undefined): Tensor {
  const [ax, keepdim] = parse('norm', x, axes, opts);
  const y = noGrad(() => (p === 2 ? sqrt(sum(square(x), ax, opts)) : pow(sum(pow(abs(x), p), ax, opts), 1 / p)));
  return attach(y, [x], (g) => {
    const yk = unreduce(y, x.shape, ax, keepdim);
    const zeroNorm = eq(yk, 0);
    const scaled = p === 2 ? x : mul(sign(x), pow(where(eq(x, 0), 1, abs(x)), p - 1));
    const denom = p === 2 ? where(zeroNorm, 1, yk) : pow(where(zeroNorm, 1, yk), p - 1);
    return [where(zeroNorm, 0, div(mul(unreduce(g, x.shape, ax, keepdim), scaled), denom))];
  }, 'norm');
}

/** log Σ exp(x) over `axes`, stable: the max is subtracted first (and ±Inf rows handled). */
export function logsumexp(x: Tensor, axes?: Axes, opts?: ReduceOptions): Tensor {
  const [ax, keepdim] = parse('logsumexp', x, axes, opts);
  return scoped(() => {
    const m = stableShift(x, ax);
    const s = log(sum(exp(sub(x, m)), ax, { keepdim }));
    return add(s, keepdim ? m : reshape(m, keptShape(x.shape, ax, false)));
  });
}

/**
 * The shift that keeps exp(x − m) from overflowing: max over `axes` (keepdim), with non-finite
 * maxima replaced by 0 so all-(−Inf) rows stay −Inf instead of NaN. Detached: log-sum-exp's
 * gradient does not depend on the shift.
 */
function stableShift(x: Tensor, axes: number[]): Tensor {
  // an empty slice has no max: shift by 0, so its log Σ exp is log 0 = −Inf (torch)
  if (axes.some((a) => x.shape[a] === 0)) return zeros(keptShape(x.shape, axes, true), { dtype: x.dtype, device: x.device });
  return noGrad(() => scoped(() => {
    const raw = max(x, axes, { keepdim: true });
    return where(lt(abs(raw), Infinity), raw, 0);
  }));
}


