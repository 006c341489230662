// Host-side work along one dim, for ops no backend has a primitive for (sorting, scans): the
// inputs are read once with `dim` moved last, `fill` computes each line, and the result is
// written back to their device. Nothing here records a graph; callers attach their own VJP.

import { noGrad } from '../autograd/tape.js';
import type { DType } from '../dtype.js';
import { tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { contiguous, permute } from './shape.js';

/** One line: values vs[j][base .. base+n) of each input in, out[outBase .. outBase+m) to write. */
export type LineFill = (vs: ArrayLike<number>[], base: number, n: number, out: Float64Array | Float32Array, outBase: number) => void;

/**
 * A contiguous `dtype` tensor of the inputs' shape (all alike, on one device), but m long along
 * `d`, whose lines along `d` are computed by `fill` from the inputs' lines.
 */
export function alongLines(xs: readonly Tensor[], d: number, dtype: DType, m: number, fill: LineFill): Tensor {
  const x = xs[0];
  const last = x.ndim - 1;
  const perm = x.shape.map((_, i) => (i === d ? last : i === last ? d : i)); // swaps d and last: its own inverse
  const vs = xs.map((t) => {
    const moved = noGrad(() => permute(t, perm));
    const v = moved.dataSync();
    moved.dispose();
    return v;
  });
  const n = x.ndim === 0 ? 1 : x.shape[d];
  const lines = n === 0 ? 0 : x.size / n;
  // Values stored as f32 or halves are rounded to f32 as they are written (once each, as one copy
  // to storage does); i32 goes through f64 so that tensor() rejects what leaves its range.
  const out = dtype === 'f64' || dtype === 'i32' ? new Float64Array(lines * m) : new Float32Array(lines * m);
  for (let l = 0; l < lines; l++) fill(vs, l * n, n, out, l * m);
  const shape = perm.map((i) => (i === d ? m : x.shape[i]));
  return tidy(() => contiguous(permute(tensor(out, { dtype, device: x.device, shape }), perm)));
}
