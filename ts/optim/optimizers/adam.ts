// The Adam family as PyTorch-named facades over transformation chains: Adam, AdamW, NAdam, RAdam,
// Adamax. Coupled weight decay adds λθ to the gradient before the moments; decoupled decay
// (AdamW, and NAdam/RAdam with decoupledWeightDecay) adds λθ after them, which with the final −lr
// gives PyTorch's θ ← θ(1 − lr·λ) − lr·u.

import type { Tensor } from '../../tensor.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { addDecayedWeights, chain, scale, scaleByLearningRate, linkStates, type GradientTransformation, type ParamState } from '../transform.js';
import { bf16StateOk, groupIndices, ownedState, reserveStateWords, runFused, runFusedBf16State } from '../fused.js';
import { scaleByAdam, scaleByAdamax, scaleByNadam, scaleByRadam } from '../transforms/adam.js';
import { betas, choice, flag, nonNegative, positive, type OptionSchema } from '../validate.js';
import { STATE_DTYPES, type StateDtype } from '../low-precision-state.js';
import { MASTER_WEIGHTS, type MasterWeights } from '../master-weights.js';

export interface AdamOptions {
  lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean; maximize?: boolean;
  decoupledWeightDecay?: boolean;
  /** Where m and v live between steps: 'f32' (default), 'bf16' (stochastic rounding) or '8bit' (block-wise). */
  stateDtype?: StateDtype;
  /** 'remainder': bf16 parameters keep their f32 master exactly in a 16-bit remainder (default 'none'). */
  masterWeights?: MasterWeights;
}

const num = (g: ParamGroup, k: string) => (): number => g[k] as number;
const beta = (g: ParamGroup, i: 0 | 1) => (): number => (g.betas as [number, number])[i];

/** Builds [negate?, coupled decay, core, decoupled decay, −lr] for one group. */
function adamLike(g: ParamGroup, core: GradientTransformation,
  decoupled = (): boolean => g.decoupledWeightDecay === true): GradientTransformation {
  return chain(scale(() => (g.maximize ? -1 : 1)),
    addDecayedWeights(() => (decoupled() ? 0 : g.weightDecay as number)), core,
    addDecayedWeights(() => (decoupled() ? g.weightDecay as number : 0)), scaleByLearningRate(() => g.lr));
}

const ADAM: OptionSchema = {
  lr: nonNegative(1e-3), betas: betas([0.9, 0.999]), eps: positive(1e-8), weightDecay: nonNegative(0),
  amsgrad: flag(false), maximize: flag(false), decoupledWeightDecay: flag(false), stateDtype: choice('f32', STATE_DTYPES), masterWeights: choice('none', MASTER_WEIGHTS),
};

/**
 * Adam (Kingma & Ba, 2015) with PyTorch's defaults and order of operations.
 * @example const opt = new optim.Adam(params, { lr: 1e-3, betas: [0.9, 0.999] });
 */
export class Adam extends Optimizer {
  constructor(params: ParamsInput, opts: AdamOptions = {}, name = 'Adam', schema: OptionSchema = ADAM) {
    super(name, params, opts, schema);
  }
  /** Whether this group's weight decay is decoupled (AdamW overrides: always). */
  protected decoupled(g: ParamGroup): boolean {
    return g.decoupledWeightDecay === true;
  }
  /** One f32_adam_multi call per step count; state = the chain's scaleByAdam link. */
  protected override fusedStep(g: ParamGroup, ps: Tensor[], states: ParamState[], tx: GradientTransformation): boolean {
    const ams = g.amsgrad === true;
    const core = linkStates(tx, states, 'scaleByAdam');
    for (const idx of groupIndices(ps.length, (i) => core[i].step as number)) {
      const t = (core[idx[0]].step as number) + 1;
      const st = idx.map((i) => {
        const m = ownedState(core[i], 'm', ps[i]);
        const v = ownedState(core[i], 'v', ps[i], [m]);
        return [m, v, ams ? ownedState(core[i], 'vmax', ps[i], [m, v]) : null];
      });
      runFused('adam', idx.map((i) => ps[i]), st, this.adamScalars(g, t), (ams ? 1 : 0) | (g.maximize ? 2 : 0));
      for (const i of idx) core[i].step = t;
    }
    return true;
  }

