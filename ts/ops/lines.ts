// Host-side work along one dim, for ops no backend has a primitive for (sorting, scans): x is
// read once with `dim` moved last, `fill` computes each line, and the result is written back to
// x's device with x's shape. Nothing here records a graph; callers attach their own VJP.

import { noGrad } from '../autograd/tape.js';
import type { DType } from '../dtype.js';
import { tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { contiguous, permute } from './shape.js';

/** One line: values v[base .. base+n) in, out[base .. base+n) to write. */
export type LineFill = (v: ArrayLike<number>, out: Float64Array, base: number, n: number) => void;

/** A contiguous `dtype` tensor of x's shape whose lines along `d` are computed by `fill`. */
export function alongLines(x: Tensor, d: number, dtype: DType, fill: LineFill): Tensor {
  const last = x.ndim - 1;
  const perm = x.shape.map((_, i) => (i === d ? last : i === last ? d : i)); // swaps d and last: its own inverse
  const moved = noGrad(() => permute(x, perm));
  const v = moved.dataSync();
  moved.dispose();
  const n = x.ndim === 0 ? 1 : x.shape[d];
  const out = new Float64Array(v.length);
  for (let base = 0; base < v.length; base += n) fill(v, out, base, n);
  return tidy(() => contiguous(permute(tensor(out, { dtype, device: x.device, shape: perm.map((i) => x.shape[i]) }), perm)));
}
