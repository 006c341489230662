// LambdaLR: lr = base_lr · f(epoch) with a user function per group (PyTorch semantics). The
// functions are not part of stateDict(), exactly as PyTorch does not pickle plain functions.

import { check, checkOptions } from '../../errors.js';
import { LRScheduler, type SchedulableOptimizer } from './base.js';

export type LrLambda = (epoch: number) => number;
export interface LambdaLROptions { lrLambda: LrLambda | LrLambda[] }

/**
 * @example new LambdaLR(opt, { lrLambda: (e) => 0.95 ** e })
 */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];
  constructor(optimizer: SchedulableOptimizer, opts: LambdaLROptions) {
    super(optimizer, 'LambdaLR');
    checkOptions('LambdaLR', opts, ['lrLambda']);
    const f = opts?.lrLambda;
    const n = optimizer.paramGroups.length;
    const list = Array.isArray(f) ? f : new Array<LrLambda>(n).fill(f);
    check(list.length === n && list.every((x) => typeof x === 'function'), 'BAD_OPTION',
      () => `LambdaLR: option 'lrLambda' expected a function or ${n} functions (one per param group), got ${Array.isArray(f) ? `${f.length} entries` : typeof f}`);
    this.lrLambdas = list;
    this.initialStep();
  }
  protected override transientKeys(): string[] {
    return [...super.transientKeys(), 'lrLambdas'];
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const factor = this.lrLambdas[i](this.lastEpoch);
      check(typeof factor === 'number' && !Number.isNaN(factor), 'BAD_ARGUMENT',
        () => `LambdaLR: lrLambda[${i}](${this.lastEpoch}) expected to return a number, got ${String(factor)}`);
      return b * factor;
    });
  }
}