  /** The same update with bf16 m, v (no AMSGrad): one f32_adam_bf16state_multi call per step count. */
  protected override fusedStepBf16State(g: ParamGroup, ps: Tensor[], states: ParamState[], tx: GradientTransformation): boolean {
    const core = linkStates(tx, states, 'scaleByAdam');
    if (g.amsgrad === true || ps[0].backend.fusedUpdateBf16State === undefined
      || !ps.every((p, i) => bf16StateOk(core[i].m, p) && bf16StateOk(core[i].v, p))) return false;
    const st = core.map((c) => [c.m as Tensor, c.v as Tensor]);
    const { blocks, key } = reserveStateWords(st);
    for (const idx of groupIndices(ps.length, (i) => core[i].step as number)) {
      const t = (core[idx[0]].step as number) + 1;
      runFusedBf16State('adam', idx.map((i) => ps[i]), idx.map((i) => st[i]), idx.map((i) => blocks[i]), key, this.adamScalars(g, t), g.maximize ? 2 : 0);
      for (const i of idx) core[i].step = t;
    }
    return true;
  }

  /** The kernels' scalars for step t: β1, β2, eps, lr/(1−β1^t), √(1−β2^t), decoupled decay, coupled decay. */
  private adamScalars(g: ParamGroup, t: number): number[] {
    const [b1, b2] = g.betas as [number, number];
    const lr = g.lr, wd = g.weightDecay as number, dec = this.decoupled(g);
    return [b1, b2, g.eps as number, lr / (1 - b1 ** t), Math.sqrt(1 - b2 ** t), dec ? 1 - lr * wd : 1, dec ? 0 : wd];
  }

  protected makeTransform(g: ParamGroup): GradientTransformation {
    const core = scaleByAdam({ b1: beta(g, 0), b2: beta(g, 1), eps: num(g, 'eps'), amsgrad: () => g.amsgrad as boolean });
    return adamLike(g, core, () => this.decoupled(g));
  }
}

export type AdamWOptions = Omit<AdamOptions, 'decoupledWeightDecay'>;

/** AdamW (Loshchilov & Hutter, 2019): Adam with decoupled decay, weightDecay default 1e-2 (PyTorch). */
export class AdamW extends Adam {
  constructor(params: ParamsInput, opts: AdamWOptions = {}) {
    const { decoupledWeightDecay: _d, ...rest } = ADAM;
    super(params, opts, 'AdamW', { ...rest, weightDecay: nonNegative(1e-2) });
  }
  protected override decoupled(): boolean {
    return true;
  }
}

export interface NAdamOptions {
  lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; momentumDecay?: number;
  decoupledWeightDecay?: boolean; maximize?: boolean;
}

/** NAdam (Dozat, 2016) with PyTorch's momentum-decay schedule; defaults lr 2e-3, momentumDecay 4e-3; `maximize` as torch ≥ 2.1. */
export class NAdam extends Optimizer {
  constructor(params: ParamsInput, opts: NAdamOptions = {}) {
    super('NAdam', params, opts, {
      lr: nonNegative(2e-3), betas: betas([0.9, 0.999]), eps: positive(1e-8), weightDecay: nonNegative(0),
      momentumDecay: nonNegative(4e-3), decoupledWeightDecay: flag(false), maximize: flag(false),
    });
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return adamLike(g, scaleByNadam({ b1: beta(g, 0), b2: beta(g, 1), eps: num(g, 'eps'), momentumDecay: num(g, 'momentumDecay') }));
  }
}

export interface RAdamOptions {
  lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; decoupledWeightDecay?: boolean; maximize?: boolean;
}

/** RAdam (Liu et al., 2020), PyTorch semantics; default lr 1e-3; `maximize` as torch ≥ 2.1. */
export class RAdam extends Optimizer {
  constructor(params: ParamsInput, opts: RAdamOptions = {}) {
    super('RAdam', params, opts, {
      lr: nonNegative(1e-3), betas: betas([0.9, 0.999]), eps: positive(1e-8), weightDecay: nonNegative(0),
      decoupledWeightDecay: flag(false), maximize: flag(false),
    });
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return adamLike(g, scaleByRadam({ b1: beta(g, 0), b2: beta(g, 1), eps: num(g, 'eps') }));
  }
}

export interface AdamaxOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; maximize?: boolean }

/** Adamax (Kingma & Ba, 2015, §7), PyTorch semantics; default lr 2e-3. */
export class Adamax extends Optimizer {
  constructor(params: ParamsInput, opts: AdamaxOptions = {}) {
    super('Adamax', params, opts, {
      lr: nonNegative(2e-3), betas: betas([0.9, 0.999]), eps: positive(1e-8), weightDecay: nonNegative(0), maximize: flag(false),
    });
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return adamLike(g, scaleByAdamax({ b1: beta(g, 0), b2: beta(g, 1), eps: num(g, 'eps') }));
  }
}
