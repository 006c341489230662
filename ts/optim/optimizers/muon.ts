// Muon (Keller Jordan, "Muon: An optimizer for hidden layers in neural networks", 2024;
// ALGORITHMS.md §5): momentum in the reference's exponential-average form, Nesterov look-ahead,
// Newton–Schulz orthogonalization of the (flattened) update, a shape scale, decoupled weight decay.
// Defaults follow the KellerJordan/Muon reference (lr 0.02, momentum 0.95, nesterov, weight decay
// 0, eps 1e-7 added to the norm, scale √max(1, rows/cols)); torch.optim.Muon's variants are the
// `adjustLrFn` option ('original' = the reference scale, 'match_rms_adamw' = 0.2·√max(rows, cols),
// 'spectral_unclamped' = √(rows/cols)) and `normalize: 'clamp'`; like torch, the weight decay
// always uses the unadjusted lr. MuonWithAuxAdam routes hidden matrices to Muon and everything
// else to Adam, as the reference's class of that name.

import { check } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { zerosLike } from '../../ops/creation.js';
import { add, mul, sub } from '../../ops/elementwise.js';
import { reshape } from '../../ops/shape.js';
import { Optimizer, type ParamGroup, type ParamGroupInput, type ParamsInput } from '../optimizer.js';
import { addDecayedWeights, chain, on, scaleByLearningRate, val, type Flag, type GradientTransformation, type Scalar } from '../transform.js';
import { scaleByAdam } from '../transforms/adam.js';
import { zeropowerViaNewtonSchulz, type NewtonSchulzOptions } from '../newton-schulz.js';
import { betas, choice, flag, nonNegative, positive, positiveInt, unitInterval, type OptionSchema } from '../validate.js';

export type AdjustLrFn = 'original' | 'match_rms_adamw' | 'spectral_unclamped';

/** The update's scale for a (rows × cols) matrix under each adjustLrFn. */
export function muonScale(rows: number, cols: number, fn: AdjustLrFn = 'original'): number {
  if (fn === 'match_rms_adamw') return 0.2 * Math.sqrt(Math.max(rows, cols));
  if (fn === 'spectral_unclamped') return Math.sqrt(rows / cols);
  return Math.sqrt(Math.max(1, rows / cols));
}

export interface ScaleByMuonOptions {
  momentum?: Scalar; nesterov?: Flag; nsSteps?: Scalar; adjustLrFn?: () => AdjustLrFn;
  ns?: Omit<NewtonSchulzOptions, 'steps'>;
}

/**
 * buf ← β·buf + (1−β)·g (from 0); u = nesterov ? g + β(buf − g) : buf; u is flattened to
 * (shape[0], rest), orthogonalized, scaled, and reshaped back.
 */
export function scaleByMuon(opts: ScaleByMuonOptions = {}): GradientTransformation {
  return {
    name: 'scaleByMuon',
    init: (p) => ({ buf: zerosLike(p) }),
    update: (u, states) => u.map((g, i) => {
      const beta = val(opts.momentum ?? 0.95);
      const prev = states[i].buf as Tensor;
      const buf = add(prev, mul(sub(g, prev), 1 - beta));
      states[i].buf = buf;
      const dir = on(opts.nesterov ?? true) ? add(g, mul(sub(buf, g), beta)) : buf;
      const rows = g.shape[0], cols = g.size / rows;
      const o = zeropowerViaNewtonSchulz(reshape(dir, [rows, cols]), { ...opts.ns, steps: val(opts.nsSteps ?? 5) });
      return reshape(mul(o, muonScale(rows, cols, opts.adjustLrFn?.() ?? 'original')), g.shape);
    }),
  };
}

const MUON: OptionSchema = {
  lr: nonNegative(0.02), momentum: unitInterval(0.95), nesterov: flag(true), weightDecay: nonNegative(0),
  nsSteps: positiveInt(5), eps: nonNegative(1e-7),
  adjustLrFn: choice<AdjustLrFn>('original', ['original', 'match_rms_adamw', 'spectral_unclamped']),
  normalize: choice<'add' | 'clamp'>('add', ['add', 'clamp']),
};

