// Losses as modules (torch.nn.MSELoss, …, camelCase options): each holds its options, checks
// their names at construction, and forwards to the functional form in nn/functional.

import { checkOptions } from '../errors.js';
import type { Tensor } from '../tensor.js';
import {
  type BCEOptions, type BCEWithLogitsOptions, type HingeEmbeddingOptions, type HuberOptions, type KLDivOptions,
  type MultiMarginOptions, type SmoothL1Options, binaryCrossEntropy, binaryCrossEntropyWithLogits, hingeEmbeddingLoss,
  huberLoss, klDiv, l1Loss, mseLoss, multiMarginLoss, smoothL1Loss,
} from './functional/losses.js';
import { type CrossEntropyOptions, type NLLOptions, crossEntropy, nllLoss } from './functional/cross-entropy.js';
import type { ReductionOptions } from './functional/loss-util.js';
import { Module } from './module.js';

abstract class Loss<O extends object> extends Module<[Tensor, Tensor]> {
  readonly options: O;
  constructor(name: string, options: O | undefined, keys: readonly string[]) {
    super();
    checkOptions(name, options, ['reduction', ...keys]);
    this.options = { ...(options ?? {}) } as O;
  }

  override extraRepr(): string {
    return Object.entries(this.options).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${String(v)}`).join(', ');
  }
}

/** @example const loss = new nn.MSELoss({ reduction: 'sum' }).call(pred, target); */
export class MSELoss extends Loss<ReductionOptions> {
  constructor(opts?: ReductionOptions) { super('MSELoss', opts, []); }
  forward(input: Tensor, target: Tensor): Tensor { return mseLoss(input, target, this.options); }
}

export class L1Loss extends Loss<ReductionOptions> {
  constructor(opts?: ReductionOptions) { super('L1Loss', opts, []); }
  forward(input: Tensor, target: Tensor): Tensor { return l1Loss(input, target, this.options); }
}

export class SmoothL1Loss extends Loss<SmoothL1Options> {
  constructor(opts?: SmoothL1Options) { super('SmoothL1Loss', opts, ['beta']); }
  forward(input: Tensor, target: Tensor): Tensor { return smoothL1Loss(input, target, this.options); }
}

export class HuberLoss extends Loss<HuberOptions> {
  constructor(opts?: HuberOptions) { super('HuberLoss', opts, ['delta']); }
  forward(input: Tensor, target: Tensor): Tensor { return huberLoss(input, target, this.options); }
}

export class BCELoss extends Loss<BCEOptions> {
  constructor(opts?: BCEOptions) { super('BCELoss', opts, ['weight']); }
  forward(input: Tensor, target: Tensor): Tensor { return binaryCrossEntropy(input, target, this.options); }
}

export class BCEWithLogitsLoss extends Loss<BCEWithLogitsOptions> {
  constructor(opts?: BCEWithLogitsOptions) { super('BCEWithLogitsLoss', opts, ['weight', 'posWeight']); }
  forward(input: Tensor, target: Tensor): Tensor { return binaryCrossEntropyWithLogits(input, target, this.options); }
}

/** Multi-class SVM hinge loss. */
export class MultiMarginLoss extends Loss<MultiMarginOptions> {
  constructor(opts?: MultiMarginOptions) { super('MultiMarginLoss', opts, ['p', 'margin', 'weight']); }
  forward(input: Tensor, target: Tensor): Tensor { return multiMarginLoss(input, target, this.options); }
}

export class HingeEmbeddingLoss extends Loss<HingeEmbeddingOptions> {
  constructor(opts?: HingeEmbeddingOptions) { super('HingeEmbeddingLoss', opts, ['margin']); }
  forward(input: Tensor, target: Tensor): Tensor { return hingeEmbeddingLoss(input, target, this.options); }
}

export class NLLLoss extends Loss<NLLOptions> {
  constructor(opts?: NLLOptions) { super('NLLLoss', opts, ['weight', 'ignoreIndex']); }
  forward(input: Tensor, target: Tensor): Tensor { return nllLoss(input, target, this.options); }
}

/** Softmax cross-entropy on logits (fused kernel on wasm where it applies). */
export class CrossEntropyLoss extends Loss<CrossEntropyOptions> {
  constructor(opts?: CrossEntropyOptions) { super('CrossEntropyLoss', opts, ['weight', 'ignoreIndex', 'labelSmoothing']); }
  forward(input: Tensor, target: Tensor): Tensor { return crossEntropy(input, target, this.options); }
}

export class KLDivLoss extends Loss<KLDivOptions> {
  constructor(opts?: KLDivOptions) { super('KLDivLoss', opts, ['logTarget']); }
  forward(input: Tensor, target: Tensor): Tensor { return klDiv(input, target, this.options); }
}
