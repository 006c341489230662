// nllLoss and crossEntropy with PyTorch's exact semantics: class dim 1 (0 for a 1-D input),
// extra spatial dims [N, C, d1, …], class `weight`, `ignoreIndex` (weighted mean divides by the
// summed weights of the kept targets), `labelSmoothing`, and probability targets. The unfused
// composite here is the specification; the fused kernel (fused-xent.ts) is a fast path for the
// common case and is tested equal to it.

import { inF32IfAutocast } from '../../amp/autocast.js';
import { check, fmtShape } from '../../errors.js';
import { add, div, eq, mul, ne, neg, where } from '../../ops/elementwise.js';
import { sum } from '../../ops/reduce.js';
import { gather, indexSelect } from '../../ops/indexing.js';
import { tensor } from '../../ops/creation.js';
import { reshape, squeeze, unsqueeze } from '../../ops/shape.js';
import { assertTensor, checkSameDevice } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import {
  type Reduction, classTarget, classValues, floatInput, lossOptions, numberOption, optionalWeight, reduce, weightedMean,
} from './loss-util.js';
import { canFuse, fusedCrossEntropy } from './fused-xent.js';
import { logSoftmax } from './softmax.js';
import { composite } from './util.js';

export interface NLLOptions { reduction?: Reduction; weight?: Tensor; ignoreIndex?: number }
export interface CrossEntropyOptions extends NLLOptions { labelSmoothing?: number }

interface Parsed { x: Tensor; classDim: number; C: number; targetShape: number[] }

function parseInput(where: string, input: Tensor): Parsed {
  const x = floatInput(where, input);
  check(x.ndim >= 1, 'SHAPE_MISMATCH', () => `${where}: expected input of shape [C], [N, C] or [N, C, d1, …], got ${fmtShape(x.shape)}`);
  const classDim = x.ndim === 1 ? 0 : 1;
  const targetShape = x.shape.filter((_, i) => i !== classDim);
  return { x, classDim, C: x.shape[classDim], targetShape };
}

function ignoreOption(where: string, v: unknown): number {
  return numberOption(where, 'ignoreIndex', v, -100, Number.isInteger, 'an integer');
}

/** Per-target [−w[y]·x[y], w[y]] with ignored targets zeroed in both. */
function pickTerms(p: Parsed, logp: Tensor, t: Tensor, w: Tensor | null, ignoreIndex: number): [Tensor, Tensor] {
  const ignored = eq(t, ignoreIndex);
  const safe = where(ignored, 0, t);
  const picked = squeeze(gather(logp, p.classDim, unsqueeze(safe, p.classDim)), p.classDim);
  const keep = ne(t, ignoreIndex).to(logp.dtype);
  const wy = w === null ? keep : mul(reshape(indexSelect(w, 0, reshape(safe, [safe.size])), safe.shape), keep);
  return [neg(mul(picked, wy)), wy];
}

function nllCore(p: Parsed, logp: Tensor, t: Tensor, w: Tensor | null, ignoreIndex: number, reduction: string): Tensor {
  const [loss, wy] = pickTerms(p, logp, t, w, ignoreIndex);
  return reduction === 'mean' ? weightedMean(loss, wy) : reduce(loss, reduction);
}

/**
 * Negative log-likelihood of log-probabilities `input` at class indices `target` (i32):
 * −weight[y]·input[y]; 'mean' divides by the summed weights of non-ignored targets.
 */
export function nllLoss(input: Tensor, target: Tensor, opts?: NLLOptions): Tensor {
  const inF32 = inF32IfAutocast(nllLoss, [input, target, opts]);
  if (inF32 !== null) return inF32;
  const r = lossOptions('nllLoss', opts, ['weight', 'ignoreIndex']);
  const p = parseInput('nllLoss', input);
  const ignoreIndex = ignoreOption('nllLoss', opts?.ignoreIndex);
  const t = classTarget('nllLoss', target, p.targetShape, p.C, ignoreIndex);
  const w = optionalWeight('nllLoss', 'weight', opts?.weight, p.C);
  checkSameDevice('nllLoss', p.x, t, ...(w === null ? [] : [w]));
  return composite(() => nllCore(p, p.x, t, w, ignoreIndex, r));
}

/**
 * Softmax cross-entropy of logits `input` against class indices (an i32 target) or class
 * probabilities (a float target of input's shape), with optional class `weight`,
 * `ignoreIndex` (indices only) and `labelSmoothing` ε ∈ [0, 1] (torch.nn.CrossEntropyLoss).
 * On wasm, f32 [N, C] logits with index targets and no weight/smoothing run one fused kernel.
 * @example const loss = nn.functional.crossEntropy(logits, labels); loss.backward();
 */
