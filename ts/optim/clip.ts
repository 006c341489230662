// Gradient clipping with PyTorch's semantics (torch.nn.utils.clip_grad_norm_ / clip_grad_value_):
// the total norm is the p-norm of the per-tensor p-norms (max for p = ∞), the scale is
// min(1, maxNorm / (total + 1e-6)) — note the 1e-6 in the denominator — and gradients are
// replaced by scaled copies (the old gradient tensors are disposed). Parameters without a
// gradient are ignored.

import { DescentError, check, checkOptions } from '../errors.js';
import { Tensor } from '../tensor.js';
import { clamp, mul } from '../ops/elementwise.js';
import { norm } from '../ops/reduce.js';
import { noGrad } from '../autograd/tape.js';
import { keep } from '../lifetime.js';
import { checkBool, checkNumber } from './validate.js';

type Params = Tensor | Iterable<Tensor>;

function withGrads(where: string, params: Params): Tensor[] {
  const list = params instanceof Tensor ? [params] : (check(params !== null && typeof params === 'object'
    && Symbol.iterator in params, 'BAD_ARGUMENT', () => `${where}: expected a tensor or an iterable of tensors, got ${String(params)}`),
  [...params]);
  list.forEach((p, i) => check(p instanceof Tensor, 'BAD_ARGUMENT', () => `${where}: params[${i}] expected a Tensor, got ${String(p)}`));
  return list.filter((p) => p.grad !== null);
}

function replaceGrad(p: Tensor, next: Tensor): void {
  const old = p.grad as Tensor;
  p.grad = keep(next);
  old.dispose();
}

/**
 * Rescales gradients so their total `normType`-norm is at most `maxNorm`; returns the total norm
 * before clipping (a number). `normType` may be any p > 0 or Infinity.
 * @example const total = optim.clipGradNorm(model.parameters(), 1.0);
 */
export function clipGradNorm(params: Params, maxNorm: number, normType = 2,
  opts: { errorIfNonfinite?: boolean } = {}): number {
  const where = 'clipGradNorm';
  checkNumber(where, 'maxNorm', maxNorm, { min: 0 });
  check(normType === Infinity || (typeof normType === 'number' && normType > 0 && Number.isFinite(normType)), 'BAD_ARGUMENT',
    () => `${where}: expected normType > 0 or Infinity, got ${String(normType)}`);
  checkOptions(where, opts, ['errorIfNonfinite']);
  const errorIfNonfinite = checkBool(where, 'errorIfNonfinite', opts?.errorIfNonfinite ?? false);
  const ps = withGrads(where, params);
  if (ps.length === 0) return 0;
  return noGrad(() => {
    const norms = ps.map((p) => {
      const n = norm(p.grad as Tensor, normType);
      const v = n.item();
      n.dispose();
      return v;
    });
    const total = normType === Infinity ? Math.max(...norms)
      : norms.reduce((a, n) => a + n ** normType, 0) ** (1 / normType);
    if (errorIfNonfinite && !Number.isFinite(total)) {
      throw new DescentError('INVALID_DATA', `${where}: the total norm of order ${normType} of the gradients is ${total}; expected a finite value (errorIfNonfinite is set)`);
    }
    const coef = Math.min(maxNorm / (total + 1e-6), 1);
    if (coef < 1 || Number.isNaN(coef)) for (const p of ps) replaceGrad(p, mul(p.grad as Tensor, coef));
    return total;
  });
}

/** Clamps every gradient element into [−clipValue, clipValue]. */
export function clipGradValue(params: Params, clipValue: number): void {
  checkNumber('clipGradValue', 'clipValue', clipValue, { min: 0 });
  const ps = withGrads('clipGradValue', params);
  noGrad(() => { for (const p of ps) replaceGrad(p, clamp(p.grad as Tensor, -clipValue, clipValue)); });
}
