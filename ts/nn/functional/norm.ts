// batchNorm and layerNorm as composites of primitives (their gradients come from autograd).
// batchNorm updates the running statistics in place, as torch does, with the unbiased batch
// variance; normalization itself uses the biased one.

import { inF32IfAutocast } from '../../amp/autocast.js';
import { noGrad } from '../../autograd/tape.js';
import { check, checkOptions, fmtShape } from '../../errors.js';
import { add, mul, rsqrt, square, sub } from '../../ops/elementwise.js';
import { mean } from '../../ops/reduce.js';
import { reshape } from '../../ops/shape.js';
import { copyInto } from '../../ops/inplace.js';
import { assertTensor } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { checkInput, composite } from './util.js';

export interface BatchNormOptions {
  weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number;
}

function checkChannelVector(where: string, name: string, t: Tensor | null | undefined, c: number): void {
  if (t === null || t === undefined) return;
  assertTensor(t, where, name);
  check(t.ndim === 1 && t.shape[0] === c, 'SHAPE_MISMATCH', () => `${where}: expected ${name} of shape [${c}], got ${fmtShape(t.shape)}`);
}

/** Batch statistics need more than one value per channel (else the variance is undefined). */
export function checkBatchStats(where: string, x: Tensor): void {
  check(x.size / x.shape[1] > 1, 'SHAPE_MISMATCH',
    () => `${where}: expected more than 1 value per channel when training, got input of shape ${fmtShape(x.shape)}`);
}

/**
 * Batch normalization over all dims but 1 of x [N, C, ...] (Ioffe & Szegedy 2015). In training
 * (or without running stats) the batch statistics normalize, and the running ones, when given,
 * move by `momentum` (default 0.1); in eval the running ones normalize.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts?: BatchNormOptions): Tensor {
  const inF32 = inF32IfAutocast((x32: Tensor) => batchNorm(x32, runningMean, runningVar, opts), [x]);
  if (inF32 !== null) return inF32;
  checkOptions('batchNorm', opts, ['weight', 'bias', 'training', 'momentum', 'eps']);
  checkInput('batchNorm', x, [2, 3, 4, 5], 'a [N, C, ...] input');
  const c = x.shape[1];
  for (const [n, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', opts?.weight], ['bias', opts?.bias]] as const) {
    checkChannelVector('batchNorm', n, t, c);
  }
  const training = opts?.training ?? false;
  const momentum = opts?.momentum ?? 0.1;
  const eps = opts?.eps ?? 1e-5;
  check((runningMean === null) === (runningVar === null), 'BAD_ARGUMENT', () => 'batchNorm: pass both running statistics or neither');
  check(training || runningMean !== null, 'BAD_ARGUMENT', () => 'batchNorm: eval mode needs running statistics');
  const count = x.size / c;
  if (training) checkBatchStats('batchNorm', x);
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const bshape = x.shape.map((n, i) => (i === 1 ? n : 1));
  return composite(() => {
    let mu: Tensor;
    let v: Tensor;
    if (training) {
      mu = mean(x, axes, { keepdim: true });
      v = mean(square(sub(x, mu)), axes, { keepdim: true });
      if (runningMean !== null && runningVar !== null) {
        noGrad(() => {
          copyInto(runningMean, add(mul(runningMean, 1 - momentum), mul(reshape(mu, [c]), momentum)));
          copyInto(runningVar, add(mul(runningVar, 1 - momentum), mul(reshape(v, [c]), (momentum * count) / (count - 1))));
        });
      }
    } else {
      mu = reshape(runningMean!, bshape);
      v = reshape(runningVar!, bshape);
    }
    let y = mul(sub(x, mu), rsqrt(add(v, eps)));
    if (opts?.weight) y = mul(y, reshape(opts.weight, bshape));
    if (opts?.bias) y = add(y, reshape(opts.bias, bshape));
    return y;
  });
}

export interface LayerNormOptions { weight?: Tensor | null; bias?: Tensor | null; eps?: number }

/** Layer normalization over the trailing dims `normalizedShape` (Ba et al. 2016). */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], opts?: LayerNormOptions): Tensor {
  const inF32 = inF32IfAutocast(layerNorm, [x, normalizedShape, opts]);
  if (inF32 !== null) return inF32;
  checkOptions('layerNorm', opts, ['weight', 'bias', 'eps']);
  assertTensor(x, 'layerNorm', 'input');
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  check(k > 0 && x.ndim >= k && tail.every((n, i) => n === normalizedShape[i]), 'SHAPE_MISMATCH',
    () => `layerNorm: expected input ending in ${fmtShape(normalizedShape)}, got input of shape ${fmtShape(x.shape)}`);
  for (const name of ['weight', 'bias'] as const) {
    const t = opts?.[name];
    if (t === null || t === undefined) continue;
    assertTensor(t, 'layerNorm', name);
    check(t.shape.length === k && t.shape.every((n, i) => n === normalizedShape[i]), 'SHAPE_MISMATCH',
      () => `layerNorm: expected ${name} of shape ${fmtShape(normalizedShape)}, got ${fmtShape(t.shape)}`);
  }
  const axes = normalizedShape.map((_, i) => x.ndim - k + i);
  const eps = opts?.eps ?? 1e-5;
  return composite(() => {
    const mu = mean(x, axes, { keepdim: true });
    const centered = sub(x, mu);
    const v = mean(square(centered), axes, { keepdim: true });
    let y = mul(centered, rsqrt(add(v, eps)));
    if (opts?.weight) y = mul(y, opts.weight);
    if (opts?.bias) y = add(y, opts.bias);
    return y;
  });
}