function muonChain(g: ParamGroup): GradientTransformation {
  return chain(
    scaleByMuon({ momentum: () => g.momentum as number, nesterov: () => g.nesterov as boolean, nsSteps: () => g.nsSteps as number,
      adjustLrFn: () => g.adjustLrFn as AdjustLrFn, ns: { eps: g.eps as number, normalize: g.normalize as 'add' | 'clamp' } }),
    addDecayedWeights(() => g.weightDecay as number), scaleByLearningRate(() => g.lr));
}

const checkMatrices = (where: string, g: ParamGroup): void => g.params.forEach((p, i) => check(p.ndim >= 2, 'BAD_ARGUMENT',
  () => `${where}: params[${i}] has shape [${p.shape}]; Muon needs matrices (ndim ≥ 2). Route biases, gains and embeddings to AdamW (MuonWithAuxAdam)`));

export interface MuonOptions {
  lr?: number; momentum?: number; nesterov?: boolean; weightDecay?: number; nsSteps?: number; eps?: number;
  adjustLrFn?: AdjustLrFn; normalize?: 'add' | 'clamp';
}

/**
 * @example const opt = new optim.Muon(hiddenWeights, { lr: 0.02, weightDecay: 0.01 });
 */
export class Muon extends Optimizer {
  constructor(params: ParamsInput, opts: MuonOptions = {}) {
    super('Muon', params, opts, MUON);
  }
  protected override checkGroup(g: ParamGroup): void {
    checkMatrices('Muon', g);
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return muonChain(g);
  }
}

const AUX_ADAM = { lr: 3e-4, betas: [0.9, 0.95], eps: 1e-10, weightDecay: 0 };

/**
 * Keller Jordan's MuonWithAuxAdam: every group says `useMuon`. Muon groups take Muon's options
 * (defaults lr 0.02, momentum 0.95, weightDecay 0); the others Adam's with decoupled decay
 * (defaults lr 3e-4, betas [0.9, 0.95], eps 1e-10, weightDecay 0). `splitForMuon` builds the
 * mask the reference recommends.
 * @example new optim.MuonWithAuxAdam([{ params: hidden, useMuon: true, lr: 0.02 }, { params: rest, useMuon: false }])
 */
export class MuonWithAuxAdam extends Optimizer {
  constructor(groups: readonly ParamGroupInput[]) {
    super('MuonWithAuxAdam', groups as ParamsInput, {}, {
      ...MUON, useMuon: flag(true), betas: betas([0.9, 0.95]), eps: positive(1e-10),
    });
  }
  override addParamGroup(input: ParamGroupInput): void {
    check(input !== null && typeof input === 'object' && typeof input.useMuon === 'boolean', 'BAD_OPTION',
      () => 'MuonWithAuxAdam: every param group needs useMuon: true or false');
    super.addParamGroup(input.useMuon ? { eps: 1e-7, ...input } : { ...AUX_ADAM, ...input });
  }
  protected override checkGroup(g: ParamGroup): void {
    if (g.useMuon) checkMatrices('MuonWithAuxAdam', g);
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    if (g.useMuon) return muonChain(g);
    const b = (): [number, number] => g.betas as [number, number];
    return chain(scaleByAdam({ b1: () => b()[0], b2: () => b()[1], eps: () => g.eps as number }),
      addDecayedWeights(() => g.weightDecay as number), scaleByLearningRate(() => g.lr));
  }
}

/**
 * The reference's routing: matrices (ndim ≥ 2) not listed in `exclude` (input embedding, output
 * head) go to Muon; the rest (biases, gains, excluded matrices) to Adam.
 */
export function splitForMuon(params: Iterable<Tensor>, exclude: Iterable<Tensor> = []): { muon: Tensor[]; adam: Tensor[] } {
  const ex = new Set(exclude);
  const muon: Tensor[] = [], adam: Tensor[] = [];
  for (const p of params) (p.ndim >= 2 && !ex.has(p) ? muon : adam).push(p);
  return { muon, adam };
}
