// BatchNorm1d/2d and LayerNorm modules. BatchNorm keeps running_mean, running_var and
// num_batches_tracked buffers under torch's names; momentum null means a cumulative average.

import { check, fmtShape } from '../../errors.js';
import { noGrad } from '../../autograd/tape.js';
import { add } from '../../ops/elementwise.js';
import { zeros } from '../../ops/creation.js';
import { fill_ } from '../../ops/inplace.js';
import type { Tensor } from '../../tensor.js';
import { batchNorm, checkBatchStats, layerNorm } from '../functional/norm.js';
import { checkInput } from '../functional/util.js';
import { ones as fillOnes } from '../init.js';
import { Module } from '../module.js';
import { type FactoryOptions, blank, bool, factory, positive } from './factory.js';

export interface BatchNormOptions extends FactoryOptions {
  eps?: number; momentum?: number | null; affine?: boolean; trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  protected abstract readonly ranks: readonly number[];

  constructor(where: string, numFeatures: number, opts?: BatchNormOptions) {
    super();
    const f = factory(where, opts, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    this.numFeatures = positive(where, 'numFeatures', numFeatures);
    this.eps = opts?.eps ?? 1e-5;
    check(Number.isFinite(this.eps) && this.eps >= 0, 'BAD_OPTION', () => `${where}: eps must be a finite number ≥ 0, got ${String(opts?.eps)}`);
    this.momentum = opts?.momentum === undefined ? 0.1 : opts.momentum;
    check(this.momentum === null || (typeof this.momentum === 'number' && this.momentum >= 0 && this.momentum <= 1), 'BAD_OPTION',
      () => `${where}: momentum must be in [0, 1] or null, got ${String(opts?.momentum)}`);
    this.affine = bool(where, 'affine', opts?.affine, true);
    this.trackRunningStats = bool(where, 'trackRunningStats', opts?.trackRunningStats, true);
    this.registerParameter('weight', this.affine ? fillOnes(blank([numFeatures], f)) : null);
    this.registerParameter('bias', this.affine ? blank([numFeatures], f) : null);
    this.registerBuffer('running_mean', this.trackRunningStats ? blank([numFeatures], f) : null);
    this.registerBuffer('running_var', this.trackRunningStats ? fillOnes(blank([numFeatures], f)) : null);
    this.registerBuffer('num_batches_tracked', this.trackRunningStats ? zeros([], { dtype: 'i32', device: f.device }) : null);
  }

  get weight(): Tensor | null { return this.param('weight'); }
  get bias(): Tensor | null { return this.param('bias'); }
  get runningMean(): Tensor | null { return this.buffer('running_mean'); }
  get runningVar(): Tensor | null { return this.buffer('running_var'); }
  get numBatchesTracked(): Tensor | null { return this.buffer('num_batches_tracked'); }

  /** Zeroes the running mean and count, sets the running variance to 1. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      fill_(this.runningMean!, 0);
      fill_(this.runningVar!, 1);
      fill_(this.numBatchesTracked!, 0);
    });
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    checkInput(name, x, this.ranks, this.ranks.length === 2 ? 'a [N, C] or [N, C, L] input' : 'a [N, C, H, W] input');
    check(x.shape[1] === this.numFeatures, 'SHAPE_MISMATCH',
      () => `${name}: expected input with ${this.numFeatures} channels (dim 1), got input of shape ${fmtShape(x.shape)}`);
    let momentum = this.momentum ?? 0;
    if (this.training) checkBatchStats(name, x);
    if (this.training && this.trackRunningStats) {
      const n = this.numBatchesTracked!;
      this.setBuffer('num_batches_tracked', noGrad(() => add(n, 1)));
      if (this.momentum === null) momentum = 1 / this.numBatchesTracked!.item(); // cumulative moving average
    }
    // Without running statistics, batch statistics normalize in eval too (torch's rule).
    return batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight, bias: this.bias, training: this.training || !this.trackRunningStats, momentum, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch norm over [N, C] or [N, C, L] (statistics per channel C). */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3];
  constructor(numFeatures: number, opts?: BatchNormOptions) { super('BatchNorm1d', numFeatures, opts); }
}

/** Batch norm over [N, C, H, W]. */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4];
  constructor(numFeatures: number, opts?: BatchNormOptions) { super('BatchNorm2d', numFeatures, opts); }
}

export interface LayerNormModuleOptions extends FactoryOptions { eps?: number; elementwiseAffine?: boolean; bias?: boolean }

/** Layer norm over the trailing `normalizedShape` dims, with optional elementwise affine. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], opts?: LayerNormModuleOptions) {
    super();
    const f = factory('LayerNorm', opts, ['eps', 'elementwiseAffine', 'bias']);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    check(Array.isArray(shape) && shape.length > 0 && shape.every((n) => Number.isInteger(n) && n > 0), 'BAD_ARGUMENT',
      () => `LayerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${String(normalizedShape)}`);
    this.normalizedShape = shape;
    this.eps = opts?.eps ?? 1e-5;
    check(Number.isFinite(this.eps) && this.eps >= 0, 'BAD_OPTION', () => `LayerNorm: eps must be a finite number ≥ 0, got ${String(opts?.eps)}`);
    const affine = bool('LayerNorm', 'elementwiseAffine', opts?.elementwiseAffine, true);
    const withBias = bool('LayerNorm', 'bias', opts?.bias, true);
    this.registerParameter('weight', affine ? fillOnes(blank(shape, f)) : null);
    this.registerParameter('bias', affine && withBias ? blank(shape, f) : null);
  }

  get weight(): Tensor | null { return this.param('weight'); }
  get bias(): Tensor | null { return this.param('bias'); }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `[${this.normalizedShape}], eps=${this.eps}`;
  }
}
