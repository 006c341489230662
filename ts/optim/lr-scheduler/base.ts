// The shared machinery of epoch-based learning-rate schedulers, following torch.optim.lr_scheduler
// (`_LRScheduler` of PyTorch 1.13 / `LRScheduler` of 2.x): a scheduler rewrites
// `optimizer.paramGroups[i].lr` in place on every `step()`. Subclasses give the *chainable* rule
// `getLr()` (a function of the groups' current lr, so schedulers can be stacked exactly like
// PyTorch's) and, where PyTorch has one, a closed form used when jumping to an epoch
// (SequentialLR's milestones). The constructor of every subclass ends with `this.initialStep()`,
// which, like PyTorch, applies epoch 0 at once.

import { DescentError, check, checkOptions } from '../../errors.js';
import { checkNumber, type NumberRule } from '../validate.js';

/** What a scheduler needs from an optimizer: its param groups (our facades satisfy it). */
export interface SchedulableGroup {
  lr: number;
  /** Set by the first scheduler attached (PyTorch's `initial_lr`); the base lr of every schedule. */
  initialLr?: number;
  momentum?: number;
  betas?: [number, number] | number[];
}
export interface SchedulableOptimizer {
  paramGroups: SchedulableGroup[];
}

export type SchedulerState = Record<string, unknown>;

export abstract class LRScheduler {
  /** Epochs stepped so far; -1 before the initial step. */
  lastEpoch = -1;
  baseLrs: number[];
  protected stepCount = 0;
  protected lastLr: number[] = [];

