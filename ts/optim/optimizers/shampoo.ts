// Shampoo (Gupta, Koren & Singer, "Shampoo: Preconditioned Stochastic Tensor Optimization",
// 2018; ALGORITHMS.md §6) with the knobs of Meta's DistributedShampoo. An order-k parameter keeps
// one statistic per mode, S_i ← β2·S_i + G_(i)·G_(i)ᵀ over the mode-i unfolding G_(i) (β2 = 1:
// AdaGrad-style sums; β2 < 1: EMA with weight 1 − β2 and bias correction), and is preconditioned
// as P = M ×_1 (S_1 + εI)^(−1/2k) ×_2 … ×_k (S_k + εI)^(−1/2k): a vector uses S^(−1/2), a matrix
// L^(−1/4)·M·R^(−1/4), a conv filter [out, in, kh, kw] four 8th roots. Size-1 dims are dropped (of
// the parameter, then of each block). The roots come from ../inverse-root.ts (f64
// eigendecomposition, or coupled Newton with a fallback), recomputed every `preconditionFrequency`
// steps from `startPreconditioningStep` on. Dims larger than `maxPreconditionerDim` are split,
// every block getting its own statistics, and grafting rescales each block to the norm of the SGD,
// AdaGrad or Adam step. What is preconditioned is the bias-corrected EMA of the gradient (β1;
// Meta's "filtered gradient"); decoupled weight decay.

import type { Tensor } from '../../tensor.js';
import { tensor, zerosLike } from '../../ops/creation.js';
import { add, div, mul, sqrt } from '../../ops/elementwise.js';
import { norm } from '../../ops/reduce.js';
import { matmul } from '../../ops/linalg.js';
import { cat } from '../../ops/join.js';
import { permute, reshape, slice, transpose } from '../../ops/shape.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { addDecayedWeights, chain, scaleByLearningRate, type GradientTransformation, type ParamState } from '../transform.js';
import { type RootInverseMethod, type ShampooRootOptions, shampooInverseRoot } from '../inverse-root.js';
import { check } from '../../errors.js';
import { type OptionSpec, checkBool, checkChoice, checkNumber, choice, flag, nonNegative, positive, positiveInt,
  unitInterval } from '../validate.js';

export type Grafting = 'none' | 'sgd' | 'adagrad' | 'adam';

export interface ShampooOptions {
  lr?: number; betas?: [number, number]; epsilon?: number | null; weightDecay?: number; maxPreconditionerDim?: number;
  preconditionFrequency?: number; startPreconditioningStep?: number; useBiasCorrection?: boolean;
  grafting?: Grafting; graftingEpsilon?: number; graftingBeta2?: number;
  rootInverse?: RootInverseMethod; relativeEpsilon?: boolean | null; newtonIterations?: number; newtonTolerance?: number;
  inverseFailureThreshold?: number;
}

type Range = [number, number];

/** Ranges of at most `b` splitting `n`. */
const ranges = (n: number, b: number): Range[] =>
  Array.from({ length: Math.ceil(n / b) }, (_, i) => [i * b, Math.min(n, (i + 1) * b)]);

/** The shape Shampoo preconditions: size-1 dims dropped (a 1×1 statistic would only rescale); a scalar is a 1-vector. */
function modeShape(shape: readonly number[]): number[] {
  const s = shape.filter((n) => n !== 1);
  return s.length === 0 ? [1] : s;
}

/** Every block as one range per dim: the Cartesian product of each dim's ranges, row-major. */
const blocksOf = (shape: number[], b: number): Range[][] =>
  shape.reduce<Range[][]>((acc, n) => acc.flatMap((pre) => ranges(n, b).map((r) => [...pre, r])), [[]]);

const sliceBlock = (x: Tensor, rs: Range[]): Tensor => rs.reduce((y, r, d) => slice(y, d, r[0], r[1]), x);

/** Reassembles row-major block results (counts[d] blocks along dim d) by nested concatenation. */
function assemble(parts: Tensor[], counts: number[], d = 0, off = 0): Tensor {
  if (d === counts.length) return parts[off];
  const stride = counts.slice(d + 1).reduce((a, b) => a * b, 1);
  const kids = Array.from({ length: counts[d] }, (_, j) => assemble(parts, counts, d + 1, off + j * stride));
  return kids.length === 1 ? kids[0] : cat(kids, d);
}

