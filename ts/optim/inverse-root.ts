// Inverse p-th roots (A + rI)^(−1/p) of symmetric positive semidefinite matrices by the coupled
// Newton iteration (Higham, "Functions of Matrices", eq. 7.18; Guo & Higham 2006), in f64 on the
// host, shaped like Google's scalable_shampoo `matrix_inverse_pth_root`: the ridge r may be
// relative to λmax(A) estimated by power iteration, the iteration stops at `errorTolerance` on
// max|M − I| or after `numIters`, and a step that makes that error grow by more than 1.2× is
// discarded (the iterate before it is returned). It is the second stable method beside the
// eigendecomposition of ./sym-eig.ts; `shampooInverseRoot` picks between them for Shampoo.

import { DescentError } from '../errors.js';
import { checkSquare, inverseRoot, symEig } from './sym-eig.js';

export type RootInverseMethod = 'eigh' | 'coupledNewton';

export interface CoupledNewtonOptions {
  /** Ridge r added to the diagonal (Google's default 1e-6). */
  ridgeEpsilon?: number;
  /** r = ridgeEpsilon · λmax(A) (λmax by power iteration), as Google's `relative_matrix_epsilon`. Default true. */
  relativeEpsilon?: boolean;
  /** Newton steps at most (default 100). */
  numIters?: number;
  /** Stop once max|M − I| ≤ this (default 1e-6). */
  errorTolerance?: number;
}

export interface CoupledNewtonResult {
  /** (A + rI)^(−1/p), row-major n×n, exactly symmetric. */
  root: Float64Array;
  /** max|M − I| of the returned iterate (M = root^p·(A + rI) in exact arithmetic). */
  error: number;
  /** Newton steps taken and kept. */
  iterations: number;
  /** The ridge r actually added. */
  ridge: number;
}

function fail(what: string, expected: string, got: unknown): never {
  throw new DescentError('BAD_ARGUMENT', `${what}: expected ${expected}, got ${String(got)}`);
}

function positiveInt(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) fail(what, 'a positive integer', v);
  return v;
}

function nonNegativeNumber(what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(what, 'a finite number ≥ 0', v);
  return v;
}

/** Largest eigenvalue of the symmetric PSD matrix a by power iteration (Rayleigh quotient; stops at relative change ≤ tolerance). */
export function powerIteration(a: Float64Array, n: number, opts: { numIters?: number; tolerance?: number } = {}): { value: number; iterations: number } {
  checkSquare('powerIteration', a, n);
  if (opts === null || typeof opts !== 'object') fail('powerIteration: options', 'an object', opts);
  const iters = positiveInt('powerIteration: numIters', opts.numIters ?? 100);
  const tol = nonNegativeNumber('powerIteration: tolerance', opts.tolerance ?? 1e-6);
  // a fixed start with no zero entry (Google draws a seeded uniform one); an underestimate, from a
  // start nearly orthogonal to the top eigenvector, is caught by coupledNewton's Frobenius cap
  let v = Float64Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(1.7 * i + 0.3));
  let s = 0;
  for (let it = 1; it <= iters; it++) {
    let nv = 0;
    for (let i = 0; i < n; i++) nv += v[i] * v[i];
    nv = Math.sqrt(nv);
    if (nv === 0) return { value: 0, iterations: it };
    const av = new Float64Array(n);
    let sNew = 0;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += a[i * n + j] * v[j];
      av[i] = acc / nv;
      sNew += (v[i] / nv) * av[i];
    }
    const done = Math.abs(sNew - s) <= tol * Math.abs(sNew);
    s = sNew;
    v = av;
    if (done) return { value: s, iterations: it };
  }
  return { value: s, iterations: iters };
}

/**
 * out = a·b for n×n matrices whose product is known to be symmetric (here: polynomials in the same
 * matrix, which commute): only the upper triangle is computed and mirrored, half the flops, and
 * the iterates stay exactly symmetric.
 */
function mulSym(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[oi + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = i; j < n; j++) out[oi + j] += aik * b[bk + j];
    }
    for (let j = i + 1; j < n; j++) out[j * n + i] = out[oi + j];
  }
  return out;
}

/** x^p for a positive integer p by repeated squaring (x symmetric, so every power is). */
function powSym(x: Float64Array, n: number, p: number): Float64Array {
  let result: Float64Array | null = null;
  let base = x;
  for (let e = p; e > 0; e >>= 1) {
    if (e & 1) result = result === null ? base : mulSym(result, base, n);
    if (e > 1) base = mulSym(base, base, n);
  }
  return result as Float64Array;
}

function maxDiffFromIdentity(m: Float64Array, n: number): number {
  let err = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(m[i * n + j] - (i === j ? 1 : 0)));
  return err;
}

