// Symmetric eigendecomposition and inverse p-th roots in f64 on the host, for Shampoo's
// preconditioners (the stable method ALGORITHMS.md §6 names: eigendecomposition in double, as Meta's
// DistributedShampoo's default). Cyclic Jacobi rotations (Golub & Van Loan, "Matrix Computations",
// §8.5): slow for large n (O(n³) per sweep) but accurate to a few ulps of the largest eigenvalue,
// and it never fails; the matrices here are Shampoo's blocks (≤ maxPreconditionerDim).

/** Eigenvalues w and eigenvectors (columns of v, row-major n×n) of the symmetric matrix a (row-major, not modified). */
export function symEig(a: Float64Array, n: number): { w: Float64Array; v: Float64Array } {
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

/**
 * (A + εI)^(−1/p) for symmetric positive semidefinite A: Q·diag((λ + ε)^(−1/p))·Qᵀ, with eigenvalues
 * clipped at 0 first (rounding can make a PSD matrix's smallest ones slightly negative).
 */
export function inverseRoot(a: Float64Array, n: number, p: number, eps: number): Float64Array {
  const { w, v } = symEig(a, n);
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
