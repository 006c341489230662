// torch.optim.SGD as a facade: chain(negate if maximize, coupled weight decay, momentum trace with
// dampening / Nesterov, −lr). PyTorch semantics (ALGORITHMS.md §1): the first momentum step copies
// the gradient (no dampening). Note the form v ← μv + g, θ ← θ − lr·v differs from Sutskever's
// v ← μv + lr·g, θ ← θ − v when the lr changes; the lecture forms live in ./classical.ts.

import { DescentError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { addDecayedWeights, chain, linkStates, scale, scaleByLearningRate, trace, type GradientTransformation, type ParamState } from '../transform.js';
import { bf16StateOk, groupIndices, ownedState, reserveStateWords, runFused, runFusedBf16State } from '../fused.js';
import { choice, flag, nonNegative } from '../validate.js';
import { STATE_DTYPES, type StateDtype } from '../low-precision-state.js';
import { MASTER_WEIGHTS, type MasterWeights } from '../master-weights.js';

export interface SGDOptions {
  lr?: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean;
  /** Where the momentum buffer lives between steps: 'f32' (default), 'bf16' (stochastic rounding) or '8bit'. */
  stateDtype?: StateDtype;
  /** 'remainder': bf16 parameters keep their f32 master exactly in a 16-bit remainder (default 'none'). */
  masterWeights?: MasterWeights;
}

const SCHEMA = {
  lr: nonNegative(1e-3), momentum: nonNegative(0), dampening: nonNegative(0), weightDecay: nonNegative(0),
  nesterov: flag(false), maximize: flag(false), stateDtype: choice('f32', STATE_DTYPES), masterWeights: choice('none', MASTER_WEIGHTS),
};

/**
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer {
  constructor(params: ParamsInput, opts: SGDOptions = {}) {
    super('SGD', params, opts, SCHEMA);
  }

  protected override checkGroup(g: ParamGroup): void {
    if (g.nesterov && ((g.momentum as number) <= 0 || g.dampening !== 0)) {
      throw new DescentError('BAD_OPTION', `SGD: option 'nesterov' requires momentum > 0 and dampening = 0, got momentum ${String(g.momentum)} and dampening ${String(g.dampening)}`);
    }
  }

  /** f32_sgd_multi over the trace link's buffers; fresh buffers take the copy-g first step. */
  protected override fusedStep(g: ParamGroup, ps: Tensor[], states: ParamState[], tx: GradientTransformation): boolean {
    const mu = g.momentum as number;
    const tr = linkStates(tx, states, 'trace');
    for (const idx of groupIndices(ps.length, (i) => (mu !== 0 && tr[i].buf === null ? 1 : 0))) {
      const first = mu !== 0 && tr[idx[0]].buf === null;
      const bufs = idx.map((i) => [mu === 0 ? null : ownedState(tr[i], 'buf', ps[i])]);
      runFused('sgd', idx.map((i) => ps[i]), bufs, [g.lr, mu, g.dampening as number, g.weightDecay as number],
        (g.nesterov ? 1 : 0) | (g.maximize ? 2 : 0) | (first ? 4 : 0));
    }
    return true;
  }

  /** With a bf16 momentum buffer (from the second step: the first creates it, composed): one f32_sgd_bf16state_multi call. */
  protected override fusedStepBf16State(g: ParamGroup, ps: Tensor[], states: ParamState[], tx: GradientTransformation): boolean {
    const tr = linkStates(tx, states, 'trace');
    if ((g.momentum as number) === 0 || ps[0].backend.fusedUpdateBf16State === undefined
      || !ps.every((p, i) => bf16StateOk(tr[i].buf, p))) return false;
    const st = tr.map((s) => [s.buf as Tensor]);
    const { blocks, key } = reserveStateWords(st);
    runFusedBf16State('sgd', ps, st, blocks, key, [g.lr, g.momentum as number, g.dampening as number, g.weightDecay as number],
      (g.nesterov ? 1 : 0) | (g.maximize ? 2 : 0));
    return true;
  }

  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(
      scale(() => (g.maximize ? -1 : 1)),
      addDecayedWeights(() => g.weightDecay as number),
      trace({ decay: () => g.momentum as number, dampening: () => g.dampening as number, nesterov: () => g.nesterov as boolean }),
      scaleByLearningRate(() => g.lr),
    );
  }
}
