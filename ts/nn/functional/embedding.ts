// embedding: rows of a weight table picked by integer indices (torch.nn.functional.embedding).
// The paddingIdx row is read like any other but receives no gradient.

import { check, fmtShape } from '../../errors.js';
import { eq, where } from '../../ops/elementwise.js';
import { indexSelect } from '../../ops/indexing.js';
import { detach, reshape } from '../../ops/shape.js';
import { assertTensor } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { composite } from './util.js';

/** weight[indices]: indices (i32, any shape) → [...indices.shape, dim]. */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  assertTensor(indices, 'embedding', 'indices');
  assertTensor(weight, 'embedding', 'weight');
  check(indices.dtype === 'i32', 'BAD_DTYPE', () => `embedding: expected i32 indices, got dtype ${indices.dtype}`);
  check(weight.ndim === 2, 'SHAPE_MISMATCH', () => `embedding: expected a 2-d weight [num, dim], got ${fmtShape(weight.shape)}`);
  const [num, dim] = weight.shape;
  const pad = paddingIdx !== null && paddingIdx < 0 ? paddingIdx + num : paddingIdx;
  check(pad === null || (Number.isInteger(pad) && pad >= 0 && pad < num), 'BAD_ARGUMENT',
    () => `embedding: paddingIdx must be an integer in [-${num}, ${num}), got ${String(paddingIdx)}`);
  return composite(() => {
    const flat = reshape(indices, [indices.size]);
    let rows = indexSelect(weight, 0, flat);
    if (pad !== null) rows = where(reshape(eq(flat, pad), [indices.size, 1]), detach(rows), rows);
    return reshape(rows, [...indices.shape, dim]);
  });
}
