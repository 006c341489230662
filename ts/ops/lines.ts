// Host-side work along one dim, for ops no backend has a primitive for (sorting, scans): x is
// read once with `dim` moved last, `fill` computes each line, and the result is written back to
// x's device with x's shape. Nothing here records a graph; callers attach their own VJP.

import { noGrad } from '../autograd/tape.js';
import type { DType } from '../dtype.js';
import { tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { contiguous, permute } from './shape.js';

/** One line: values v[base .. base+n) in, out[outBase .. outBase+m) to write. */
export type LineFill = (v: ArrayLike<number>, base: number, n: number, out: Float64Array, outBase: number) => void;

/**
 * A contiguous `dtype` tensor of x's shape, but m long along `d`, whose lines along `d` are
 * computed by `fill` from x's lines.
 */
export function alongLines(x: Tensor, d: number, dtype: DType, m: number, fill: LineFill): Tensor {
  const last = x.ndim - 1;
  const perm = x.shape.map((_, i) => (i === d ? last : i === last ? d : i)); // swaps d and last: its own inverse
  const moved = noGrad(() => permute(x, perm));
  const v = moved.dataSync();
  moved.dispose();
  const n = x.ndim === 0 ? 1 : x.shape[d];
  const lines = n === 0 ? 0 : v.length / n;
  const out = new Float64Array(lines * m);
  for (let l = 0; l < lines; l++) fill(v, l * n, n, out, l * m);
  const shape = perm.map((i) => (i === d ? m : x.shape[i]));
  return tidy(() => contiguous(permute(tensor(out, { dtype, device: x.device, shape }), perm)));
}
