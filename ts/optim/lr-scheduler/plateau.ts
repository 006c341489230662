// ReduceLROnPlateau: cuts the lr by `factor` when a watched metric stops improving for more than
// `patience` steps (PyTorch semantics: relative or absolute threshold, cooldown, per-group minLr,
// and no change smaller than `eps`). Unlike the epoch schedulers it steps on a metric.

import { check, checkOptions } from '../../errors.js';
import { checkChoice, checkNumber, perGroup } from '../validate.js';
import { type SchedulableOptimizer, type SchedulerState, checkStateValue } from './base.js';

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

const W = 'ReduceLROnPlateau';

/**
 * @example const s = new ReduceLROnPlateau(opt, { patience: 3 }); s.step(validationLoss);
 */
export class ReduceLROnPlateau {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(readonly optimizer: SchedulableOptimizer, opts: ReduceLROnPlateauOptions = {}) {
    check(optimizer !== null && typeof optimizer === 'object' && Array.isArray(optimizer.paramGroups)
      && optimizer.paramGroups.length > 0, 'BAD_ARGUMENT', () => `${W}: expected an optimizer with at least one param group`);
    checkOptions(W, opts, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.mode = checkChoice(W, 'mode', opts.mode ?? 'min', ['min', 'max']);
    this.factor = checkNumber(W, 'factor', opts.factor ?? 0.1, { min: 0, max: 1, maxOpen: true });
    this.patience = checkNumber(W, 'patience', opts.patience ?? 10, { min: 0, int: true });
    this.threshold = checkNumber(W, 'threshold', opts.threshold ?? 1e-4, { min: 0 });
    this.thresholdMode = checkChoice(W, 'thresholdMode', opts.thresholdMode ?? 'rel', ['rel', 'abs']);
    this.cooldown = checkNumber(W, 'cooldown', opts.cooldown ?? 0, { min: 0, int: true });
    this.minLrs = perGroup(W, 'minLr', opts.minLr ?? 0, optimizer.paramGroups.length, { min: 0 });
    this.eps = checkNumber(W, 'eps', opts.eps ?? 1e-8, { min: 0 });
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const b = this.best;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < b * (1 - this.threshold) : a < b - this.threshold;
    return this.thresholdMode === 'rel' ? a > b * (1 + this.threshold) : a > b + this.threshold;
  }

  /** Records one value of the watched metric and reduces the lr if it has plateaued. */
  step(metric: number): void {
    check(typeof metric === 'number' && !Number.isNaN(metric), 'BAD_ARGUMENT',
      () => `${W}.step: expected the metric as a number, got ${String(metric)}`);
    const n = this.optimizer.paramGroups.length;
    check(n === this.minLrs.length, 'BAD_ARGUMENT', () => `${W}.step: the optimizer has ${n} param groups, but this scheduler `
      + `was built for ${this.minLrs.length}; build the scheduler after the last addParamGroup`);
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduce();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduce(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const next = Math.max(g.lr * this.factor, this.minLrs[i]);
      if (g.lr - next > this.eps) g.lr = next;
    });
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerState {
    const { optimizer: _o, ...rest } = this as unknown as Record<string, unknown>;
    // Infinity (the initial best) is not JSON; store it as a string and restore it on load.
    return JSON.parse(JSON.stringify({ ...rest, best: String(this.best) })) as SchedulerState;
  }

  loadStateDict(state: SchedulerState): void {
    check(state !== null && typeof state === 'object', 'BAD_ARGUMENT', () => `${W}.loadStateDict: expected a state object, got ${String(state)}`);
    const own = this.stateDict();
    for (const [k, v] of Object.entries(state)) {
      check(k in own, 'BAD_ARGUMENT', () => `${W}.loadStateDict: unknown key '${k}'; expected one of ${Object.keys(own).join(', ')}`);
      checkStateValue(`${W}.loadStateDict`, k, v, own[k], k === 'minLrs' || k === 'lastLr' ? this.optimizer.paramGroups.length : null);
    }
    for (const [k, v] of Object.entries(state)) {
      (this as unknown as Record<string, unknown>)[k] = k === 'best' ? Number(v) : JSON.parse(JSON.stringify(v)) as unknown;
    }
  }
}
