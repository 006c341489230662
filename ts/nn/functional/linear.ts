// linear: y = x·Wᵀ + b over the last dim of x (torch.nn.functional.linear).

import { castLow, lowPrecisionOp } from '../../amp/autocast.js';
import { check, fmtShape } from '../../errors.js';
import { add } from '../../ops/elementwise.js';
import { matmul } from '../../ops/linalg.js';
import { transpose } from '../../ops/shape.js';
import { assertTensor } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { composite } from './util.js';

/**
 * x [..., in] · weight [out, in]ᵀ + bias [out].
 * @example nn.functional.linear(x, w, b)
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  assertTensor(x, 'linear', 'input');
  assertTensor(weight, 'linear', 'weight');
  check(weight.ndim === 2, 'SHAPE_MISMATCH', () => `linear: expected a 2-d weight [out, in], got ${fmtShape(weight.shape)}`);
  check(x.ndim >= 1 && x.shape[x.ndim - 1] === weight.shape[1], 'SHAPE_MISMATCH',
    () => `linear: expected input with ${weight.shape[1]} features in its last dim (weight ${fmtShape(weight.shape)}), got input of shape ${fmtShape(x.shape)}`);
  if (bias !== null) {
    assertTensor(bias, 'linear', 'bias');
    check(bias.ndim === 1 && bias.shape[0] === weight.shape[0], 'SHAPE_MISMATCH',
      () => `linear: expected bias of shape [${weight.shape[0]}], got ${fmtShape(bias.shape)}`);
  }
  return composite(() => lowPrecisionOp(() => {
    const y = matmul(x, transpose(castLow(weight), 0, 1)); // the leaf is cast (and cached), not its view
    return bias === null ? y : add(y, castLow(bias));
  }));
}
