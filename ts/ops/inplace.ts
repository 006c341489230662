// In-place writes, torch's `copy_` and `fill_`: the only ops that change an existing tensor's
// values. Parameters, running statistics and initializers live in fixed storages that other
// holders reference, so they are overwritten rather than replaced. Outside autograd by nature.

import { noGrad } from '../autograd/tape.js';
import { check, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { full } from './creation.js';
import { to } from './shape.js';
import { assertTensor, castTo } from './util.js';

/**
 * Writes src's values into dst (same shape; dtype and device converted as `to` would) and
 * returns dst. dst may be any view, e.g. a slice.
 * @example d.copyInto(param, d.zerosLike(param));
 */
export function copyInto(dst: Tensor, src: Tensor): Tensor {
  assertTensor(dst, 'copyInto', 'dst');
  assertTensor(src, 'copyInto', 'src');
  check(dst.ndim === src.ndim && dst.shape.every((n, i) => n === src.shape[i]), 'SHAPE_MISMATCH',
    () => `copyInto: expected src of shape ${fmtShape(dst.shape)} (dst's), got ${fmtShape(src.shape)}`);
  return noGrad(() => {
    const moved = to(src, dst.device);
    const cast = castTo(moved, dst.dtype);
    try {
      dst.backend.copy(cast, dst);
    } finally {
      if (cast !== moved) cast.dispose();
      if (moved !== src) moved.dispose();
    }
    return dst;
  });
}

/**
 * Sets every element of t to `value` (converted to t's dtype) and returns t.
 * @example d.fill_(bn.runningVar, 1);
 */
export function fill_(t: Tensor, value: number): Tensor {
  assertTensor(t, 'fill_');
  check(typeof value === 'number', 'BAD_ARGUMENT', () => `fill_: expected a number, got ${typeof value}`);
  if (t.offset === 0 && t.size === t.storage.size && t.isContiguous()) {
    t.backend.fill(t.storage, value);
    return t;
  }
  const src = full(t.shape, value, { dtype: t.dtype, device: t.device });
  try {
    t.backend.copy(src, t);
  } finally {
    src.dispose();
  }
  return t;
}