/** The mode-i unfolding X_(i): dim i first, the others flattened (their order does not change X_(i)·X_(i)ᵀ). */
function unfold(x: Tensor, i: number): Tensor {
  const perm = [i, ...x.shape.map((_, j) => j).filter((j) => j !== i)];
  return reshape(permute(x, perm), [x.shape[i], x.size / x.shape[i]]);
}

/**
 * x ×_1 Q_1 ×_2 … ×_k Q_k for symmetric Q_i: each step multiplies the leading dim and rotates it to
 * the back (Xᵀ_(1)·Q = (Q·X_(1))ᵀ), so after k steps the dims are back in order; two-dim ops only.
 */
function multiplyModes(x: Tensor, qs: Tensor[]): Tensor {
  let y = x;
  for (const q of qs) {
    const n = y.shape[0];
    y = reshape(matmul(transpose(reshape(y, [n, y.size / n]), 0, 1), q), [...y.shape.slice(1), n]);
  }
  return y;
}

function rootOptions(gr: ParamGroup): ShampooRootOptions {
  return { method: gr.rootInverse as RootInverseMethod, epsilon: gr.epsilon as number, relativeEpsilon: gr.relativeEpsilon === true,
    newtonIterations: gr.newtonIterations as number, newtonTolerance: gr.newtonTolerance as number,
    failureThreshold: gr.inverseFailureThreshold as number };
}

/**
 * Recomputes a block's roots (S_i·scale + εI)^(−1/2k) on the host. A rejected coupled-Newton root
 * keeps the previous one (Google's behaviour); with none yet, the eigendecomposition's is used.
 * Rejections are counted in `fails`.
 */
