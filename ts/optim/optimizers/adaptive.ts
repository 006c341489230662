// Adagrad, RMSprop and Adadelta as PyTorch-named facades (ALGORITHMS.md §3): negate if maximize,
// coupled L2 weight decay, the adaptive scaling, RMSprop's optional momentum trace, −lr.

import type { Tensor } from '../../tensor.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { addDecayedWeights, chain, linkStates, scale, scaleByLearningRate, trace, type GradientTransformation, type ParamState } from '../transform.js';
import { groupIndices, ownedState, runFused } from '../fused.js';
import { scaleByAdadelta, scaleByAdagrad, scaleByRmsprop } from '../transforms/adaptive.js';
import { flag, nonNegative, positive, unitInterval } from '../validate.js';

const num = (g: ParamGroup, k: string) => (): number => g[k] as number;
const pre = (g: ParamGroup): GradientTransformation[] =>
  [scale(() => (g.maximize ? -1 : 1)), addDecayedWeights(num(g, 'weightDecay'))];

export interface AdagradOptions {
  lr?: number; lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number; maximize?: boolean;
}

/** Adagrad (Duchi et al., 2011); PyTorch defaults lr 1e-2, eps 1e-10 (eps outside the root). */
export class Adagrad extends Optimizer {
  constructor(params: ParamsInput, opts: AdagradOptions = {}) {
    super('Adagrad', params, opts, {
      lr: nonNegative(1e-2), lrDecay: nonNegative(0), weightDecay: nonNegative(0),
      initialAccumulatorValue: nonNegative(0), eps: positive(1e-10), maximize: flag(false),
    });
  }
  /** f32_adagrad_multi per step count over the scaleByAdagrad link's sums. */
  protected override fusedStep(g: ParamGroup, ps: Tensor[], states: ParamState[], tx: GradientTransformation): boolean {
    const core = linkStates(tx, states, 'scaleByAdagrad');
    for (const idx of groupIndices(ps.length, (i) => core[i].step as number)) {
      const t = (core[idx[0]].step as number) + 1;
      const clr = g.lr / (1 + (t - 1) * (g.lrDecay as number));
      runFused('adagrad', idx.map((i) => ps[i]), idx.map((i) => [ownedState(core[i], 'sum', ps[i])]),
        [clr, g.eps as number, g.weightDecay as number], g.maximize ? 2 : 0);
      for (const i of idx) core[i].step = t;
    }
    return true;
  }

  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(...pre(g), scaleByAdagrad({ eps: num(g, 'eps'), lrDecay: num(g, 'lrDecay'),
      initialAccumulatorValue: g.initialAccumulatorValue as number }), scaleByLearningRate(() => g.lr));
  }
}

export interface RMSpropOptions {
  lr?: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean; maximize?: boolean;
}

/** RMSprop (Hinton, 2012) as PyTorch: defaults lr 1e-2, alpha 0.99, eps 1e-8 added after the root. */
export class RMSprop extends Optimizer {
  constructor(params: ParamsInput, opts: RMSpropOptions = {}) {
    super('RMSprop', params, opts, {
      lr: nonNegative(1e-2), alpha: nonNegative(0.99), eps: positive(1e-8), weightDecay: nonNegative(0),
      momentum: nonNegative(0), centered: flag(false), maximize: flag(false),
    });
  }
  /** f32_rmsprop_multi over the scaleByRmsprop and momentum trace links' state. */
  protected override fusedStep(g: ParamGroup, ps: Tensor[], states: ParamState[], tx: GradientTransformation): boolean {
    const mu = g.momentum as number, centered = g.centered === true;
    const cores = linkStates(tx, states, 'scaleByRmsprop');
    const traces = mu > 0 ? linkStates(tx, states, 'trace') : [];
    const st = cores.map((core, i) => {
      const v = ownedState(core, 'v', ps[i]);
      const gAvg = centered ? ownedState(core, 'gAvg', ps[i], [v]) : null;
      return [v, gAvg, mu > 0 ? ownedState(traces[i], 'buf', ps[i], [v, gAvg]) : null];
    });
    runFused('rmsprop', ps, st, [g.lr, g.alpha as number, g.eps as number, g.weightDecay as number, mu],
      (centered ? 1 : 0) | (g.maximize ? 2 : 0));
    return true;
  }

  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(...pre(g), scaleByRmsprop({ alpha: num(g, 'alpha'), eps: num(g, 'eps'), centered: () => g.centered as boolean }),
      trace({ decay: num(g, 'momentum') }), scaleByLearningRate(() => g.lr));
  }
}

export interface AdadeltaOptions { lr?: number; rho?: number; eps?: number; weightDecay?: number; maximize?: boolean }

/** Adadelta (Zeiler, 2012) as PyTorch: defaults lr 1, rho 0.9, eps 1e-6. */
export class Adadelta extends Optimizer {
  constructor(params: ParamsInput, opts: AdadeltaOptions = {}) {
    super('Adadelta', params, opts, {
      lr: nonNegative(1), rho: unitInterval(0.9),
      eps: positive(1e-6), weightDecay: nonNegative(0), maximize: flag(false),
    });
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(...pre(g), scaleByAdadelta({ rho: num(g, 'rho'), eps: num(g, 'eps') }), scaleByLearningRate(() => g.lr));
  }
}
