// OneCycleLR (Smith & Topin, "Super-Convergence", 2018) with PyTorch's phases, cosine or linear
// annealing, the optional three-phase variant, and momentum (or Adam's beta1) cycled inversely to
// the lr. Steps are per batch; stepping past `totalSteps` is an error, as in PyTorch.

import { DescentError, checkOptions } from '../../errors.js';
import { checkBool, checkChoice, checkNumber, perGroup } from '../validate.js';
import { LRScheduler, type SchedulableOptimizer } from './base.js';

export interface OneCycleLROptions {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

type Level = 'initial' | 'max' | 'min';
interface Phase { endStep: number; startLr: Level; endLr: Level; startMom: 'max' | 'base'; endMom: 'max' | 'base' }

const W = 'OneCycleLR';

export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1: boolean;
  phases: Phase[];
  lrs: Record<Level, number[]>;
  moms: { max: number[]; base: number[] };

  constructor(optimizer: SchedulableOptimizer, opts: OneCycleLROptions) {
    super(optimizer, W);
    checkOptions(W, opts, ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy',
      'cycleMomentum', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase']);
    const o = opts ?? ({} as OneCycleLROptions);
    if (o.totalSteps !== undefined) {
      this.totalSteps = checkNumber(W, 'totalSteps', o.totalSteps, { min: 1, int: true });
    } else if (o.epochs !== undefined || o.stepsPerEpoch !== undefined) {
      this.totalSteps = checkNumber(W, 'epochs', o.epochs, { min: 1, int: true })
        * checkNumber(W, 'stepsPerEpoch', o.stepsPerEpoch, { min: 1, int: true });
    } else {
      throw new DescentError('BAD_OPTION', `${W}: expected option 'totalSteps' or both 'epochs' and 'stepsPerEpoch', got neither`);
    }
    const pct = checkNumber(W, 'pctStart', o.pctStart ?? 0.3, { min: 0, max: 1 });
    this.annealStrategy = checkChoice(W, 'annealStrategy', o.annealStrategy ?? 'cos', ['cos', 'linear']);
    const three = checkBool(W, 'threePhase', o.threePhase ?? false);
    const div = checkNumber(W, 'divFactor', o.divFactor ?? 25, { min: 0, minOpen: true });
    const finalDiv = checkNumber(W, 'finalDivFactor', o.finalDivFactor ?? 1e4, { min: 0, minOpen: true });
    const n = this.groups.length;
    const maxLrs = perGroup(W, 'maxLr', o.maxLr, n, { min: 0 });
    const initial = maxLrs.map((m) => m / div);
    this.lrs = { initial, max: maxLrs, min: initial.map((x) => x / finalDiv) };
    this.phases = this.makePhases(pct, three);
    this.cycleMomentum = checkBool(W, 'cycleMomentum', o.cycleMomentum ?? true);
    this.useBeta1 = this.groups[0].betas !== undefined;
    this.moms = { max: perGroup(W, 'maxMomentum', o.maxMomentum ?? 0.95, n, { min: 0, max: 1 }),
      base: perGroup(W, 'baseMomentum', o.baseMomentum ?? 0.85, n, { min: 0, max: 1 }) };
    if (this.cycleMomentum) {
      if (!this.useBeta1 && this.groups[0].momentum === undefined) {
        throw new DescentError('BAD_OPTION', `${W}: option 'cycleMomentum' needs an optimizer whose groups have 'momentum' or 'betas'; pass cycleMomentum: false`);
      }
      this.setMomentum(this.moms.max);
    }
    this.groups.forEach((g, i) => { g.initialLr = initial[i]; });
    this.baseLrs = [...initial];
    this.initialStep();
  }

  private makePhases(pct: number, three: boolean): Phase[] {
    const T = this.totalSteps;
    if (three) {
      return [
        { endStep: pct * T - 1, startLr: 'initial', endLr: 'max', startMom: 'max', endMom: 'base' },
        { endStep: 2 * pct * T - 2, startLr: 'max', endLr: 'initial', startMom: 'base', endMom: 'max' },
        { endStep: T - 1, startLr: 'initial', endLr: 'min', startMom: 'max', endMom: 'max' }];
    }
    return [
      { endStep: pct * T - 1, startLr: 'initial', endLr: 'max', startMom: 'max', endMom: 'base' },
      { endStep: T - 1, startLr: 'max', endLr: 'min', startMom: 'base', endMom: 'max' }];
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
  }

  private setMomentum(m: number[]): void {
    this.groups.forEach((g, i) => {
      if (this.useBeta1) g.betas = [m[i], ...(g.betas as number[]).slice(1)] as [number, number];
      else g.momentum = m[i];
    });
  }

  /** Refuses (before touching any state) to step past `totalSteps`, as PyTorch does. */
  override step(): void {
    if (this.lastEpoch + 1 > this.totalSteps) {
      throw new DescentError('BAD_ARGUMENT', `${W}: tried to step ${this.lastEpoch + 2} times; expected at most totalSteps = ${this.totalSteps}`);
    }
    super.step();
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    const lrs: number[] = [];
    const moms: number[] = [];
    for (let g = 0; g < this.groups.length; g++) {
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const p = this.phases[i];
        if (t <= p.endStep || i === this.phases.length - 1) {
          const pct = (t - start) / (p.endStep - start);
          lrs.push(this.anneal(this.lrs[p.startLr][g], this.lrs[p.endLr][g], pct));
          moms.push(this.anneal(this.moms[p.startMom][g], this.moms[p.endMom][g], pct));
          break;
        }
        start = p.endStep;
      }
    }
    if (this.cycleMomentum) this.setMomentum(moms);
    return lrs;
  }
}