export function crossEntropy(input: Tensor, target: Tensor, opts?: CrossEntropyOptions): Tensor {
  const inF32 = inF32IfAutocast(crossEntropy, [input, target, opts]);
  if (inF32 !== null) return inF32;
  return crossEntropyWith(input, target, opts, true);
}

/** crossEntropy without the fused kernel: the specification the fused path is tested against. */
export function crossEntropyUnfused(input: Tensor, target: Tensor, opts?: CrossEntropyOptions): Tensor {
  return crossEntropyWith(input, target, opts, false);
}

function crossEntropyWith(input: Tensor, target: Tensor, opts: CrossEntropyOptions | undefined, allowFused: boolean): Tensor {
  const where_ = 'crossEntropy';
  const r = lossOptions(where_, opts, ['weight', 'ignoreIndex', 'labelSmoothing']);
  const p = parseInput(where_, input);
  const eps = numberOption(where_, 'labelSmoothing', opts?.labelSmoothing, 0, (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
  const w = optionalWeight(where_, 'weight', opts?.weight, p.C);
  const t = assertTensor(target, where_, 'target');
  checkSameDevice(where_, p.x, t, ...(w === null ? [] : [w]));
  if (t.dtype !== 'i32') return probabilityTarget(p, t, w, eps, r, opts?.ignoreIndex);
  const ignoreIndex = ignoreOption(where_, opts?.ignoreIndex);
  const v = classValues(where_, t, p.targetShape, p.C, ignoreIndex);
  if (allowFused && canFuse(p.x, w !== null, eps)) {
    let ignored = 0;
    for (let i = 0; i < v.length; i++) if (v[i] === ignoreIndex) ignored++;
    // the kernel marks an ignored row by −1: a target without one is passed as it is (no copy)
    return composite(() => fusedCrossEntropy(p.x, ignored === 0 && t.isContiguous() ? t
      : tensor(Int32Array.from(v, (c) => (c === ignoreIndex ? -1 : c)), { dtype: 'i32', device: t.device }), v.length - ignored, r));
  }
  return composite(() => crossEntropyIndices(p, t, w, ignoreIndex, eps, r));
}

/** The unfused specification for class-index targets (PyTorch's cross_entropy_loss_label_smoothing). */
function crossEntropyIndices(p: Parsed, t: Tensor, w: Tensor | null, ignoreIndex: number, eps: number, r: string): Tensor {
  const logp = logSoftmax(p.x, p.classDim);
  const [loss, wy] = pickTerms(p, logp, t, w, ignoreIndex);
  const nll = r === 'mean' ? weightedMean(loss, wy) : reduce(loss, r);
  if (eps === 0) return nll;
  const wb = w === null ? logp : mul(logp, classView(w, p));
  const keep = ne(t, ignoreIndex).to(logp.dtype);
  const smooth = mul(neg(sum(wb, p.classDim)), keep);
  const smoothRed = r === 'mean' ? weightedMean(smooth, w === null ? keep : wy) : reduce(smooth, r);
  return add(mul(nll, 1 - eps), mul(smoothRed, eps / p.C));
}

/** A class weight [C] shaped to broadcast along the class dim. */
function classView(w: Tensor, p: Parsed): Tensor {
  return reshape(w, p.x.shape.map((n, i) => (i === p.classDim ? n : 1)));
}

/** Soft targets: −Σ_c w_c·q_c·log p_c per sample, q smoothed as (1 − ε)q + ε/C. */
function probabilityTarget(p: Parsed, t: Tensor, w: Tensor | null, eps: number, r: string, ignoreIndex: unknown): Tensor {
  check(t.shape.length === p.x.shape.length && t.shape.every((n, i) => n === p.x.shape[i]), 'SHAPE_MISMATCH',
    () => `crossEntropy: a probability target must have the input's shape ${fmtShape(p.x.shape)}, got ${fmtShape(t.shape)} ` +
      `(class-index targets must be i32 of shape ${fmtShape(p.targetShape)})`);
  check(ignoreIndex === undefined || ignoreIndex === -100, 'BAD_OPTION',
    () => `crossEntropy: ignoreIndex is not supported with probability targets, got ${String(ignoreIndex)}`);
  return composite(() => {
    const logp = logSoftmax(p.x, p.classDim);
    const q = eps === 0 ? t : add(mul(t, 1 - eps), eps / p.C);
    const terms = mul(w === null ? logp : mul(logp, classView(w, p)), q);
    if (r === 'none') return neg(sum(terms, p.classDim));
    if (r === 'sum') return neg(sum(terms));
    return div(neg(sum(terms)), p.x.size / p.C);
  });
}

