// Sign-based optimizers as facades: Lion, SignSGD and Signum. Weight decay is decoupled (applied
// as θ ← θ(1 − lr·λ), as in the Lion paper and Optax), so it is not scaled away by the sign.

import type { Tensor } from '../../tensor.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { addDecayedWeights, chain, linkStates, scaleByLearningRate, type GradientTransformation, type ParamState } from '../transform.js';
import { bf16StateOk, ownedState, reserveStateWords, runFused, runFusedBf16State } from '../fused.js';
import { ema, scaleByLion, scaleBySign } from '../transforms/sign.js';
import { betas, choice, nonNegative, unitInterval } from '../validate.js';
import { STATE_DTYPES, type StateDtype } from '../low-precision-state.js';
import { MASTER_WEIGHTS, type MasterWeights } from '../master-weights.js';

const lrAndDecay = (g: ParamGroup): GradientTransformation[] =>
  [addDecayedWeights(() => g.weightDecay as number), scaleByLearningRate(() => g.lr)];

export interface LionOptions {
  lr?: number; betas?: [number, number]; weightDecay?: number;
  /** Where the momentum lives between steps: 'f32' (default), 'bf16' (stochastic rounding) or '8bit'. */
  stateDtype?: StateDtype;
  /** 'remainder': bf16 parameters keep their f32 master exactly in a 16-bit remainder (default 'none'). */
  masterWeights?: MasterWeights;
}

/**
 * Lion (Chen et al., 2023): θ ← θ(1 − lr·λ) − lr·sign(β1 m + (1−β1) g); m ← β2 m + (1−β2) g.
 * Defaults lr 1e-4, betas [0.9, 0.99], weightDecay 0. Use a 3–10× smaller lr than AdamW.
 */
export class Lion extends Optimizer {
  constructor(params: ParamsInput, opts: LionOptions = {}) {
    super('Lion', params, opts, { lr: nonNegative(1e-4), betas: betas([0.9, 0.99]), weightDecay: nonNegative(0),
      stateDtype: choice('f32', STATE_DTYPES), masterWeights: choice('none', MASTER_WEIGHTS) });
  }
  /** f32_lion_multi over the scaleByLion link's momentum. */
  protected override fusedStep(g: ParamGroup, ps: Tensor[], states: ParamState[], tx: GradientTransformation): boolean {
    const [b1, b2] = g.betas as [number, number];
    runFused('lion', ps, linkStates(tx, states, 'scaleByLion').map((s, i) => [ownedState(s, 'm', ps[i])]),
      [g.lr, b1, b2, 1 - g.lr * (g.weightDecay as number)], 0);
    return true;
  }

  /** The same update with a bf16 m: one f32_lion_bf16state_multi call. */
  protected override fusedStepBf16State(g: ParamGroup, ps: Tensor[], states: ParamState[], tx: GradientTransformation): boolean {
    const core = linkStates(tx, states, 'scaleByLion');
    if (ps[0].backend.fusedUpdateBf16State === undefined || !ps.every((p, i) => bf16StateOk(core[i].m, p))) return false;
    const st = core.map((c) => [c.m as Tensor]);
    const { blocks, key } = reserveStateWords(st);
    const [b1, b2] = g.betas as [number, number];
    runFusedBf16State('lion', ps, st, blocks, key, [g.lr, b1, b2, 1 - g.lr * (g.weightDecay as number)], 0);
    return true;
  }

  protected makeTransform(g: ParamGroup): GradientTransformation {
    const b = (): [number, number] => g.betas as [number, number];
    return chain(scaleByLion({ b1: () => b()[0], b2: () => b()[1] }), ...lrAndDecay(g));
  }
}

export interface SignSGDOptions { lr?: number; weightDecay?: number }

/** signSGD (Bernstein et al., 2018): θ ← θ − lr·sign(g). Default lr 1e-3. */
export class SignSGD extends Optimizer {
  constructor(params: ParamsInput, opts: SignSGDOptions = {}) {
    super('SignSGD', params, opts, { lr: nonNegative(1e-3), weightDecay: nonNegative(0) });
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(scaleBySign(), ...lrAndDecay(g));
  }
}

export interface SignumOptions { lr?: number; momentum?: number; weightDecay?: number }

/** Signum (Bernstein et al., 2018): m ← βm + (1−β)g from 0, θ ← θ − lr·sign(m). Defaults lr 1e-3, momentum 0.9. */
export class Signum extends Optimizer {
  constructor(params: ParamsInput, opts: SignumOptions = {}) {
    super('Signum', params, opts, { lr: nonNegative(1e-3), momentum: unitInterval(0.9), weightDecay: nonNegative(0) });
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(ema(() => g.momentum as number), scaleBySign(), ...lrAndDecay(g));
  }
}
