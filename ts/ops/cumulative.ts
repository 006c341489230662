// Cumulative sums and products along a dim, both from one primitive: the first-order linear
// recurrence h_k = b_k + a·h_prev, with a link weight a_k joining positions k and k+1 (all 1 for
// cumsum). No backend has a scan primitive, so it runs on the host over one read of the data
// (ts/ops/lines.ts), accumulating in f64 and rounding each output once (torch's CPU kernels
// accumulate float in double too). Its adjoint is the same recurrence run the other way over the
// same links, so cumsum and cumprod differentiate to any order, exactly, zeros included.

import { attach } from '../autograd/tape.js';
import type { Tensor } from '../tensor.js';
import { mul, where } from './elementwise.js';
import { arange } from './creation.js';
import { alongLines } from './lines.js';
import { clone, reshape, slice, sliceScatter } from './shape.js';
import { assertTensor, normAxis, scoped } from './util.js';

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
  assertTensor(x, 'cumsum');
  return linkScan(x, null, normAxis(dim, x.ndim, 'cumsum'), false);
}

/**
 * Running products along `dim` (torch.cumprod): y_k = x_k·y_{k−1} is the recurrence with
 * b = (x_0, 0, 0, ...) and links a_k = x_{k+1}. Its gradient, Π_{j<k} x_j · Σ_{i≥k} g_i Π_{k<j≤i} x_j,
 * divides by nothing, so zeros need no special case.
 */
export function cumprod(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'cumprod');
  const d = normAxis(dim, x.ndim, 'cumprod');
  if (x.ndim === 0 || x.shape[d] <= 1) return clone(x);
  return scoped(() => {
    const first = reshape(arange(x.shape[d], undefined, 1, { device: x.device }).eq(0), x.shape.map((s, i) => (i === d ? s : 1)));
    return linkScan(where(first, x, 0), shiftNext(x, d), d, false);
  });
}
