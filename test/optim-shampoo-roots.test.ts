// Inverse p-th roots by coupled Newton (ts/optim/inverse-root.ts) held against the f64
// eigendecomposition on random SPD matrices, well and ill conditioned, for p = 2, 4, 8 (and 6, an
// order-3 tensor's); power iteration; the growth guard; bad arguments.
import { describe, expect, it } from 'vitest';
import * as optim from '../ts/optim/index.js';

/** Deterministic uniform [0, 1) stream (LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Q·diag(λ)·Qᵀ with Q the eigenvectors of a random symmetric matrix (a random orthogonal basis). */
function spd(n: number, lambdas: number[], seed: number): Float64Array {
  const r = rng(seed);
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) b[i * n + j] = b[j * n + i] = r() - 0.5;
  const { v } = optim.symEigJacobi(b, n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += v[i * n + k] * lambdas[k] * v[j * n + k];
      a[i * n + j] = s;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
  return a;
}

const relErr = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
  let num = 0, den = 0;
  for (let i = 0; i < y.length; i++) {
    num = Math.max(num, Math.abs(x[i] - y[i]));
    den = Math.max(den, Math.abs(y[i]));
  }
  return num / den;
};

describe('coupled Newton inverse p-th root', () => {
  const cases: { name: string; n: number; lambdas: (n: number, r: () => number) => number[]; eps: number; tol: number }[] = [
    { name: 'well conditioned', n: 12, lambdas: (n, r) => Array.from({ length: n }, () => 0.5 + 1.5 * r()), eps: 1e-6, tol: 1e-9 },
    // spectrum 1 … 1e-10 with a relative ridge of 1e-9: condition number ≈ 1e9 after the ridge
    { name: 'ill conditioned (κ ≈ 1e9)', n: 16, lambdas: (n) => Array.from({ length: n }, (_, i) => 10 ** (-10 * i / (n - 1))), eps: 1e-9, tol: 1e-7 },
    // rank 3 of 10: the ridge alone keeps it invertible
    { name: 'singular (rank 3), scaled by 1e4', n: 10, lambdas: (n, r) => Array.from({ length: n }, (_, i) => (i < 3 ? 1e4 * (1 + r()) : 0)), eps: 1e-6, tol: 1e-9 },
  ];
  for (const c of cases) {
    it(`matches the eigendecomposition: ${c.name}, p = 2, 4, 6, 8`, () => {
      for (const seed of [1, 2]) {
        const a = spd(c.n, c.lambdas(c.n, rng(100 + seed)), seed);
        for (const p of [2, 4, 6, 8]) {
          const res = optim.coupledNewtonInverseRoot(a, c.n, p, { ridgeEpsilon: c.eps, errorTolerance: 1e-13 });
          // the ridge is relative to λmax (power iteration), so hand the same ridge to the reference
          const lmax = Math.max(...optim.symEig(a, c.n).w);
          expect(Math.abs(res.ridge / (c.eps * lmax) - 1)).toBeLessThan(1e-5);
          const want = optim.inverseRoot(a, c.n, p, res.ridge);
          expect(relErr(res.root, want)).toBeLessThan(c.tol);
          expect(res.error).toBeLessThan(1e-12);
          expect(res.iterations).toBeLessThan(100);
          // Google's default tolerance (1e-6 on max|M − I|) still gives ~1e-6 relative accuracy
          const loose = optim.coupledNewtonInverseRoot(a, c.n, p, { ridgeEpsilon: c.eps });
          expect(loose.error).toBeLessThanOrEqual(1e-6);
          expect(relErr(loose.root, optim.inverseRoot(a, c.n, p, loose.ridge))).toBeLessThan(1e-5);
        }
      }
    });
  }

  it('an absolute ridge, n = 1, and a zero matrix', () => {
    const a = spd(5, [3, 2, 1, 0.5, 0.25], 7);
    const res = optim.coupledNewtonInverseRoot(a, 5, 4, { ridgeEpsilon: 0.01, relativeEpsilon: false, errorTolerance: 1e-14 });
    expect(res.ridge).toBe(0.01);
    expect(relErr(res.root, optim.inverseRoot(a, 5, 4, 0.01))).toBeLessThan(1e-12);
    const one = optim.coupledNewtonInverseRoot(Float64Array.of(16), 1, 4, { ridgeEpsilon: 0, relativeEpsilon: false });
    expect(one.root[0]).toBeCloseTo(0.5, 15);
    // λmax = 0: the relative ridge falls back to ε itself, so the root is ε^(−1/p)·I
    const z = optim.coupledNewtonInverseRoot(new Float64Array(9), 3, 2, { ridgeEpsilon: 1e-4, errorTolerance: 1e-14 });
    expect(z.ridge).toBe(1e-4);
    expect(relErr(z.root, [100, 0, 0, 0, 100, 0, 0, 0, 100])).toBeLessThan(1e-12);
  });

  it('the growth guard: an indefinite input diverges, and the iterate before the rise is returned', () => {
    // diag(1, −0.5): the negative eigenvalue of M runs away from 1, so max|M − I| grows at once
    const res = optim.coupledNewtonInverseRoot(Float64Array.of(1, 0, 0, -0.5), 2, 2, { ridgeEpsilon: 0, relativeEpsilon: false });
    expect(res.iterations).toBe(0);
    // M₀ = D/λmax = diag(1, −0.5) and H₀ = (1/λmax)^(1/2)·I, λmax up to the power iteration's 1e-6
    expect(Math.abs(res.error - 1.5)).toBeLessThan(1e-6);
    expect(relErr(res.root, [1, 0, 0, 1])).toBeLessThan(1e-6);
    // an unreachable tolerance ends at numIters (or the guard) with a root accurate to rounding
    const a = spd(8, [1, 0.7, 0.3, 0.1, 0.05, 0.01, 0.003, 0.001], 3);
    const full = optim.coupledNewtonInverseRoot(a, 8, 4, { errorTolerance: 0, numIters: 60 });
    expect(full.iterations).toBeLessThanOrEqual(60);
    expect(relErr(full.root, optim.inverseRoot(a, 8, 4, full.ridge))).toBeLessThan(1e-11);
    // too few steps: the error reported is the true one of the iterate returned
    const short = optim.coupledNewtonInverseRoot(a, 8, 4, { numIters: 2 });
    expect(short.iterations).toBe(2);
    expect(short.error).toBeGreaterThan(0.1);
  });

  it('power iteration finds λmax', () => {
    const lambdas = [5, 4.9, 3, 1, 0.2, 0.1];
    const a = spd(6, lambdas, 11);
    const { value } = optim.powerIteration(a, 6, { numIters: 2000, tolerance: 1e-12 });
    expect(value).toBeCloseTo(5, 8);
    expect(optim.powerIteration(new Float64Array(4), 2).value).toBe(0);
  });

  it('bad arguments are DescentErrors naming what was expected', () => {
    const a = spd(3, [1, 2, 3], 5);
    expect(() => optim.coupledNewtonInverseRoot(a, 4, 2)).toThrow(/n·n = 16 elements, got 9/);
    expect(() => optim.coupledNewtonInverseRoot(a, 3, 1.5)).toThrow(/p: expected a positive integer, got 1.5/);
    expect(() => optim.coupledNewtonInverseRoot(a, 3, 2, { numIters: 0 })).toThrow(/numIters/);
    expect(() => optim.coupledNewtonInverseRoot(a, 3, 2, { ridgeEpsilon: -1 })).toThrow(/ridgeEpsilon/);
    expect(() => optim.coupledNewtonInverseRoot(a, 3, 2, { errorTolerance: NaN })).toThrow(/errorTolerance/);
    expect(() => optim.coupledNewtonInverseRoot(a, 3, 2, { relativeEpsilon: 1 as never })).toThrow(/relativeEpsilon/);
    expect(() => optim.inverseRoot(a, 3, 0, 1e-6)).toThrow(/p > 0/);
    expect(() => optim.symEig([1, 2, 3, 4] as never, 2)).toThrow(/Float64Array/);
    expect(() => optim.powerIteration(a, 3, { numIters: -2 })).toThrow(/numIters/);
    expect(() => optim.coupledNewtonInverseRoot(a, 3, 2, null as never)).toThrow(/options: expected an object, got null/);
  });
});
