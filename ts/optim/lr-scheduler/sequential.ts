// SequentialLR: hands the optimizer from one scheduler to the next at milestone epochs (warm-up
// then cosine is the usual pair). Follows PyTorch: at construction the groups' lr is reset to
// initialLr and the first scheduler replays its epoch 0; at a milestone the next scheduler jumps to
// its epoch 0 by its closed form.

import { check, checkOptions } from '../../errors.js';
import { checkNumber } from '../validate.js';
import { LRScheduler, type SchedulableOptimizer, type SchedulerState } from './base.js';

export interface SequentialLROptions { schedulers: LRScheduler[]; milestones: number[] }

const W = 'SequentialLR';

/**
 * @example
 * const warm = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const cos = new CosineAnnealingLR(opt, { TMax: 95 });
 * const s = new SequentialLR(opt, { schedulers: [warm, cos], milestones: [5] });
 */
export class SequentialLR extends LRScheduler {
  schedulers: LRScheduler[];
  milestones: number[];
  constructor(optimizer: SchedulableOptimizer, opts: SequentialLROptions) {
    super(optimizer, W);
    checkOptions(W, opts, ['schedulers', 'milestones']);
    const { schedulers, milestones } = opts ?? ({} as SequentialLROptions);
    check(Array.isArray(schedulers) && schedulers.length > 0 && schedulers.every((s) => s instanceof LRScheduler),
      'BAD_OPTION', () => `${W}: option 'schedulers' expected a non-empty array of schedulers, got ${String(schedulers)}`);
    schedulers.forEach((s, i) => check(s.optimizer === optimizer, 'BAD_OPTION',
      () => `${W}: schedulers[${i}] drives a different optimizer than the one given`));
    check(Array.isArray(milestones) && milestones.length === schedulers.length - 1, 'BAD_OPTION',
      () => `${W}: option 'milestones' expected ${schedulers.length - 1} epochs (one fewer than schedulers), got ${Array.isArray(milestones) ? milestones.length : String(milestones)}`);
    milestones.forEach((m, i) => checkNumber(W, `milestones[${i}]`, m, { min: 1, int: true }));
    this.schedulers = schedulers;
    this.milestones = [...milestones];
    this.lastEpoch = 0;
    for (const g of this.groups) g.lr = g.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }

  /** The active child has already written the groups' lr; SequentialLR adds nothing. */
  protected getLr(): number[] {
    return this.held();
  }

  /** Jumps to `epoch`: the scheduler active then jumps to its own local epoch (closed form). */
  override stepTo(epoch: number): void {
    checkNumber(`${W}.stepTo`, 'epoch', epoch, { min: 0, int: true });
    const idx = this.milestones.filter((m) => m <= epoch).length;
    const s = this.schedulers[idx];
    s.stepTo(idx > 0 ? epoch - this.milestones[idx - 1] : epoch);
    this.lastEpoch = epoch;
    this.lastLr = s.getLastLr();
  }

  override step(): void {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.stepTo(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  protected override transientKeys(): string[] {
    return [...super.transientKeys(), 'schedulers'];
  }

  override stateDict(): SchedulerState {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** Checks this state and every child's before anything is written. */
  override checkState(state: SchedulerState): void {
    check(state !== null && typeof state === 'object', 'BAD_ARGUMENT', () => `${W}.loadStateDict: expected a state object, got ${String(state)}`);
    const { schedulers, ...rest } = state;
    check(Array.isArray(schedulers) && schedulers.length === this.schedulers.length, 'BAD_ARGUMENT',
      () => `${W}.loadStateDict: expected 'schedulers' with ${this.schedulers.length} states, got ${String(schedulers)}`);
    super.checkState(rest);
    this.schedulers.forEach((s, i) => s.checkState(schedulers[i] as SchedulerState));
  }

  protected override commitState(state: SchedulerState): void {
    const { schedulers, ...rest } = state;
    super.commitState(rest);
    this.schedulers.forEach((s, i) => s.loadStateDict((schedulers as SchedulerState[])[i]));
  }
}
