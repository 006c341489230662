// oneHot: class indices → i32 0/1 vectors, one compare of the indices against 0..C-1. Indices are
// read on the host first to validate them (as the index ops do).

import { check, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { eq } from './elementwise.js';
import { unsqueeze } from './shape.js';
import { assertTensor, describe, scoped } from './util.js';

/**
 * out[..., c] = 1 where indices[...] = c (torch.nn.functional.one_hot); indices is an i32 tensor
 * of values in [0, numClasses); numClasses = -1 (default) takes max + 1. The result is i32.
 * @example d.oneHot(d.tensor([0, 2], { dtype: 'i32' }), 3)  // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  assertTensor(indices, 'oneHot', 'indices');
  check(indices.dtype === 'i32', 'BAD_DTYPE', () => `oneHot: expected i32 class indices, got dtype ${indices.dtype}`);
  check(Number.isInteger(numClasses) && numClasses >= -1, 'BAD_ARGUMENT',
    () => `oneHot: expected numClasses to be a non-negative integer or -1, got ${describe(numClasses)}`);
  const values = indices.dataSync();
  check(numClasses >= 0 || values.length > 0, 'BAD_ARGUMENT',
    () => `oneHot: cannot infer numClasses from an empty tensor (shape ${fmtShape(indices.shape)}); pass it`);
  let c = numClasses;
  if (c < 0) for (const v of values) c = Math.max(c, v + 1);
  values.forEach((v, i) => check(v >= 0 && v < c, 'INDEX_OUT_OF_RANGE',
    () => `oneHot: class index ${v} at flat position ${i} is outside 0..${c - 1} (numClasses ${c})`));
  return scoped(() => eq(unsqueeze(indices, -1), arange(c, undefined, 1, { device: indices.device })));
}
