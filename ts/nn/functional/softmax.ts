// softmax and logSoftmax along one dim as composites (stable for large logits: the row max is
// subtracted first). Their gradients come from autograd through the primitives.

import { inF32IfAutocast } from '../../amp/autocast.js';
import { exp, log, sub } from '../../ops/elementwise.js';
import { max, sum } from '../../ops/reduce.js';
import { noGrad } from '../../autograd/tape.js';
import { assertTensor, normAxis } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { composite } from './util.js';

/**
 * log(softmax(x)) along `dim`, as (x − m) − log Σ exp(x − m) with m the row max: subtracting the
 * max first keeps log 2 in [1e38, 1e38] (x − logsumexp(x) would round it away in f32), as torch.
 * Like torch, m is not masked: a row holding +Inf, or only −Inf, is NaN throughout.
 */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const inF32 = inF32IfAutocast(logSoftmax, [x, dim]);
  if (inF32 !== null) return inF32;
  assertTensor(x, 'logSoftmax');
  const d = normAxis(dim, x.ndim, 'logSoftmax');
  return composite(() => {
    const shifted = sub(x, noGrad(() => max(x, [d], { keepdim: true })));
    return sub(shifted, log(sum(exp(shifted), d, { keepdim: true })));
  });
}

/** exp(x) normalized to sum 1 along `dim`: exp(logSoftmax(x)), so its non-finite rows are torch's. */
export function softmax(x: Tensor, dim = -1): Tensor {
  const inF32 = inF32IfAutocast(softmax, [x, dim]);
  if (inF32 !== null) return inF32;
  assertTensor(x, 'softmax');
  const d = normAxis(dim, x.ndim, 'softmax');
  return composite(() => exp(logSoftmax(x, d)));
}
