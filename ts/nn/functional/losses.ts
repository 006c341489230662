// Elementwise and margin losses with PyTorch's exact semantics (torch.nn.functional, camelCase):
// mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropy(+WithLogits), hingeEmbeddingLoss,
// multiMarginLoss, klDiv. Each is a composite of differentiable primitives; autograd gives the
// backward. Class-index losses (nllLoss, crossEntropy) live in cross-entropy.ts.

import { inF32IfAutocast } from '../../amp/autocast.js';
import { attach, noGrad } from '../../autograd/tape.js';
import { check, fmtShape } from '../../errors.js';
import {
  abs, add, clamp, div, exp, log, log1p, maximum, mul, ne, neg, relu, sigmoid, square, sub, where,
} from '../../ops/elementwise.js';
import { arange } from '../../ops/creation.js';
import { sum } from '../../ops/reduce.js';
import { gather, indexSelect } from '../../ops/indexing.js';
import { reshape, unsqueeze } from '../../ops/shape.js';
import { broadcastShapes } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import {
  type ReductionOptions, classTarget, floatInput, lossOptions, numberOption, optionalWeight, reduce, sameShapeTarget, weighted,
} from './loss-util.js';
import { composite } from './util.js';

/** Mean squared error (x − y)². @example nn.functional.mseLoss(pred, target) */
export function mseLoss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const inF32 = inF32IfAutocast(mseLoss, [input, target, opts]);
  if (inF32 !== null) return inF32;
  const r = lossOptions('mseLoss', opts, []);
  const x = floatInput('mseLoss', input);
  const y = sameShapeTarget('mseLoss', x, target);
  return composite(() => reduce(square(sub(x, y)), r));
}

/** Mean absolute error |x − y|. */
export function l1Loss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const inF32 = inF32IfAutocast(l1Loss, [input, target, opts]);
  if (inF32 !== null) return inF32;
  const r = lossOptions('l1Loss', opts, []);
  const x = floatInput('l1Loss', input);
  const y = sameShapeTarget('l1Loss', x, target);
  return composite(() => reduce(abs(sub(x, y)), r));
}

/** Quadratic below `cut`, linear above: 0.5d²·a if |d| < cut else b·(|d| − 0.5·cut). */
function piecewise(x: Tensor, y: Tensor, cut: number, quadScale: number, linScale: number): Tensor {
  const d = abs(sub(x, y));
  return where(d.lt(cut), mul(square(d), 0.5 * quadScale), mul(sub(d, 0.5 * cut), linScale));
}

export interface SmoothL1Options extends ReductionOptions { beta?: number }

/** Smooth L1 (torch.nn.SmoothL1Loss): 0.5d²/β if |d| < β else |d| − 0.5β; β = 0 is L1. */
export function smoothL1Loss(input: Tensor, target: Tensor, opts?: SmoothL1Options): Tensor {
  const inF32 = inF32IfAutocast(smoothL1Loss, [input, target, opts]);
  if (inF32 !== null) return inF32;
  const r = lossOptions('smoothL1Loss', opts, ['beta']);
  const beta = numberOption('smoothL1Loss', 'beta', opts?.beta, 1, (b) => b >= 0, 'a number ≥ 0');
  const x = floatInput('smoothL1Loss', input);
  const y = sameShapeTarget('smoothL1Loss', x, target);
  return composite(() => reduce(beta === 0 ? abs(sub(x, y)) : piecewise(x, y, beta, 1 / beta, 1), r));
}

export interface HuberOptions extends ReductionOptions { delta?: number }

/** Huber (torch.nn.HuberLoss): 0.5d² if |d| ≤ δ else δ·(|d| − 0.5δ); equals δ·smoothL1 with β = δ. */
export function huberLoss(input: Tensor, target: Tensor, opts?: HuberOptions): Tensor {
  const inF32 = inF32IfAutocast(huberLoss, [input, target, opts]);
  if (inF32 !== null) return inF32;
  const r = lossOptions('huberLoss', opts, ['delta']);
  const delta = numberOption('huberLoss', 'delta', opts?.delta, 1, (v) => v > 0, 'a number > 0');
  const x = floatInput('huberLoss', input);
  const y = sameShapeTarget('huberLoss', x, target);
  return composite(() => {
    const d = abs(sub(x, y));
    return reduce(where(d.le(delta), mul(square(d), 0.5), mul(sub(d, 0.5 * delta), delta)), r);
  });
}

