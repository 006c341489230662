// Softplus and log-sigmoid, torch's definitions. Both are composites for the forward value with
// a hand-written VJP (σ(βx) and σ(−x)): the composed forms would send 0·∞ = NaN back through the
// branch a `where` did not take, and these rules also differentiate again.

import { attach, noGrad } from '../autograd/tape.js';
import { check, checkOptions } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { abs, div, exp, gt, log1p, minimum, mul, neg, sigmoid, sub, where } from './elementwise.js';
import { assertTensor, describe, scoped } from './util.js';

export interface SoftplusOptions { beta?: number; threshold?: number }

function option(name: string, v: unknown, dflt: number, ok: (v: number) => boolean, expected: string): number {
  if (v === undefined) return dflt;
  check(typeof v === 'number' && ok(v), 'BAD_OPTION', () => `softplus: ${name} must be ${expected}, got ${describe(v)}`);
  return v;
}

/**
 * log(1 + exp(β·x))/β, and x itself where β·x > threshold (torch.nn.functional.softplus; defaults
 * β = 1, threshold = 20).
 * @example d.softplus(d.tensor([-1, 0, 30]), { beta: 2 })
 */
export function softplus(x: Tensor, opts?: SoftplusOptions): Tensor {
  assertTensor(x, 'softplus');
  checkOptions('softplus', opts, ['beta', 'threshold']);
  const beta = option('beta', opts?.beta, 1, (b) => Number.isFinite(b) && b !== 0, 'a finite nonzero number');
  const threshold = option('threshold', opts?.threshold, 20, (t) => !Number.isNaN(t), 'a number');
  const y = noGrad(() => scoped(() => {
    const bx = mul(x, beta);
    const linear = gt(bx, threshold);
    // exp only sees inputs of the taken branch, so no inf is made for the linear side.
    return where(linear, x, div(log1p(exp(where(linear, 0, bx))), beta));
  }));
  return attach(y, [x], (g) => {
    const bx = mul(x, beta);
    return [mul(g, where(gt(bx, threshold), 1, sigmoid(bx)))];
  }, 'softplus');
}

/**
 * log σ(x) = min(x, 0) − log(1 + e^{−|x|}), finite for every finite x (torch.nn.functional.logsigmoid).
 * @example d.logSigmoid(d.tensor([-100, 0, 100]))  // [-100, -0.693, -0]
 */
export function logSigmoid(x: Tensor): Tensor {
  assertTensor(x, 'logSigmoid');
  const y = noGrad(() => scoped(() => sub(minimum(x, 0), log1p(exp(neg(abs(x)))))));
  return attach(y, [x], (g) => [mul(g, sigmoid(neg(x)))], 'logSigmoid');
}
