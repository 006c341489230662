// Shampoo (Gupta, Koren & Singer, "Shampoo: Preconditioned Stochastic Tensor Optimization",
// 2018; ALGORITHMS.md §6) with the knobs of Meta's DistributedShampoo: left/right statistics
// L ← β2·L + G·Gᵀ, R ← β2·R + Gᵀ·G (β2 = 1: AdaGrad-style sums; β2 < 1: EMA with weight 1 − β2 and
// bias correction), inverse 4th roots (A + εI)^(−1/4) by a symmetric eigendecomposition in f64
// (./sym_eig.ts), recomputed every `preconditionFrequency` steps from `startPreconditioningStep`
// on, blocking of dimensions larger than `maxPreconditionerDim`, and per-block grafting of the
// step's norm from SGD, AdaGrad or Adam. What is preconditioned is the bias-corrected EMA of the
// gradient (β1; Meta's "filtered gradient"); decoupled weight decay. Vectors use one statistic
// and the exponent −1/2; tensors of order > 2 are reshaped to (shape[0], rest) matrices (Meta
// preconditions each mode with −1/(2·order) instead).

import type { Tensor } from '../../tensor.js';
import { tensor, zerosLike } from '../../ops/creation.js';
import { add, div, mul, sqrt } from '../../ops/elementwise.js';
import { norm } from '../../ops/reduce.js';
import { matmul } from '../../ops/linalg.js';
import { cat } from '../../ops/join.js';
import { reshape, slice, transpose } from '../../ops/shape.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { addDecayedWeights, chain, scaleByLearningRate, type GradientTransformation, type ParamState } from '../transform.js';
import { inverseRoot } from '../sym_eig.js';
import { check } from '../../errors.js';
import { checkNumber, choice, flag, nonNegative, positive, positiveInt, unitInterval } from '../validate.js';

export type Grafting = 'none' | 'sgd' | 'adagrad' | 'adam';

export interface ShampooOptions {
  lr?: number; betas?: [number, number]; epsilon?: number; weightDecay?: number; maxPreconditionerDim?: number;
  preconditionFrequency?: number; startPreconditioningStep?: number; useBiasCorrection?: boolean;
  grafting?: Grafting; graftingEpsilon?: number; graftingBeta2?: number;
}

/** Row (or element) ranges of at most `b` splitting `n`. */
const ranges = (n: number, b: number): [number, number][] =>
  Array.from({ length: Math.ceil(n / b) }, (_, i) => [i * b, Math.min(n, (i + 1) * b)]);

/** The 2-D view Shampoo works on: vectors are (n, 1) with only a left statistic. */
function asMatrix(t: Tensor): [Tensor, boolean] {
  if (t.ndim <= 1) return [reshape(t, [t.size, 1]), true];
  return [reshape(t, [t.shape[0], t.size / t.shape[0]]), false];
}

function hostRoot(stat: Tensor, like: Tensor, p: number, eps: number, scale: number): Tensor {
  const n = stat.shape[0];
  const a = Float64Array.from(stat.dataSync(), (x) => x * scale);
  return tensor(inverseRoot(a, n, p, eps), { shape: [n, n], dtype: like.dtype, device: like.device });
}

interface Block { r: [number, number]; c: [number, number] }

function blocksOf(rows: number, cols: number, b: number, vector: boolean): Block[] {
  const out: Block[] = [];
  for (const r of ranges(rows, b)) for (const c of vector ? [[0, 1] as [number, number]] : ranges(cols, b)) out.push({ r, c });
  return out;
}

/** One parameter's Shampoo direction from its gradient; reads and replaces tensors in `s`. */
function shampooDirection(g: Tensor, s: ParamState, gr: ParamGroup): Tensor {
  const [b1, b2] = gr.betas as [number, number];
  const t = (s.step as number) + 1;
  s.step = t;
  const bc = gr.useBiasCorrection === true;
  const m = b1 === 0 ? g : add(mul(s.m as Tensor, b1), mul(g, 1 - b1));
  if (b1 !== 0) s.m = m;
  const mHat = b1 !== 0 && bc ? div(m, 1 - b1 ** t) : m;
  const graft = graftDirection(g, mHat, s, gr, t);
  const start = gr.startPreconditioningStep as number;
  const [G, vector] = asMatrix(g);
  const [M] = asMatrix(mHat);
  const [D] = asMatrix(graft ?? mHat);
  const blocks = blocksOf(G.shape[0], G.shape[1], gr.maxPreconditionerDim as number, vector);
  const recompute = t >= start && (t - start) % (gr.preconditionFrequency as number) === 0;
  const w = b2 < 1 ? 1 - b2 : 1;
  const statScale = b2 < 1 && bc ? 1 / (1 - b2 ** t) : 1;
  const out = blocks.map((blk, i) => {
    const bs = s[`b${i}`] as ParamState;
    const gb = slice(slice(G, 0, blk.r[0], blk.r[1]), 1, blk.c[0], blk.c[1]);
    bs.L = add(mul(bs.L as Tensor, b2), mul(matmul(gb, transpose(gb, 0, 1)), w));
    if (!vector) bs.R = add(mul(bs.R as Tensor, b2), mul(matmul(transpose(gb, 0, 1), gb), w));
    if (recompute || (t >= start && bs.Linv === null)) {
      bs.Linv = hostRoot(bs.L as Tensor, g, vector ? 2 : 4, gr.epsilon as number, statScale);
      if (!vector) bs.Rinv = hostRoot(bs.R as Tensor, g, 4, gr.epsilon as number, statScale);
    }
    const db = slice(slice(D, 0, blk.r[0], blk.r[1]), 1, blk.c[0], blk.c[1]);
    if (t < start || bs.Linv === null) return db;
    const mb = slice(slice(M, 0, blk.r[0], blk.r[1]), 1, blk.c[0], blk.c[1]);
    let pb = matmul(bs.Linv as Tensor, mb);
    if (!vector) pb = matmul(pb, bs.Rinv as Tensor);
    if (graft === null) return pb;
    const pn = norm(pb).item();
    return pn > 0 ? mul(pb, norm(db).item() / pn) : pb;
  });
  return reshape(assemble(out, blocks), g.shape);
}

