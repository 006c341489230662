// Hypergradients of bilevel problems min_λ F(w*(λ), λ), w*(λ) ≈ argmin_w L(w, λ), two ways:
// - unrolled: differentiate F(w_T) through T recorded gradient steps w ← w − η∇_wL (Maclaurin et
//   al. 2015; Franceschi et al. 2017), second-order terms included (createGraph);
// - implicit: by the implicit function theorem at w ≈ w*, dF/dλ = ∂_λF − ∂²_{λw}L · v with
//   (∇²_wL + δI) v = ∂_wF solved by conjugate gradient on Hessian-vector products (Pedregosa
//   2016; Rajeswaran et al. 2019 use the same damping δ).
// Weights and hyperparameters are arrays of tensors; the results are detached and the inputs untouched.

import { check, checkOptions } from '../errors.js';
import { listDot } from '../optim/transform.js';
import { tidy } from '../lifetime.js';
import { Tensor } from '../tensor.js';
import { enableGrad } from '../autograd/tape.js';
import { gradients } from '../autograd/backward.js';
import { hvp } from '../autograd/functional.js';
import { zerosLike } from '../ops/creation.js';

export type BilevelLoss = (weights: Tensor[], hypers: Tensor[]) => Tensor;

function leaves(ts: Tensor[]): Tensor[] {
  return ts.map((t) => { const v = t.detach(); v.requiresGrad = true; return v; });
}

/** Gradients of a scalar with zeros where it does not depend on an input. */
function gradsOf(y: Tensor, xs: Tensor[], createGraph = false, seed: Tensor | null = null): Tensor[] {
  if (!y.requiresGrad) return xs.map((x) => zerosLike(x));
  return gradients(y, xs, seed, { createGraph, retainGraph: true });
}

function checkProblem(where: string, inner: unknown, outer: unknown, w: unknown, h: unknown): void {
  check(typeof inner === 'function' && typeof outer === 'function', 'BAD_ARGUMENT',
    () => `${where}: expected inner and outer loss functions (weights, hypers) ⇒ scalar`);
  for (const [name, list] of [['weights', w], ['hypers', h]] as const) {
    check(Array.isArray(list) && list.length > 0 && list.every((t) => t instanceof Tensor), 'BAD_ARGUMENT',
      () => `${where}: expected ${name} as a non-empty array of tensors`);
  }
}
const positive = (where: string, k: string, v: unknown, integer = false) => check(typeof v === 'number' && Number.isFinite(v)
  && v > 0 && (!integer || Number.isInteger(v)), 'BAD_OPTION', () => `${where}: '${k}' expected a ${integer ? 'positive integer' : 'number > 0'}, got ${String(v)}`);

/**
 * dF(w_T(λ), λ)/dλ through `steps` SGD steps of size `lr` on L from w0. Returns the hypergradient,
 * the final weights and F.
 * @example const { hypergradient } = meta.unrolledHypergradient(trainLoss, valLoss, [w0], [logLam], { steps: 20, lr: 0.1 })
 */
export function unrolledHypergradient(inner: BilevelLoss, outer: BilevelLoss, weights: Tensor[], hypers: Tensor[],
  opts: { steps: number; lr: number }): { hypergradient: Tensor[]; weights: Tensor[]; outerLoss: number } {
  checkOptions('unrolledHypergradient', opts, ['steps', 'lr']);
  checkProblem('unrolledHypergradient', inner, outer, weights, hypers);
  positive('unrolledHypergradient', 'steps', opts?.steps, true);
  positive('unrolledHypergradient', 'lr', opts?.lr);
  return tidy(() => enableGrad(() => {
    const hs = leaves(hypers);
    let ws = leaves(weights);
    for (let k = 0; k < opts.steps; k++) {
      const g = gradsOf(inner(ws, hs), ws, true);
      ws = ws.map((w, i) => w.sub(g[i].mul(opts.lr)));
    }
    const F = outer(ws, hs);
    const hg = gradsOf(F, hs);
    return { hypergradient: hg.map((t) => t.detach()), weights: ws.map((w) => w.detach()), outerLoss: F.item() };
  }));
}

