// Gradient clipping with PyTorch's semantics (torch.nn.utils.clip_grad_norm_ / clip_grad_value_):
// the total norm is the p-norm of the per-tensor p-norms (max for p = ∞), the scale is
// min(1, maxNorm / (total + 1e-6)) — note the 1e-6 in the denominator — and gradients are
// replaced by scaled copies (the old gradient tensors are disposed). Parameters without a
// gradient are ignored. The norm and the scale are computed on the gradients' device; only
// clipGradNorm's number return reads the total on the host.

import { DescentError, check, checkOptions } from '../errors.js';
import { Tensor } from '../tensor.js';
import { add, clamp, div, mul } from '../ops/elementwise.js';
import { stack } from '../ops/join.js';
import { zeros } from '../ops/creation.js';
import { norm } from '../ops/reduce.js';
import { noGrad } from '../autograd/tape.js';
import { keep, tidy } from '../lifetime.js';
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

function checkNorm(where: string, maxNorm: number, normType: number): void {
  checkNumber(where, 'maxNorm', maxNorm, { min: 0 });
  check(normType === Infinity || (typeof normType === 'number' && normType > 0 && Number.isFinite(normType)), 'BAD_ARGUMENT',
    () => `${where}: expected normType > 0 or Infinity, got ${String(normType)}`);
}

/** The total norm of the gradients as a 0-d tensor (f64 if any gradient is, else f32), on their device. */
function totalNorm(ps: Tensor[], normType: number): Tensor {
  return tidy(() => {
    const norms = ps.map((p) => norm(p.grad as Tensor, normType));
    const dtype = norms.some((n) => n.dtype === 'f64') ? 'f64' : 'f32';
    return norm(stack(norms.map((n) => n.to(dtype))), normType);
  });
}

/** Multiplies every gradient by min(maxNorm / (total + 1e-6), 1), computed on the device. */
function scaleGrads(ps: Tensor[], total: Tensor, maxNorm: number): void {
  tidy(() => {
    const coef = clamp(div(maxNorm, add(total, 1e-6)), null, 1);
    for (const p of ps) replaceGrad(p, mul(p.grad as Tensor, coef.to(p.grad!.dtype)));
  });
}

/**
 * Rescales gradients so their total `normType`-norm is at most `maxNorm`; returns the total norm
 * before clipping (a number). `normType` may be any p > 0 or Infinity. The total is read on the
 * host: on webgpu use clipGradNormTensor.
 * @example const total = optim.clipGradNorm(model.parameters(), 1.0);
 */
export function clipGradNorm(params: Params, maxNorm: number, normType = 2,
  opts: { errorIfNonfinite?: boolean } = {}): number {
  const where = 'clipGradNorm';
  checkNorm(where, maxNorm, normType);
  checkOptions(where, opts, ['errorIfNonfinite']);
  const errorIfNonfinite = checkBool(where, 'errorIfNonfinite', opts?.errorIfNonfinite ?? false);
  const ps = withGrads(where, params);
  if (ps.length === 0) return 0;
  check(ps.every((p) => p.grad!.device !== 'webgpu'), 'UNSUPPORTED', () =>
    `${where}: gradients on webgpu cannot be read synchronously; use clipGradNormTensor (clips on the device, returns the total norm as a tensor)`);
  return noGrad(() => {
    const total = totalNorm(ps, normType);
    try {
      const value = total.item();
      if (errorIfNonfinite && !Number.isFinite(value)) {
        throw new DescentError('INVALID_DATA', `${where}: the total norm of order ${normType} of the gradients is ${value}; expected a finite value (errorIfNonfinite is set)`);
      }
      scaleGrads(ps, total, maxNorm);
      return value;
    } finally {
      total.dispose();
    }
  });
}

/**
 * clipGradNorm on any device without a host read (torch's clip_grad_norm_ also returns a
 * tensor): the gradients are scaled on their device and the total norm before clipping comes
 * back as a 0-d tensor (the caller disposes it; `await total.data()` reads it on webgpu).
 * @example optim.clipGradNormTensor(model.parameters(), 1.0).dispose();
 */
export function clipGradNormTensor(params: Params, maxNorm: number, normType = 2): Tensor {
  const where = 'clipGradNormTensor';
  checkNorm(where, maxNorm, normType);
  const ps = withGrads(where, params);
  return noGrad(() => {
    if (ps.length === 0) return zeros([]);
    const total = totalNorm(ps, normType);
    scaleGrads(ps, total, maxNorm);
    return total;
  });
}

/** Clamps every gradient element into [−clipValue, clipValue]. */
export function clipGradValue(params: Params, clipValue: number): void {
  checkNumber('clipGradValue', 'clipValue', clipValue, { min: 0 });
  const ps = withGrads('clipGradValue', params);
  noGrad(() => { for (const p of ps) replaceGrad(p, clamp(p.grad as Tensor, -clipValue, clipValue)); });
}
