// Cosine schedules (Loshchilov & Hutter, "SGDR", 2017): CosineAnnealingLR, with PyTorch's
// recursive form (which keeps stacking with other schedulers and, past TMax, climbs back up), and
// CosineAnnealingWarmRestarts with period TMult-growth.

import { checkNumber } from '../validate.js';
import { LRScheduler, type SchedulableOptimizer } from './base.js';

/** etaMin + (b − etaMin)·(1 + cos(π t/T))/2 for every base lr b: the closed form of both schedules. */
function annealed(baseLrs: number[], etaMin: number, t: number, T: number): number[] {
  const c = (1 + Math.cos(Math.PI * t / T)) / 2;
  return baseLrs.map((b) => etaMin + (b - etaMin) * c);
}

export interface CosineAnnealingLROptions { TMax: number; etaMin?: number }

/**
 * lr_t = etaMin + (base − etaMin)(1 + cos(π t/TMax))/2, computed recursively from the previous lr
 * as PyTorch does (it matches the closed form while nothing else touches the lr).
 */
export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;
  constructor(optimizer: SchedulableOptimizer, opts: CosineAnnealingLROptions) {
    super(optimizer, 'CosineAnnealingLR');
    this.allowOptions(opts, ['TMax', 'etaMin']);
    this.TMax = this.numberOption('TMax', opts?.TMax, { min: 1, int: true });
    this.etaMin = this.numberOption('etaMin', opts.etaMin ?? 0, { min: 0 });
    this.initialStep();
  }
  protected getLr(): number[] {
    const t = this.lastEpoch;
    const T = this.TMax;
    const e = this.etaMin;
    if (t === 0) return this.held();
    if (this.stepCount === 1 && t > 0) return this.closedFormLr();
    if ((t - 1 - T) % (2 * T) === 0) {
      // At the bottom of a cycle the ratio form would divide by zero; PyTorch adds the step instead.
      return this.groups.map((g, i) => g.lr + (this.baseLrs[i] - e) * (1 - Math.cos(Math.PI / T)) / 2);
    }
    const ratio = (1 + Math.cos(Math.PI * t / T)) / (1 + Math.cos(Math.PI * (t - 1) / T));
    return this.groups.map((g) => ratio * (g.lr - e) + e);
  }
  protected override closedFormLr(): number[] {
    return annealed(this.baseLrs, this.etaMin, this.lastEpoch, this.TMax);
  }
}

export interface CosineAnnealingWarmRestartsOptions { T0: number; TMult?: number; etaMin?: number }

/** Cosine annealing restarted every T_i epochs, T_0 = T0 and T_{i+1} = T_i·TMult. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  T0: number;
  Ti: number;
  TMult: number;
  etaMin: number;
  TCur: number;
  constructor(optimizer: SchedulableOptimizer, opts: CosineAnnealingWarmRestartsOptions) {
    super(optimizer, 'CosineAnnealingWarmRestarts');
    this.allowOptions(opts, ['T0', 'TMult', 'etaMin']);
    this.T0 = this.numberOption('T0', opts?.T0, { min: 1, int: true });
    this.Ti = this.T0;
    this.TMult = this.numberOption('TMult', opts.TMult ?? 1, { min: 1, int: true });
    this.etaMin = this.numberOption('etaMin', opts.etaMin ?? 0, { min: 0 });
    this.TCur = -1;
    this.initialStep();
  }
  override step(): void {
    this.stepCount += 1;
    if (this.lastEpoch < 0) {
      this.jump(0);
      return;
    }
    this.lastEpoch += 1;
    this.TCur += 1;
    if (this.TCur >= this.Ti) {
      this.TCur -= this.Ti;
      this.Ti *= this.TMult;
    }
    this.apply(this.getLr());
  }
  override stepTo(epoch: number): void {
    checkNumber('CosineAnnealingWarmRestarts.stepTo', 'epoch', epoch, { min: 0, int: true });
    this.stepCount += 1;
    this.jump(epoch);
  }
  private jump(epoch: number): void {
    if (epoch >= this.T0) {
      if (this.TMult === 1) {
        this.TCur = epoch % this.T0;
      } else {
        const n = Math.floor(Math.log(epoch / this.T0 * (this.TMult - 1) + 1) / Math.log(this.TMult));
        this.TCur = epoch - this.T0 * (this.TMult ** n - 1) / (this.TMult - 1);
        this.Ti = this.T0 * this.TMult ** n;
      }
    } else {
      this.Ti = this.T0;
      this.TCur = epoch;
    }
    this.lastEpoch = epoch;
    this.apply(this.getLr());
  }
  protected getLr(): number[] {
    return annealed(this.baseLrs, this.etaMin, this.TCur, this.Ti);
  }
}