/**
 * (A + rI)^(−1/p) by the coupled Newton iteration: with D = A + rI, z = min((1 + p)/(2‖D‖_F), 1/λmax(D)),
 * M₀ = z·D, H₀ = z^(1/p)·I, and Mᵢ' = (1 + 1/p)·I − Mᵢ/p: M ← Mᵢ'^p·M, H ← H·Mᵢ'. M → I and
 * H → D^(−1/p). Cost per step: ⌈log₂ p⌉ + popcount(p) + 1 symmetric products of n³ flops.
 */
export function coupledNewtonInverseRoot(a: Float64Array, n: number, p: number, opts: CoupledNewtonOptions = {}): CoupledNewtonResult {
  checkSquare('coupledNewtonInverseRoot', a, n);
  if (opts === null || typeof opts !== 'object') fail('coupledNewtonInverseRoot: options', 'an object', opts);
  positiveInt('coupledNewtonInverseRoot: p', p);
  const eps = nonNegativeNumber('coupledNewtonInverseRoot: ridgeEpsilon', opts.ridgeEpsilon ?? 1e-6);
  const iters = positiveInt('coupledNewtonInverseRoot: numIters', opts.numIters ?? 100);
  const tol = nonNegativeNumber('coupledNewtonInverseRoot: errorTolerance', opts.errorTolerance ?? 1e-6);
  const relative = opts.relativeEpsilon ?? true;
  if (typeof relative !== 'boolean') fail('coupledNewtonInverseRoot: relativeEpsilon', 'a boolean', relative);
  const lmax = n === 1 ? a[0] : powerIteration(a, n).value;
  const ridge = relative ? eps * relativeScale(lmax) : eps;
  if (n === 1) return { root: Float64Array.of((a[0] + ridge) ** (-1 / p)), error: 0, iterations: 0, ridge };
  let m: Float64Array = Float64Array.from(a);
  let fro = 0;
  for (let i = 0; i < n; i++) m[i * n + i] += ridge;
  for (let i = 0; i < n * n; i++) fro += m[i] * m[i];
  // Google scales by (1 + p)/(2‖D‖_F) alone, which keeps the spectrum of M₀ inside (0, p + 1) but
  // can start it above 1; then max|M − I| may first rise and trip the 1.2× guard (it does on
  // low-rank statistics). Scaling by 1/λmax as well puts the spectrum in (0, 1], where every
  // eigenvalue rises monotonically to 1 and so does every diagonal entry of M, which bounds |M − I|.
  const z = Math.min((1 + p) / (2 * Math.sqrt(fro)), lmax + ridge > 0 ? 1 / (lmax + ridge) : Infinity);
  for (let i = 0; i < n * n; i++) m[i] *= z;
  let h: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) h[i * n + i] = z ** (1 / p);
  let error = maxDiffFromIdentity(m, n);
  let it = 0;
  while (it < iters && error > tol) {
    const mi = m.map((x) => -x / p);
    for (let i = 0; i < n; i++) mi[i * n + i] += 1 + 1 / p;
    const mNext = mulSym(powSym(mi, n, p), m, n);
    const errNext = maxDiffFromIdentity(mNext, n);
    // the error may rise a little before it falls; a rise of more than 1.2× (or NaN) means the
    // iteration is lost to rounding or divergence, so keep the iterate before this step
    if (!(errNext < 1.2 * error)) break;
    h = mulSym(h, mi, n);
    m = mNext;
    error = errNext;
    it++;
  }
  return { root: h, error, iterations: it, ridge };
}

/** λmax as the ridge's scale; a zero (or non-finite) estimate falls back to 1 so the ridge stays positive. */
const relativeScale = (lmax: number): number => (lmax > 0 && Number.isFinite(lmax) ? lmax : 1);

export interface ShampooRootOptions {
  method: RootInverseMethod;
  epsilon: number;
  relativeEpsilon: boolean;
  newtonIterations: number;
  newtonTolerance: number;
  /** Coupled Newton results with a larger error (or a non-finite one) are rejected. */
  failureThreshold: number;
}

/**
 * Shampoo's root: the eigendecomposition always succeeds; coupled Newton returns null when its
 * final error exceeds the failure threshold (Google's `inverse_failure_threshold`), and the
 * caller keeps its previous preconditioner.
 */
export function shampooInverseRoot(a: Float64Array, n: number, p: number, o: ShampooRootOptions): Float64Array | null {
  if (o.method === 'eigh') {
    if (!o.relativeEpsilon) return inverseRoot(a, n, p, o.epsilon);
    const { w, v } = symEig(a, n);
    return inverseRoot(a, n, p, o.epsilon * relativeScale(Math.max(...w)), { w, v });
  }
  const r = coupledNewtonInverseRoot(a, n, p, { ridgeEpsilon: o.epsilon, relativeEpsilon: o.relativeEpsilon,
    numIters: o.newtonIterations, errorTolerance: o.newtonTolerance });
  return Number.isFinite(r.error) && r.error <= o.failureThreshold ? r.root : null;
}
