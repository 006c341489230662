// Cumulative sums and products along a dim. No backend has a scan primitive, so scans run on the
// host over one read of the data (ts/ops/lines.ts), accumulating in f64 and rounding each output
// once (torch's CPU kernels accumulate float in double too). The gradients rest on one primitive,
// the linear recurrence h_k = b_k + a·h_prev with a link weight a_k joining positions k and k+1
// (all 1 for cumsum), whose adjoint is the same recurrence run the other way over the same links:
// cumsum and cumprod differentiate to any order, exactly, zeros included.

import { inF32IfAutocast } from '../amp/autocast.js';
import { attach } from '../autograd/tape.js';
import type { Tensor } from '../tensor.js';
import { onesLike } from './creation.js';
import { mul } from './elementwise.js';
import { cat } from './join.js';
import { alongLines } from './lines.js';
import { clone, narrow, slice, sliceScatter } from './shape.js';
import { assertTensor, normAxis } from './util.js';

/**
 * h along d: forward h_k = b_k + a_{k−1}·h_{k−1}, reverse h_k = b_k + a_k·h_{k+1}; a = null means
 * every link weighs 1. The first position of the run is b alone (so no 0·∞ enters it).
 */
function linkScan(b: Tensor, a: Tensor | null, d: number, reverse: boolean): Tensor {
  const n = b.ndim === 0 ? 1 : b.shape[d];
  const h = alongLines(a === null ? [b] : [b, a], d, b.dtype, n, ([vb, va], base, len, out) => {
    let acc = 0;
    for (let k = 0; k < len; k++) {
      const i = base + (reverse ? len - 1 - k : k);
      acc = k === 0 ? vb[i] : vb[i] + (va === undefined ? 1 : va[reverse ? i : i - 1]) * acc;
      out[i] = acc;
    }
  });
  return attach(h, a === null ? [b] : [b, a], (u) => {
    const c = linkScan(u, a, d, !reverse);
    // The link a_k enters h_{k+1} (forward) or h_k (reverse) times its neighbour's h.
    return a === null ? [c] : [c, reverse ? mul(c, shiftNext(h, d)) : mul(shiftNext(c, d), h)];
  }, 'linkScan');
}

/** t_{k+1} at k along d, 0 at the end. */
const shiftNext = (t: Tensor, d: number): Tensor => sliceScatter(slice(t, d, 1), t.shape, d, 0);

/**
 * Running sums along `dim` (torch.cumsum); i32 stays i32 (a sum that leaves the i32 range throws).
 * @example d.cumsum(d.tensor([1, 2, 3]), 0)  // [1, 3, 6]
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  const inF32 = inF32IfAutocast(cumsum, [x, dim]);
  if (inF32 !== null) return inF32;
  assertTensor(x, 'cumsum');
  return linkScan(x, null, normAxis(dim, x.ndim, 'cumsum'), false);
}

/**
 * Running products along `dim` (torch.cumprod). The gradient, dL/dx_k = Π_{j<k} x_j ·
 * Σ_{i≥k} g_i Π_{k<j≤i} x_j, is y shifted one step (1 first) times the reverse recurrence over
 * links x_{k+1}: it divides by nothing, so zeros need no special case, and differentiates again.
 */
export function cumprod(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'cumprod');
  const d = normAxis(dim, x.ndim, 'cumprod');
  const n = x.ndim === 0 ? 1 : x.shape[d];
  if (n <= 1) return clone(x);
  const y = alongLines([x], d, x.dtype, n, ([v], base, len, out) => {
    let acc = 1;
    for (let i = base; i < base + len; i++) out[i] = acc *= v[i];
  });
  return attach(y, [x], (g) => {
    const before = cat([onesLike(narrow(y, d, 0, 1)), narrow(y, d, 0, n - 1)], d); // Π_{j<k} x_j
    return [mul(linkScan(g, shiftNext(x, d), d, true), before)];
  }, 'cumprod');
}