/** The grafting method's direction (null without grafting); updates its accumulator in `s`. */
function graftDirection(g: Tensor, mHat: Tensor, s: ParamState, gr: ParamGroup, t: number): Tensor | null {
  const kind = gr.grafting as Grafting;
  const eps = gr.graftingEpsilon as number;
  if (kind === 'none') return null;
  if (kind === 'sgd') return mHat;
  if (kind === 'adagrad') {
    s.graft = add(s.graft as Tensor, mul(g, g));
    return div(mHat, add(sqrt(s.graft as Tensor), eps));
  }
  const b = gr.graftingBeta2 as number;
  s.graft = add(mul(s.graft as Tensor, b), mul(mul(g, g), 1 - b));
  return div(mHat, add(sqrt(div(s.graft as Tensor, 1 - b ** t)), eps));
}

/** Reassembles block results into the full matrix (row blocks of column blocks). */
function assemble(parts: Tensor[], blocks: Block[]): Tensor {
  const rows: Tensor[][] = [];
  blocks.forEach((b, i) => {
    if (b.c[0] === 0) rows.push([]);
    rows[rows.length - 1].push(parts[i]);
  });
  return cat(rows.map((r) => (r.length === 1 ? r[0] : cat(r, 1))), 0);
}

/** The Shampoo direction as a gradient transformation (state per parameter, blocks under 'b0', 'b1', …). */
export function scaleByShampoo(group: ParamGroup): GradientTransformation {
  return {
    name: 'scaleByShampoo',
    init: (p) => {
      const [P, vector] = asMatrix(p);
      const s: ParamState = { step: 0, m: (group.betas as number[])[0] === 0 ? null : zerosLike(p),
        graft: group.grafting === 'adagrad' || group.grafting === 'adam' ? zerosLike(p) : null };
      blocksOf(P.shape[0], P.shape[1], group.maxPreconditionerDim as number, vector).forEach((b, i) => {
        const nr = b.r[1] - b.r[0], nc = b.c[1] - b.c[0];
        s[`b${i}`] = { L: tensor(new Float64Array(nr * nr), { shape: [nr, nr], dtype: p.dtype, device: p.device }),
          R: vector ? null : tensor(new Float64Array(nc * nc), { shape: [nc, nc], dtype: p.dtype, device: p.device }),
          Linv: null, Rinv: null };
      });
      return s;
    },
    update: (u, states) => u.map((g, i) => shampooDirection(g, states[i], group)),
  };
}

/**
 * @example new optim.Shampoo(params, { lr: 1e-2, grafting: 'adam', preconditionFrequency: 10 })
 */
export class Shampoo extends Optimizer {
  constructor(params: ParamsInput, opts: ShampooOptions = {}) {
    const freq = opts.preconditionFrequency ?? 1;
    super('Shampoo', params, { ...opts, startPreconditioningStep: opts.startPreconditioningStep ?? freq }, {
      lr: nonNegative(1e-2), betas: { default: [0.9, 1], check: (w, n, v) => shampooBetas(w, n, v) },
      epsilon: positive(1e-12), weightDecay: nonNegative(0), maxPreconditionerDim: positiveInt(1024),
      preconditionFrequency: positiveInt(1), startPreconditioningStep: positiveInt(1), useBiasCorrection: flag(true),
      grafting: choice<Grafting>('none', ['none', 'sgd', 'adagrad', 'adam']), graftingEpsilon: positive(1e-10),
      graftingBeta2: unitInterval(0.999),
    });
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(scaleByShampoo(g), addDecayedWeights(() => g.weightDecay as number), scaleByLearningRate(() => g.lr));
  }
}

/** β1 in [0, 1); β2 in (0, 1] (β2 = 1 means sums, Shampoo's original form). */
function shampooBetas(w: string, n: string, v: unknown): [number, number] {
  check(Array.isArray(v) && v.length === 2, 'BAD_OPTION', () => `${w}: option '${n}' expected a pair [beta1, beta2], got ${String(v)}`);
  return [checkNumber(w, `${n}[0]`, v[0], { min: 0, max: 1, maxOpen: true }),
    checkNumber(w, `${n}[1]`, v[1], { min: 0, minOpen: true, max: 1 })];
}
