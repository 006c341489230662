// evaluate: mean loss and accuracy of a classifier over a loader, in evaluation mode (dropout off,
// batch norm on running statistics) with gradients off. Sums stay on the device; the only reads
// are the two totals at the end.

import * as nn from '../nn/index.js';
import { DescentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { dispose, keep, tidy } from '../lifetime.js';
import { noGrad } from '../autograd/tape.js';
import { DataLoader } from '../data/dataset.js';
import type { LossFn } from './options.js';

export const defaultLoss: LossFn = (logits, y) => nn.functional.crossEntropy(logits, y);

/** Adds `x` to the running total `acc` (null at first) and returns the new total, kept. */
export function accumulate(acc: Tensor | null, x: Tensor): Tensor {
  const next = keep(acc === null ? x.clone() : tidy(() => acc.add(x)));
  acc?.dispose();
  return next;
}

/**
 * Mean loss (weighted by batch size) and top-1 accuracy of `model` over `loader`. Classes lie on
 * dim 1 as for crossEntropy: logits [N, C] with targets [N], or [N, C, T] with [N, T] (accuracy
 * then counts every position).
 * @example const { loss, accuracy } = evaluate(model, testLoader);
 */
export function evaluate(model: nn.Module, loader: DataLoader, lossFn: LossFn = defaultLoss): { loss: number; accuracy: number } {
  if (!(model instanceof nn.Module)) throw new DescentError('BAD_ARGUMENT', `evaluate: expected an nn.Module, got ${typeof model}`);
  if (!(loader instanceof DataLoader)) throw new DescentError('BAD_ARGUMENT', 'evaluate: expected a DataLoader');
  if (typeof lossFn !== 'function') throw new DescentError('BAD_ARGUMENT', 'evaluate: lossFn must be a function (logits, target) => loss');
  const wasTraining = model.training;
  model.eval();
  let lossSum: Tensor | null = null, correct: Tensor | null = null, rows = 0, targets = 0;
  try {
    for (const batch of loader) {
      const [x, y] = batch;
      try {
        const [l, c] = tidy(() => noGrad(() => {
          const logits = model.call(x) as Tensor;
          return [lossFn(logits, y).mul(y.shape[0]), logits.argmax(1).eq(y).sum()];
        }));
        lossSum = accumulate(lossSum, l);
        correct = accumulate(correct, c);
        dispose([l, c]);
        rows += y.shape[0];
        targets += y.size;
      } finally {
        dispose(batch);
      }
    }
    return { loss: lossSum === null ? NaN : lossSum.item() / rows, accuracy: correct === null ? NaN : correct.item() / targets };
  } finally {
    dispose([lossSum, correct].filter((t): t is Tensor => t !== null));
    model.train(wasTraining);
  }
}
