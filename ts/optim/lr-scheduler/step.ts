// Piecewise-constant and geometric decays: StepLR, MultiStepLR, ExponentialLR (PyTorch semantics:
// chainable rule per step, closed form for jumps).

import { check } from '../../errors.js';
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
    this.allowOptions(opts, ['stepSize', 'gamma']);
    this.stepSize = this.numberOption('stepSize', opts?.stepSize, { min: 1, int: true });
    this.gamma = this.numberOption('gamma', opts.gamma ?? 0.1, { min: 0 });
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.held();
    return this.scaled(this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseScaled(this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export interface MultiStepLROptions { milestones: number[]; gamma?: number }

/** Multiplies the lr by `gamma` at each milestone epoch (a milestone listed twice applies twice). */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: MultiStepLROptions) {
    super(optimizer, 'MultiStepLR');
    this.allowOptions(opts, ['milestones', 'gamma']);
    check(Array.isArray(opts?.milestones), 'BAD_OPTION',
      () => `MultiStepLR: option 'milestones' expected an array of epochs, got ${String(opts?.milestones)}`);
    this.milestones = opts.milestones.map((m, i) => this.numberOption(`milestones[${i}]`, m, { min: 0, int: true }))
      .sort((a, b) => a - b);
    this.gamma = this.numberOption('gamma', opts.gamma ?? 0.1, { min: 0 });
    this.initialStep();
  }
  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.held();
    return this.scaled(this.gamma ** hits);
  }
  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseScaled(this.gamma ** passed);
  }
}

export interface ExponentialLROptions { gamma: number }

/** lr ← lr·gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: ExponentialLROptions) {
    super(optimizer, 'ExponentialLR');
    this.allowOptions(opts, ['gamma']);
    this.gamma = this.numberOption('gamma', opts?.gamma, { min: 0 });
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.held();
    return this.scaled(this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseScaled(this.gamma ** this.lastEpoch);
  }
}