/** A weight broadcastable to the input's shape (without growing it). */
function broadcastWeight(where: string, name: string, w: unknown, shape: readonly number[]): Tensor | null {
  const t = optionalWeight(where, name, w, null);
  if (t === null) return null;
  const b = broadcastShapes(where, shape, t.shape);
  check(b.length === shape.length && b.every((n, i) => n === shape[i]), 'SHAPE_MISMATCH',
    () => `${where}: ${name} of shape ${fmtShape(t.shape)} must broadcast to the input shape ${fmtShape(shape)}`);
  return t;
}

export interface BCEOptions extends ReductionOptions { weight?: Tensor }

/**
 * Binary cross-entropy on probabilities: −w·(y·log x + (1 − y)·log(1 − x)), each log clamped
 * at −100 as PyTorch does (so x = 0 or 1 gives a finite loss). x must lie in [0, 1]. The
 * gradient is torch's formula g·(x − y)/max(x(1 − x), 1e-12), finite at x = 0 and 1 too.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts?: BCEOptions): Tensor {
  const inF32 = inF32IfAutocast(binaryCrossEntropy, [input, target, opts]);
  if (inF32 !== null) return inF32;
  const r = lossOptions('binaryCrossEntropy', opts, ['weight']);
  const x = floatInput('binaryCrossEntropy', input);
  const y = sameShapeTarget('binaryCrossEntropy', x, target);
  const w = broadcastWeight('binaryCrossEntropy', 'weight', opts?.weight, x.shape);
  if (x.device !== 'webgpu') {
    const v = x.dataSync();
    for (let i = 0; i < v.length; i++) {
      check(v[i] >= 0 && v[i] <= 1, 'INVALID_DATA',
        () => `binaryCrossEntropy: every input element must be a probability in [0, 1], got ${v[i]} at flat position ${i}`);
    }
  }
  return composite(() => reduce(weighted(bceElementwise(x, y), w), r));
}

/** The elementwise BCE as a primitive whose VJP is PyTorch's (not the clamp's zero slope). */
function bceElementwise(x: Tensor, y: Tensor): Tensor {
  const logs = (): [Tensor, Tensor] => [clamp(log(x), -100), clamp(log(sub(1, x)), -100)];
  const value = noGrad(() => {
    const [logX, log1mX] = logs();
    return neg(add(mul(y, logX), mul(sub(1, y), log1mX)));
  });
  return attach(value, [x, y], (g) => {
    const [logX, log1mX] = logs();
    return [div(mul(g, sub(x, y)), maximum(mul(x, sub(1, x)), 1e-12)), mul(g, sub(log1mX, logX))];
  }, 'binaryCrossEntropy');
}

export interface BCEWithLogitsOptions extends BCEOptions { posWeight?: Tensor }

/**
 * Sigmoid + binary cross-entropy in one stable formula (torch's):
 * (1 − y)·x + (1 + (p − 1)·y)·(log1p(e^{−|x|}) + max(−x, 0)), times weight; p = posWeight.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts?: BCEWithLogitsOptions): Tensor {
  const inF32 = inF32IfAutocast(binaryCrossEntropyWithLogits, [input, target, opts]);
  if (inF32 !== null) return inF32;
  const where = 'binaryCrossEntropyWithLogits';
  const r = lossOptions(where, opts, ['weight', 'posWeight']);
  const x = floatInput(where, input);
  const y = sameShapeTarget(where, x, target);
  const w = broadcastWeight(where, 'weight', opts?.weight, x.shape);
  const p = broadcastWeight(where, 'posWeight', opts?.posWeight, x.shape);
  return composite(() => {
    const softplusNeg = softplusOfNeg(x);
    const logWeight = p === null ? null : add(mul(sub(p, 1), y), 1);
    const loss = add(mul(sub(1, y), x), weighted(softplusNeg, logWeight));
    return reduce(weighted(loss, w), r);
  });
}

/**
 * log(1 + e^{−x}), stable as log1p(e^{−|x|}) + relu(−x), with the VJP −σ(−x)·g = (σ(x) − 1)·g:
 * the composed form's zero slopes of abs and relu at 0 would give 0 there instead of −½ (torch).
 */
function softplusOfNeg(x: Tensor): Tensor {
  const y = noGrad(() => add(log1p(exp(neg(abs(x)))), relu(neg(x))));
  return attach(y, [x], (g) => [mul(g, sub(sigmoid(x), 1))], 'softplusOfNeg');
}

export interface HingeEmbeddingOptions extends ReductionOptions { margin?: number }

