// Triangular parts of matrices (the last two dims, batched): tril keeps j − i ≤ diagonal, triu
// keeps j − i ≥ diagonal, zeros elsewhere. A where over an index mask, so the gradient is the
// same triangle of g (where's VJP) and every device runs it with its own kernels.

import { check, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { ge, le, sub, where } from './elementwise.js';
import { reshape } from './shape.js';
import { assertTensor, describe, scoped } from './util.js';

function triangle(name: string, x: Tensor, diagonal: number, lower: boolean): Tensor {
  assertTensor(x, name);
  check(x.ndim >= 2, 'SHAPE_MISMATCH', () => `${name}: expected a matrix or a batch of matrices (at least 2 dims), got shape ${fmtShape(x.shape)}`);
  check(Number.isInteger(diagonal), 'BAD_ARGUMENT', () => `${name}: expected an integer diagonal, got ${describe(diagonal)}`);
  const [m, n] = x.shape.slice(-2);
  return scoped(() => {
    const offset = sub(arange(n, undefined, 1, { device: x.device }), reshape(arange(m, undefined, 1, { device: x.device }), [m, 1]));
    return where(lower ? le(offset, diagonal) : ge(offset, diagonal), x, 0);
  });
}

/**
 * The lower triangle of the last two dims: entries with j − i ≤ diagonal kept, the rest zero.
 * @example d.tril(d.ones([3, 3]), -1)  // strictly lower
 */
export const tril = (x: Tensor, diagonal = 0): Tensor => triangle('tril', x, diagonal, true);

/** The upper triangle of the last two dims: entries with j − i ≥ diagonal kept, the rest zero. */
export const triu = (x: Tensor, diagonal = 0): Tensor => triangle('triu', x, diagonal, false);
