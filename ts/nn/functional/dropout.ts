// dropout (Srivastava et al. 2014), inverted: kept values are scaled by 1/(1−p) in training so
// eval is the identity. The mask comes from the seeded Philox stream (manualSeed).

import { check } from '../../errors.js';
import { rand } from '../../ops/creation.js';
import { ge, mul } from '../../ops/elementwise.js';
import { to } from '../../ops/shape.js';
import { assertTensor } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { composite, prob } from './util.js';

/** Zeroes each element with probability p in training and scales the rest by 1/(1−p). */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  assertTensor(x, 'dropout', 'input');
  prob('dropout', 'p', p);
  check(typeof training === 'boolean', 'BAD_ARGUMENT', () => `dropout: training must be a boolean, got ${String(training)}`);
  if (!training || p === 0) return x;
  return composite(() => {
    const u = rand(x.shape, { dtype: x.dtype === 'f64' ? 'f64' : 'f32', device: x.device });
    const keepScaled = mul(to(ge(u, p), x.dtype), p === 1 ? 0 : 1 / (1 - p));
    return mul(x, keepScaled);
  });
}