  constructor(readonly optimizer: SchedulableOptimizer, protected readonly where: string) {
    check(optimizer !== null && typeof optimizer === 'object' && Array.isArray(optimizer.paramGroups)
      && optimizer.paramGroups.length > 0, 'BAD_ARGUMENT',
    () => `${where}: expected an optimizer with at least one param group, got ${String(optimizer)}`);
    for (const [i, g] of optimizer.paramGroups.entries()) {
      check(typeof g.lr === 'number' && Number.isFinite(g.lr), 'BAD_ARGUMENT',
        () => `${where}: paramGroups[${i}].lr expected a finite number, got ${String(g.lr)}`);
    }
    // initialLr is written by initialStep(), after the subclass has checked its options: a
    // constructor that throws leaves the optimizer as it found it
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr ?? g.lr);
  }

  /** The chainable rule for epoch `lastEpoch` (already incremented). */
  protected abstract getLr(): number[];

  /** Closed form for an arbitrary epoch; defaults to the chainable rule (as PyTorch does). */
  protected closedFormLr(): number[] {
    return this.getLr();
  }

  /** Applies epoch 0 (called at the end of every constructor, and by SequentialLR). */
  initialStep(): void {
    this.groups.forEach((g, i) => { g.initialLr ??= this.baseLrs[i]; });
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch and writes the new learning rates into the optimizer's groups. */
  step(): void {
    this.checkGroups('step');
    this.stepCount += 1;
    this.lastEpoch += 1;
    this.apply(this.getLr());
  }

  /** Jumps to `epoch` using the closed form (PyTorch's deprecated `step(epoch)`; used by SequentialLR). */
  stepTo(epoch: number): void {
    check(Number.isInteger(epoch) && epoch >= 0, 'BAD_ARGUMENT',
      () => `${this.where}.stepTo: expected a non-negative integer epoch, got ${epoch}`);
    this.checkGroups('stepTo');
    this.stepCount += 1;
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr());
  }

  /**
   * A group added to the optimizer after this scheduler was built has no base lr here (PyTorch
   * silently leaves it out of the schedule); stepping would write undefined/NaN into its lr.
   */
  private checkGroups(method: string): void {
    const n = this.optimizer.paramGroups.length;
    check(n === this.baseLrs.length, 'BAD_ARGUMENT',
      () => `${this.where}.${method}: the optimizer has ${n} param groups, but this scheduler was built for ${this.baseLrs.length}; `
        + 'build the scheduler after the last addParamGroup');
  }

  protected apply(lrs: number[]): void {
    const groups = this.optimizer.paramGroups;
    for (let i = 0; i < groups.length; i++) groups[i].lr = lrs[i];
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The learning rates the last `step()` wrote, one per param group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  protected get groups(): SchedulableGroup[] {
    return this.optimizer.paramGroups;
  }

  /** Chainable form, nothing to change this epoch: every group's current lr. */
  protected held(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /** Chainable form: every group's current lr times `f`. */
  protected scaled(f: number): number[] {
    return this.groups.map((g) => g.lr * f);
  }

  /** Closed form: every base lr times `f`. */
  protected baseScaled(f: number): number[] {
    return this.baseLrs.map((b) => b * f);
  }

  /** Constructor check: option names outside `allowed` are errors naming this scheduler. */
  protected allowOptions(opts: object | undefined, allowed: readonly string[]): void {
    checkOptions(this.where, opts, allowed);
  }

  /** Constructor check: a numeric option obeying `rule`, errors naming this scheduler. */
  protected numberOption(name: string, v: unknown, rule: NumberRule): number {
    return checkNumber(this.where, name, v, rule);
  }

  /** Field names left out of `stateDict()` (functions and the optimizer itself). */
  protected transientKeys(): string[] {
    return ['optimizer', 'where'];
  }

  /** Every numeric field of the schedule as plain JSON (functions are not saved, like PyTorch). */
  stateDict(): SchedulerState {
    const skip = new Set(this.transientKeys());
    const out: SchedulerState = {};
    for (const [k, v] of Object.entries(this)) {
      if (!skip.has(k) && typeof v !== 'function') out[k] = JSON.parse(JSON.stringify(v)) as unknown;
    }
    return out;
  }

  /** Restores a stateDict(); every value is checked before any is written. */
  loadStateDict(state: SchedulerState): void {
    this.checkState(state);
    this.commitState(state);
  }

  /** Throws unless `state` is a state dict this scheduler can load (writes nothing). */
  checkState(state: SchedulerState): void {
    check(state !== null && typeof state === 'object', 'BAD_ARGUMENT',
      () => `${this.where}.loadStateDict: expected a state object, got ${String(state)}`);
    const own = this.stateDict();
    for (const [k, v] of Object.entries(state)) {
      if (!(k in own)) {
        throw new DescentError('BAD_ARGUMENT', `${this.where}.loadStateDict: unknown key '${k}'; expected one of ${Object.keys(own).join(', ')}`);
      }
      checkStateValue(`${this.where}.loadStateDict`, k, v, own[k], PER_GROUP.includes(k) ? this.groups.length : null);
    }
  }

  protected commitState(state: SchedulerState): void {
    for (const [k, v] of Object.entries(state)) {
      (this as unknown as Record<string, unknown>)[k] = JSON.parse(JSON.stringify(v)) as unknown;
    }
  }
}

/** Scheduler fields holding one value per param group. */
const PER_GROUP = ['baseLrs', 'lastLr'];

/**
 * A loaded scheduler field must have the kind of value the scheduler holds (a number, a list, …),
 * and a per-group list one entry per param group: a state saved for another optimizer fails at
 * load, not as NaN learning rates later. Shared with ReduceLROnPlateau.
 */
export function checkStateValue(where: string, key: string, v: unknown, own: unknown, groups: number | null): void {
  const kind = (x: unknown): string => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);
  check(kind(v) === kind(own), 'BAD_ARGUMENT', () => `${where}: '${key}' expected ${kind(own) === 'array' ? 'an' : 'a'} ${kind(own)}, got ${kind(v)}`);
  if (groups !== null && Array.isArray(v)) {
    check(v.length === groups, 'BAD_ARGUMENT',
      () => `${where}: '${key}' has ${v.length} entries, but the optimizer has ${groups} param groups`);
  }
}
