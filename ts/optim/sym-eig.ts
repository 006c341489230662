// Symmetric eigendecomposition and inverse p-th roots in f64 on the host, for Shampoo's
// preconditioners (the stable method ALGORITHMS.md §6 names: eigendecomposition in double, as Meta's
// DistributedShampoo's default). `symEig` is Householder tridiagonalization followed by the
// implicit QL iteration (tred2/tql2 of EISPACK, as in JAMA; Golub & Van Loan, "Matrix
// Computations", §8.3): about 9n³ flops. `symEigJacobi` (cyclic Jacobi rotations, §8.5) is several
// times slower but very simple; the tests hold the two against each other. The second root method,
// coupled Newton, is ./inverse-root.ts.

import { check } from '../errors.js';

/** Eigenvalues w and eigenvectors (columns of v, row-major n×n) of the symmetric matrix a (row-major, not modified). */
export function symEig(a: Float64Array, n: number): { w: Float64Array; v: Float64Array } {
  checkSquare('symEig', a, n);
  const v = Float64Array.from(a);
  const d = new Float64Array(n), e = new Float64Array(n);
  if (n === 0) return { w: d, v };
  tridiagonalize(v, d, e, n);
  // QL rotates pairs of eigenvector columns; on the transpose those are contiguous rows
  const vt = transposeSquare(v, n);
  qlImplicit(vt, d, e, n);
  return { w: d, v: transposeSquare(vt, n) };
}

function transposeSquare(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

/** Householder reduction to tridiagonal form; v becomes the accumulated orthogonal transform. */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[j * n + i] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j] * d[k];
          e[k] += v[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL iterations on the tridiagonal (d, e), rotating the rows of vt (eigenvectors) along. */
function qlImplicit(vt: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; iter < 60 && Math.abs(e[l]) > eps * tst1; iter++) {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const r0 = i * n, r1 = r0 + n;
          for (let k = 0; k < n; k++) {
            const vk1 = vt[r1 + k], vk = vt[r0 + k];
            vt[r1 + k] = s * vk + c * vk1;
            vt[r0 + k] = c * vk - s * vk1;
          }
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** The same decomposition by cyclic Jacobi rotations (slower; kept as an independent check). */
export function symEigJacobi(a: Float64Array, n: number): { w: Float64Array; v: Float64Array } {
  checkSquare('symEigJacobi', a, n);
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(m[i]));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off = Math.max(off, Math.abs(m[p * n + q]));
    if (off <= 1e-15 * scale || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        rotate(m, v, n, p, q, c, s);
      }
    }
  }
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = m[i * n + i];
  return { w, v };
}

/** Applies the Jacobi rotation (p, q, c, s) to m (both sides) and accumulates it into v. */
function rotate(m: Float64Array, v: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const mkp = m[k * n + p], mkq = m[k * n + q];
    m[k * n + p] = c * mkp - s * mkq;
    m[k * n + q] = s * mkp + c * mkq;
  }
  for (let k = 0; k < n; k++) {
    const mpk = m[p * n + k], mqk = m[q * n + k];
    m[p * n + k] = c * mpk - s * mqk;
    m[q * n + k] = s * mpk + c * mqk;
  }
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p], vkq = v[k * n + q];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

/** Throws BAD_ARGUMENT unless `a` is a Float64Array holding an n×n matrix (n a non-negative integer). */
export function checkSquare(where: string, a: unknown, n: number): void {
  check(Number.isInteger(n) && n >= 0, 'BAD_ARGUMENT', () => `${where}: expected a non-negative integer size n, got ${String(n)}`);
  check(a instanceof Float64Array && a.length === n * n, 'BAD_ARGUMENT',
    () => `${where}: expected a Float64Array of n·n = ${n * n} elements, got ${a instanceof Float64Array ? `${a.length} elements` : String(a)}`);
}

/**
 * (A + εI)^(−1/p) for symmetric positive semidefinite A: Q·diag((λ + ε)^(−1/p))·Qᵀ, with eigenvalues
 * clipped at 0 first (rounding can make a PSD matrix's smallest ones slightly negative). `eig`, if
 * given, is A's decomposition already computed (symEig's result).
 */
export function inverseRoot(a: Float64Array, n: number, p: number, eps: number,
  eig?: { w: Float64Array; v: Float64Array }): Float64Array {
  checkSquare('inverseRoot', a, n);
  check(typeof p === 'number' && p > 0 && Number.isFinite(p), 'BAD_ARGUMENT', () => `inverseRoot: expected p > 0, got ${String(p)}`);
  check(typeof eps === 'number' && eps >= 0 && Number.isFinite(eps), 'BAD_ARGUMENT',
    () => `inverseRoot: expected a finite eps ≥ 0, got ${String(eps)}`);
  const { w, v } = eig ?? symEig(a, n);
  const d = Array.from(w, (x) => (Math.max(x, 0) + eps) ** (-1 / p));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += v[i * n + k] * d[k] * v[j * n + k];
      out[i * n + j] = acc;
      out[j * n + i] = acc;
    }
  }
  return out;
}