function refreshRoots(bs: ParamState, k: number, like: Tensor, gr: ParamGroup, scale: number): void {
  const o = rootOptions(gr);
  for (let i = 0; i < k; i++) {
    const stat = bs[`stat${i}`] as Tensor;
    const n = stat.shape[0];
    const a = Float64Array.from(stat.dataSync(), (x) => x * scale);
    let r = shampooInverseRoot(a, n, 2 * k, o);
    if (r === null) {
      bs.fails = (bs.fails as number) + 1;
      if (bs[`root${i}`] !== null) continue;
      r = shampooInverseRoot(a, n, 2 * k, { ...o, method: 'eigh' }) as Float64Array;
    }
    bs[`root${i}`] = tensor(r, { shape: [n, n], dtype: like.dtype, device: like.device });
  }
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
  const shape = modeShape(g.shape);
  const [G, M, D] = [g, mHat, graft ?? mHat].map((x) => reshape(x, shape));
  const b = gr.maxPreconditionerDim as number;
  const recompute = t >= start && (t - start) % (gr.preconditionFrequency as number) === 0;
  const w = b2 < 1 ? 1 - b2 : 1;
  const statScale = b2 < 1 && bc ? 1 / (1 - b2 ** t) : 1;
  const out = blocksOf(shape, b).map((rs, bi) => {
    const bs = s[`b${bi}`] as ParamState;
    // a block is preconditioned as a tensor of its own (an edge block of one row is a vector)
    const dims = rs.map(([r0, r1]) => r1 - r0);
    const bshape = modeShape(dims);
    const k = bshape.length;
    const gb = reshape(sliceBlock(G, rs), bshape);
    for (let i = 0; i < k; i++) {
      const u = unfold(gb, i);
      bs[`stat${i}`] = add(mul(bs[`stat${i}`] as Tensor, b2), mul(matmul(u, transpose(u, 0, 1)), w));
    }
    if (t >= start && (recompute || bs.root0 === null)) refreshRoots(bs, k, g, gr, statScale);
    const db = sliceBlock(D, rs);
    if (t < start || bs.root0 === null) return db;
    const roots = Array.from({ length: k }, (_, i) => bs[`root${i}`] as Tensor);
    const pb = reshape(multiplyModes(reshape(sliceBlock(M, rs), bshape), roots), dims);
    if (graft === null) return pb;
    const pn = norm(pb).item();
    return pn > 0 ? mul(pb, norm(db).item() / pn) : pb;
  });
  return reshape(assemble(out, shape.map((n) => Math.ceil(n / b))), g.shape);
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

/** The Shampoo direction as a gradient transformation (state per parameter; blocks under 'b0', 'b1', … with
 * `stat<i>`/`root<i>` per mode and `fails`, the count of rejected coupled-Newton roots). */
export function scaleByShampoo(group: ParamGroup): GradientTransformation {
  return {
    name: 'scaleByShampoo',
    init: (p) => {
      const s: ParamState = { step: 0, m: (group.betas as number[])[0] === 0 ? null : zerosLike(p),
        graft: group.grafting === 'adagrad' || group.grafting === 'adam' ? zerosLike(p) : null };
      blocksOf(modeShape(p.shape), group.maxPreconditionerDim as number).forEach((rs, i) => {
        const bs: ParamState = { fails: 0 };
        modeShape(rs.map(([r0, r1]) => r1 - r0)).forEach((n, d) => {
          bs[`stat${d}`] = tensor(new Float64Array(n * n), { shape: [n, n], dtype: p.dtype, device: p.device });
          bs[`root${d}`] = null;
        });
        s[`b${i}`] = bs;
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
    super('Shampoo', params, opts, {
      lr: nonNegative(1e-2), betas: { default: [0.9, 1], check: (w, n, v) => shampooBetas(w, n, v) },
      epsilon: orNull((w, n, v) => checkNumber(w, n, v, { min: 0, minOpen: true })),
      weightDecay: nonNegative(0), maxPreconditionerDim: positiveInt(1024),
      preconditionFrequency: positiveInt(1), startPreconditioningStep: orNull(positiveInt(1).check), useBiasCorrection: flag(true),
      grafting: choice<Grafting>('none', ['none', 'sgd', 'adagrad', 'adam']), graftingEpsilon: positive(1e-10),
      graftingBeta2: unitInterval(0.999),
      rootInverse: { default: 'eigh', check: (w, n, v) => checkChoice<RootInverseMethod>(w, n, v, ['eigh', 'coupledNewton']) },
      relativeEpsilon: orNull(checkBool), newtonIterations: positiveInt(100), newtonTolerance: positive(1e-6),
      inverseFailureThreshold: positive(0.1),
    });
  }
  /**
   * epsilon and relativeEpsilon left unset (null) follow the group's root method: Meta's 1e-12
   * absolute for eigh, Google's 1e-6 relative to λmax for coupled Newton, which cannot resolve a
   * rank-deficient statistic under an absolute 1e-12 ridge (a condition number near 1e16 in f64).
   */
  protected override checkGroup(g: ParamGroup): void {
    const newton = g.rootInverse === 'coupledNewton';
    if (g.epsilon === null) g.epsilon = newton ? 1e-6 : 1e-12;
    if (g.relativeEpsilon === null) g.relativeEpsilon = newton;
    // Unset, preconditioning starts at the group's own frequency (a group that overrides only
    // preconditionFrequency must not inherit a start derived from the defaults' frequency).
    if (g.startPreconditioningStep === null) g.startPreconditioningStep = g.preconditionFrequency;
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(scaleByShampoo(g), addDecayedWeights(() => g.weightDecay as number), scaleByLearningRate(() => g.lr));
  }
}

/** An option whose null (its default) means "decided per group" (see Shampoo.checkGroup). */
const orNull = (f: (w: string, n: string, v: unknown) => unknown): OptionSpec =>
  ({ default: null, check: (w, n, v) => (v === null ? null : f(w, n, v)) });

/** β1 in [0, 1); β2 in (0, 1] (β2 = 1 means sums, Shampoo's original form). */
function shampooBetas(w: string, n: string, v: unknown): [number, number] {
  check(Array.isArray(v) && v.length === 2, 'BAD_OPTION', () => `${w}: option '${n}' expected a pair [beta1, beta2], got ${String(v)}`);
  return [checkNumber(w, `${n}[0]`, v[0], { min: 0, max: 1, maxOpen: true }),
    checkNumber(w, `${n}[1]`, v[1], { min: 0, minOpen: true, max: 1 })];
}
