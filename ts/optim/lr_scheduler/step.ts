// Piecewise-constant and geometric decays: StepLR, MultiStepLR, ExponentialLR (PyTorch semantics:
// chainable rule per step, closed form for jumps).

import { checkOptions, check } from '../../errors.js';
import { checkNumber } from '../validate.js';
import { LRScheduler, type SchedulableOptimizer } from './base.js';

export interface StepLROptions { stepSize: number; gamma?: number }

/**
 * Multiplies every group's lr by `gamma` each `stepSize` epochs.
 * @example const s = new StepLR(opt, { stepSize: 30, gamma: 0.1 }); // after each epoch: s.step()
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: StepLROptions) {
    super(optimizer, 'StepLR');
    checkOptions('StepLR', opts, ['stepSize', 'gamma']);
    this.stepSize = checkNumber('StepLR', 'stepSize', opts?.stepSize, { min: 1, int: true });
    this.gamma = checkNumber('StepLR', 'gamma', opts.gamma ?? 0.1, { min: 0 });
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export interface MultiStepLROptions { milestones: number[]; gamma?: number }

/** Multiplies the lr by `gamma` at each milestone epoch (a milestone listed twice applies twice). */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: MultiStepLROptions) {
    super(optimizer, 'MultiStepLR');
    checkOptions('MultiStepLR', opts, ['milestones', 'gamma']);
    check(Array.isArray(opts?.milestones), 'BAD_OPTION',
      () => `MultiStepLR: option 'milestones' expected an array of epochs, got ${String(opts?.milestones)}`);
    this.milestones = opts.milestones.map((m, i) => checkNumber('MultiStepLR', `milestones[${i}]`, m, { min: 0, int: true }))
      .sort((a, b) => a - b);
    this.gamma = checkNumber('MultiStepLR', 'gamma', opts.gamma ?? 0.1, { min: 0 });
    this.initialStep();
  }
  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** hits);
  }
  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

export interface ExponentialLROptions { gamma: number }

/** lr ← lr·gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: ExponentialLROptions) {
    super(optimizer, 'ExponentialLR');
    checkOptions('ExponentialLR', opts, ['gamma']);
    this.gamma = checkNumber('ExponentialLR', 'gamma', opts?.gamma, { min: 0 });
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}
