// softmax and logSoftmax along one dim as composites of logsumexp (stable for large logits:
// logsumexp subtracts the max first). Their gradients come from autograd through the primitives.

import { exp, log, sub } from '../../ops/elementwise.js';
import { logsumexp, stableShift, sum } from '../../ops/reduce.js';
import { assertTensor, normAxis } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { composite } from './util.js';

/**
 * log(softmax(x)) along `dim`, as (x − m) − log Σ exp(x − m) with m the row max: subtracting the
 * max first keeps log 2 in [1e38, 1e38] (x − logsumexp(x) would round it away in f32), as torch.
 */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  assertTensor(x, 'logSoftmax');
  const d = normAxis(dim, x.ndim, 'logSoftmax');
  return composite(() => {
    const shifted = sub(x, stableShift(x, [d]));
    return sub(shifted, log(sum(exp(shifted), d, { keepdim: true })));
  });
}

/** exp(x) normalized to sum 1 along `dim`. */
export function softmax(x: Tensor, dim = -1): Tensor {
  assertTensor(x, 'softmax');
  const d = normAxis(dim, x.ndim, 'softmax');
  return composite(() => exp(sub(x, logsumexp(x, d, { keepdim: true }))));
}
