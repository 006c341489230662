// Cumulative sums and products along a dim. No backend has a scan primitive, so the scan runs on
// the host over one read of the data (ts/ops/lines.ts), accumulating in f64 and rounding each
// output once (torch's CPU kernels accumulate float in double too); the result goes back to x's
// device. The gradients are built from these scans and elementwise ops, so they differentiate again.

import { attach } from '../autograd/tape.js';
import { isFloat } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { div, eq, logicalAnd, mul, where } from './elementwise.js';
import { alongLines } from './lines.js';
import { assertTensor, normAxis, scoped } from './util.js';

type ScanOp = 'sum' | 'prod';

/** Inclusive scan of x along d (from the end when `reverse`), same dtype, shape and device, no graph. */
function scan(x: Tensor, d: number, op: ScanOp, reverse: boolean): Tensor {
  return alongLines(x, d, x.dtype, x.ndim === 0 ? 1 : x.shape[d], (v, base, n, out) => {
    let acc = op === 'sum' ? 0 : 1;
    for (let k = 0; k < n; k++) {
      const i = base + (reverse ? n - 1 - k : k);
      acc = op === 'sum' ? acc + v[i] : acc * v[i];
      out[i] = acc;
    }
  });
}

/** cumsum along d, from the end when `reverse`; each direction's VJP is the other one. */
function cumulativeSum(x: Tensor, d: number, reverse: boolean): Tensor {
  return attach(scan(x, d, 'sum', reverse), [x], (g) => [cumulativeSum(g, d, !reverse)], 'cumsum');
}

/**
 * Running sums along `dim` (torch.cumsum); i32 stays i32 (a sum that leaves the i32 range throws).
 * @example d.cumsum(d.tensor([1, 2, 3]), 0)  // [1, 3, 6]
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'cumsum');
  return cumulativeSum(x, normAxis(dim, x.ndim, 'cumsum'), false);
}

/**
 * Running products along `dim` (torch.cumprod). The gradient is exact also with zeros: with z the
 * first zero of a line, dy/dx_k sums g_i·y_i/x_k over i ≥ k for k < z, g_i·Π_{j≤i, j≠z} x_j for
 * k = z (a cumprod with x_z set to 1), and is 0 past z, where every product holds x_z = 0.
 */
export function cumprod(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'cumprod');
  const d = normAxis(dim, x.ndim, 'cumprod');
  const y = scan(x, d, 'prod', false);
  if (!isFloat(x.dtype)) return y;
  return attach(y, [x], (g) => [scoped(() => {
    const zero = eq(x, 0);
    const seen = scan(zero, d, 'sum', false); // zeros up to and including each position
    const before = eq(seen, 0);
    const first = logicalAnd(zero, eq(seen, 1));
    const plain = div(cumulativeSum(mul(g, y), d, true), where(before, x, 1));
    const atFirst = cumulativeSum(mul(g, cumprod(where(first, 1, x), d)), d, true);
    return where(before, plain, where(first, atFirst, 0));
  })], 'cumprod');
}