export interface ImplicitOptions {
  /** Conjugate-gradient iterations (default 20). */
  cgIters?: number;
  /** δ in (H + δI) v = ∂_wF (default 0). */
  damping?: number;
  /** Stop when ‖residual‖ ≤ tol·‖∂_wF‖ (default 1e-10). */
  tol?: number;
}

/**
 * dF/dλ at weights w that (approximately) minimise L(·, λ), by the implicit function theorem.
 * @example const { hypergradient } = meta.implicitHypergradient(trainLoss, valLoss, [wStar], [logLam], { damping: 1e-3 })
 */
export function implicitHypergradient(inner: BilevelLoss, outer: BilevelLoss, weights: Tensor[], hypers: Tensor[],
  opts?: ImplicitOptions): { hypergradient: Tensor[]; cgIterations: number; residual: number } {
  checkOptions('implicitHypergradient', opts, ['cgIters', 'damping', 'tol']);
  checkProblem('implicitHypergradient', inner, outer, weights, hypers);
  const { cgIters = 20, damping = 0, tol = 1e-10 } = opts ?? {};
  positive('implicitHypergradient', 'cgIters', cgIters, true);
  check(typeof damping === 'number' && damping >= 0 && Number.isFinite(damping), 'BAD_OPTION',
    () => `implicitHypergradient: 'damping' expected a finite number ≥ 0, got ${String(damping)}`);
  check(typeof tol === 'number' && tol >= 0, 'BAD_OPTION', () => `implicitHypergradient: 'tol' expected a number ≥ 0, got ${String(tol)}`);
  return tidy(() => enableGrad(() => {
    const hs = leaves(hypers);
    const ws = leaves(weights);
    const F = outer(ws, hs);
    const [dFdw, dFdh] = [gradsOf(F, ws), gradsOf(F, hs)];
    // detached weights and hypers: hvp records nothing (hvp needs grad mode on, so no noGrad here)
    const fixed = hypers.map((h) => h.detach());
    const Hv = (v: Tensor[]) => (hvp((...w: Tensor[]) => inner(w, fixed), ws.map((w) => w.detach()), v)[1] as Tensor[])
      .map((h, i) => h.add(v[i].mul(damping)).detach());
    const { x: v, iterations, residual } = conjugateGradient(Hv, dFdw, cgIters, tol);
    // ∂²_{λw}L · v = ∇_λ ⟨∇_wL(w, λ), v⟩
    const gw = gradsOf(inner(ws, hs), ws, true);
    const inner2 = gw.map((g, i) => g.mul(v[i]).sum()).reduce((a, b) => a.add(b));
    const mixed = gradsOf(inner2, hs);
    return { hypergradient: dFdh.map((d, i) => d.sub(mixed[i]).detach()), cgIterations: iterations, residual };
  }));
}


/** Solves A x = b for symmetric positive (semi)definite A given as a product, from x = 0. */
export function conjugateGradient(A: (v: Tensor[]) => Tensor[], b: Tensor[], iters: number, tol: number):
  { x: Tensor[]; iterations: number; residual: number } {
  let x = b.map((t) => zerosLike(t));
  let r = b;
  let p = b;
  let rr = listDot(r, r);
  const stop = tol * tol * rr;
  let k = 0;
  while (k < iters && rr > stop) {
    const Ap = A(p);
    const pAp = listDot(p, Ap);
    if (!(pAp > 0)) break; // not positive definite along p: keep the current iterate
    const a = rr / pAp;
    x = x.map((t, i) => t.add(p[i].mul(a)));
    r = r.map((t, i) => t.sub(Ap[i].mul(a)));
    const rrNew = listDot(r, r);
    p = r.map((t, i) => t.add(p[i].mul(rrNew / rr)));
    rr = rrNew;
    k++;
  }
  return { x, iterations: k, residual: Math.sqrt(rr) };
}
