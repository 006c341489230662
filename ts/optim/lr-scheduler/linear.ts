// Warm-up and polynomial schedules: LinearLR, ConstantLR, PolynomialLR (PyTorch semantics, with
// the chainable ratio form PyTorch steps with and the closed form it jumps with).

import { LRScheduler, type SchedulableOptimizer } from './base.js';

export interface LinearLROptions { startFactor?: number; endFactor?: number; totalIters?: number }

/**
 * Scales the lr by a factor moving linearly from `startFactor` (default 1/3) to `endFactor`
 * (default 1) over `totalIters` (default 5) epochs — the usual warm-up.
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: SchedulableOptimizer, opts: LinearLROptions = {}) {
    super(optimizer, 'LinearLR');
    this.allowOptions(opts, ['startFactor', 'endFactor', 'totalIters']);
    // PyTorch 1.13 allows a start factor of 0, which divides by zero on the next step; 2.x forbids it.
    this.startFactor = this.numberOption('startFactor', opts.startFactor ?? 1 / 3, { min: 0, minOpen: true, max: 1 });
    this.endFactor = this.numberOption('endFactor', opts.endFactor ?? 1, { min: 0, max: 1 });
    this.totalIters = this.numberOption('totalIters', opts.totalIters ?? 5, { min: 1, int: true });
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.scaled(this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.held();
    const d = this.endFactor - this.startFactor;
    const ratio = 1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d);
    return this.scaled(ratio);
  }
  protected override closedFormLr(): number[] {
    const f = this.startFactor
      + (this.endFactor - this.startFactor) * Math.min(this.totalIters, this.lastEpoch) / this.totalIters;
    return this.baseScaled(f);
  }
}

export interface ConstantLROptions { factor?: number; totalIters?: number }

/** Scales the lr by `factor` (default 1/3) for the first `totalIters` (default 5) epochs. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;
  constructor(optimizer: SchedulableOptimizer, opts: ConstantLROptions = {}) {
    super(optimizer, 'ConstantLR');
    this.allowOptions(opts, ['factor', 'totalIters']);
    this.factor = this.numberOption('factor', opts.factor ?? 1 / 3, { min: 0, minOpen: true, max: 1 });
    this.totalIters = this.numberOption('totalIters', opts.totalIters ?? 5, { min: 0, int: true });
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.scaled(this.factor);
    if (this.lastEpoch !== this.totalIters) return this.held();
    return this.scaled(1 / this.factor);
  }
  protected override closedFormLr(): number[] {
    const f = this.factor + (this.lastEpoch >= this.totalIters ? 1 - this.factor : 0);
    return this.baseScaled(f);
  }
}

export interface PolynomialLROptions { totalIters?: number; power?: number }

/** lr = base·(1 − t/totalIters)^power for t ≤ totalIters (default 5, power 1), then constant. */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;
  constructor(optimizer: SchedulableOptimizer, opts: PolynomialLROptions = {}) {
    super(optimizer, 'PolynomialLR');
    this.allowOptions(opts, ['totalIters', 'power']);
    this.totalIters = this.numberOption('totalIters', opts.totalIters ?? 5, { min: 1, int: true });
    this.power = this.numberOption('power', opts.power ?? 1, { min: 0 });
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.held();
    const t = this.lastEpoch;
    const n = this.totalIters;
    const decay = ((1 - t / n) / (1 - (t - 1) / n)) ** this.power;
    return this.scaled(decay);
  }
  protected override closedFormLr(): number[] {
    return this.baseScaled((1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}