/**
 * x where y = 1, max(0, margin − x) where y = −1 (torch.nn.HingeEmbeddingLoss; like torch, a
 * target that is neither adds both terms).
 */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, opts?: HingeEmbeddingOptions): Tensor {
  const r = lossOptions('hingeEmbeddingLoss', opts, ['margin']);
  const margin = numberOption('hingeEmbeddingLoss', 'margin', opts?.margin, 1, Number.isFinite, 'a finite number');
  const x = floatInput('hingeEmbeddingLoss', input);
  const y = sameShapeTarget('hingeEmbeddingLoss', x, target);
  return composite(() => {
    const marginPart = where(ne(y, 1), clamp(sub(margin, x), 0), 0); // clamp: at x = margin the gradient passes, as torch's clamp_min
    const selfPart = where(ne(y, -1), x, 0);
    return reduce(add(marginPart, selfPart), r);
  });
}

export interface MultiMarginOptions extends ReductionOptions { p?: 1 | 2; margin?: number; weight?: Tensor }

/**
 * Multi-class hinge (torch.nn.MultiMarginLoss) for input [N, C] or [C] and class targets:
 * Σ_{i≠y} w[y]·max(0, margin − x[y] + x[i])^p / C per sample.
 */
export function multiMarginLoss(input: Tensor, target: Tensor, opts?: MultiMarginOptions): Tensor {
  const where_ = 'multiMarginLoss';
  const r = lossOptions(where_, opts, ['p', 'margin', 'weight']);
  const p = numberOption(where_, 'p', opts?.p, 1, (v) => v === 1 || v === 2, '1 or 2');
  const margin = numberOption(where_, 'margin', opts?.margin, 1, Number.isFinite, 'a finite number');
  const x = floatInput(where_, input);
  check(x.ndim === 1 || x.ndim === 2, 'SHAPE_MISMATCH', () => `${where_}: expected input of shape [C] or [N, C], got ${fmtShape(x.shape)}`);
  const C = x.shape[x.ndim - 1];
  const y = classTarget(where_, target, x.shape.slice(0, -1), C, null);
  const w = optionalWeight(where_, 'weight', opts?.weight, C);
  return composite(() => {
    const x2 = x.ndim === 1 ? reshape(x, [1, C]) : x;
    const y2 = reshape(y, [x2.shape[0], 1]);
    const picked = gather(x2, 1, y2); // x[y], [N, 1]
    const z = relu(add(sub(margin, picked), x2));
    const onOthers = ne(y2, reshape(arange(C, undefined, 1, { dtype: 'i32', device: x.device }), [1, C])); // i ≠ y
    let h = mul(p === 1 ? z : square(z), onOthers);
    if (w !== null) h = mul(h, unsqueeze(indexSelect(w, 0, reshape(y, [y.size])), 1));
    const perSample = div(sum(h, 1), C);
    return reduce(x.ndim === 1 ? reshape(perSample, []) : perSample, r);
  });
}

export interface KLDivOptions { reduction?: 'none' | 'mean' | 'sum' | 'batchmean'; logTarget?: boolean }

/**
 * Kullback–Leibler divergence with input given as log-probabilities (torch.nn.KLDivLoss):
 * y·(log y − x) (0 where y = 0), or e^y·(y − x) with logTarget. 'batchmean' divides the sum by
 * the batch size (the mathematical KL); 'mean' divides by the element count, as torch.
 */
export function klDiv(input: Tensor, target: Tensor, opts?: KLDivOptions): Tensor {
  const inF32 = inF32IfAutocast(klDiv, [input, target, opts]);
  if (inF32 !== null) return inF32;
  const r = lossOptions('klDiv', opts, ['logTarget'], ['batchmean']);
  const logTarget = opts?.logTarget ?? false;
  check(typeof logTarget === 'boolean', 'BAD_OPTION', () => `klDiv: logTarget must be a boolean, got ${String(logTarget)}`);
  const x = floatInput('klDiv', input);
  const y = sameShapeTarget('klDiv', x, target);
  return composite(() => {
    let loss: Tensor;
    if (logTarget) loss = mul(exp(y), sub(y, x));
    else {
      const zero = y.eq(0);
      const ylogy = mul(y, log(where(zero, 1, y))); // xlogy(y, y): 0 at y = 0, finite gradients
      loss = sub(ylogy, mul(y, x));
    }
    if (r !== 'batchmean') return reduce(loss, r);
    return x.ndim === 0 ? sum(loss) : div(sum(loss), x.shape[0]);
  });
}
