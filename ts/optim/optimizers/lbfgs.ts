// torch.optim.LBFGS (ALGORITHMS.md §4; Nocedal 1980, Liu & Nocedal 1989): limited-memory BFGS over
// the flattened parameters with the two-loop recursion, curvature pairs kept only when y·s > 1e-10,
// H₀ = (y·s)/(y·y), a first step of min(1, 1/‖g‖₁)·lr, and either fixed steps (re-evaluating the
// loss each inner iteration but the last) or a strong-Wolfe line search. It needs a closure, one
// param group, and keeps its state on the first parameter, like PyTorch. The step yields each
// scalar it reads (host-reads.ts): `step` reads synchronously, `stepAsync` on every device.

import { DescentError, check } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { zeros } from '../../ops/creation.js';
import { abs, add, mul, neg, sub } from '../../ops/elementwise.js';
import { max, sum } from '../../ops/reduce.js';
import { cat } from '../../ops/join.js';
import { reshape, slice } from '../../ops/shape.js';
import { noGrad, enableGrad } from '../../autograd/tape.js';
import { keep, sweepStep, tidy } from '../../lifetime.js';
import { Optimizer, writeParam, type Closure, type ParamGroup, type ParamsInput } from '../optimizer.js';
import type { GradientTransformation, ParamState } from '../transform.js';
import { dot, strongWolfeReads } from '../line-search.js';
import { readAsync, readSync, type Reads } from '../host-reads.js';
import { tensorsIn } from '../state-io.js';
import { choice, nonNegative, positiveInt } from '../validate.js';

export interface LBFGSOptions {
  lr?: number; maxIter?: number; maxEval?: number; toleranceGrad?: number; toleranceChange?: number;
  historySize?: number; lineSearchFn?: 'strong_wolfe' | null;
}

interface History { d: Tensor | null; t: number; dirs: Tensor[]; stps: Tensor[]; ro: number[]; hDiag: number;
  prevFlatGrad: Tensor | null; prevLoss: number; funcEvals: number; nIter: number }

const list = (s: ParamState | undefined): Tensor[] => (s ? Object.values(s) as Tensor[] : []);
const obj = (xs: readonly (Tensor | number)[]): ParamState => Object.fromEntries(xs.map((x, i) => [String(i), x]));
const amax = (t: Tensor): Tensor => max(abs(t));

/**
 * @example
 * const opt = new optim.LBFGS(params, { lineSearchFn: 'strong_wolfe' });
 * opt.step(() => { opt.zeroGrad(); const loss = f(params); loss.backward(); return loss; });
 * // on webgpu: await opt.stepAsync(closure)
 */
export class LBFGS extends Optimizer {
  constructor(params: ParamsInput, opts: LBFGSOptions = {}) {
    super('LBFGS', params, opts, {
      lr: nonNegative(1), maxIter: positiveInt(20),
      maxEval: { default: null, check: (w, n, v) => (v === null ? null : positiveInt(1).check(w, n, v)) },
      toleranceGrad: nonNegative(1e-7), toleranceChange: nonNegative(1e-9), historySize: positiveInt(100),
      lineSearchFn: choice<'strong_wolfe'>(null, ['strong_wolfe']),
    });
  }

  override addParamGroup(input: Parameters<Optimizer['addParamGroup']>[0]): void {
    check(this.paramGroups.length === 0, 'BAD_ARGUMENT', () => 'LBFGS: does not support more than one param group');
    super.addParamGroup(input);
  }

  /** No transformation state to check a loaded state against (step keeps its own). */
  protected override stateTemplate(): ParamState | null {
    return null;
  }

  protected makeTransform(): GradientTransformation {
    throw new DescentError('UNSUPPORTED', 'LBFGS: updates are made by step(closure), not by a transformation');
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  private flatGrad(): Tensor {
    return cat(this.params.map((p) => (p.grad === null ? zeros([p.size], { dtype: p.dtype, device: p.device }) : reshape(p.grad, [-1]))));
  }

  /** θ ← θ + t·d over the flat direction. */
  private addFlat(t: number, d: Tensor): void {
    let off = 0;
    for (const p of this.params) {
      writeParam(p, add(p, mul(reshape(slice(d, 0, off, off + p.size), p.shape), t)));
      off += p.size;
    }
  }

  /**
   * Evaluates the closure with gradients on; its gradients are kept alive past our tidy scope, and
   * so is the returned loss tensor of the first evaluation (step returns it, as PyTorch does).
   */
  private *evaluate(closure: Closure, keepLoss = false): Reads<[number, number | Tensor]> {
    const out = enableGrad(closure);
    for (const p of this.params) if (p.grad !== null) keep(p.grad);
    if (typeof out === 'number') return [out, out];
    check(out !== null && typeof out === 'object' && typeof out.item === 'function', 'BAD_ARGUMENT',
      () => `LBFGS.step: the closure must return the loss as a number or a one-element Tensor, got ${String(out)}`);
    return [yield out, keepLoss ? keep(out) : out];
  }

  /** Reads each scalar synchronously; on webgpu use `await stepAsync(closure)`. */
  override step(closure?: Closure): number | Tensor | undefined {
    this.checkClosure(closure);
    check(this.params.every((p) => p.backend.readAsync === undefined), 'UNSUPPORTED',
      () => 'LBFGS.step: the parameters live on a device without synchronous reads; use `await opt.stepAsync(closure)`');
    sweepStep();
    const old = this.state.get(this.params[0]);
    return this.commit(old, tidy(() => noGrad(() => readSync(this.run(closure, old)))));
  }

  /** step() for every device: each scalar (loss, slopes, norms) is read with `await t.data()`. */
  async stepAsync(closure: Closure): Promise<number | Tensor | undefined> {
    this.checkClosure(closure);
    sweepStep();
    const old = this.state.get(this.params[0]);
    return this.commit(old, await readAsync(this.run(closure, old), noGrad));
  }

  private checkClosure(closure: Closure | undefined): asserts closure is Closure {
    check(typeof closure === 'function', 'BAD_ARGUMENT', () => 'LBFGS.step: requires a closure that re-evaluates the loss');
  }

  private *run(closure: Closure, old: ParamState | undefined): Reads<[ParamState, number | Tensor]> {
    const [loss0, out] = yield* this.evaluate(closure, true);
    return [yield* this.iterate(this.paramGroups[0], closure, loss0, this.restore(old)), out];
  }

  /** Keeps the new state, frees the old state's tensors it no longer holds; returns the first loss. */
  private commit(old: ParamState | undefined, [next, orig]: [ParamState, number | Tensor]): number | Tensor {
    const before = old ? tensorsIn(old) : new Set<Tensor>();
    const after = tensorsIn(next);
    for (const t of after) keep(t);
    for (const t of before) if (!after.has(t)) t.dispose();
    this.state.set(this.params[0], next);
    return orig;
  }

  private restore(s: ParamState | undefined): History {
    if (s === undefined) {
      return { d: null, t: 0, dirs: [], stps: [], ro: [], hDiag: 1, prevFlatGrad: null, prevLoss: 0, funcEvals: 0, nIter: 0 };
    }
    return { d: s.d as Tensor | null, t: s.t as number, dirs: list(s.dirs as ParamState), stps: list(s.stps as ParamState),
      ro: Object.values(s.ro as ParamState) as number[], hDiag: s.hDiag as number, prevFlatGrad: s.prevFlatGrad as Tensor | null,
      prevLoss: s.prevLoss as number, funcEvals: s.funcEvals as number, nIter: s.nIter as number };
  }

  /** The inner loop of torch's LBFGS.step; returns the state to keep. */
  private *iterate(g: ParamGroup, closure: Closure, loss0: number, h: History): Reads<ParamState> {
    const lr = g.lr, maxIter = g.maxIter as number, maxEval = (g.maxEval as number | null) ?? Math.floor(maxIter * 5 / 4);
    const tolGrad = g.toleranceGrad as number, tolChange = g.toleranceChange as number, histSize = g.historySize as number;
    let loss = loss0;
    let flat = this.flatGrad();
    let evals = 1;
    h.funcEvals += 1;
    if ((yield amax(flat)) <= tolGrad) return this.pack(h);
    let d = h.d as Tensor;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      h.nIter += 1;
      if (h.nIter === 1) {
        d = neg(flat);
        Object.assign(h, { dirs: [], stps: [], ro: [], hDiag: 1 });
      } else {
        const y = sub(flat, h.prevFlatGrad as Tensor);
        const s = mul(d, h.t);
        const ys = yield dot(y, s);
        if (ys > 1e-10) {
          if (h.dirs.length === histSize) { h.dirs.shift(); h.stps.shift(); h.ro.shift(); }
          h.dirs.push(y);
          h.stps.push(s);
          h.ro.push(1 / ys);
          h.hDiag = ys / (yield dot(y, y));
        }
        d = yield* this.twoLoop(flat, h);
      }
      h.prevFlatGrad = flat;
      h.prevLoss = loss;
      let t = h.nIter === 1 ? Math.min(1, 1 / (yield sum(abs(flat)))) * lr : lr;
      h.t = t;
      const gtd = yield dot(flat, d);
      if (gtd > -tolChange) break;
      let lsEvals = 0;
      let optimal = false;
      if (g.lineSearchFn === 'strong_wolfe') {
        const x0 = this.params.map((p) => p.clone());
        const r = yield* strongWolfeReads((tt) => this.evaluateAlong(closure, x0, tt, d), t, d, loss, flat, gtd, { toleranceChange: tolChange });
        ({ f: loss, g: flat, t, evals: lsEvals } = r);
        this.addFlat(t, d);
        optimal = (yield amax(flat)) <= tolGrad;
      } else {
        this.addFlat(t, d);
        if (nIter !== maxIter) {
          [loss] = yield* this.evaluate(closure);
          flat = this.flatGrad();
          optimal = (yield amax(flat)) <= tolGrad;
          lsEvals = 1;
        }
      }
      h.t = t;
      evals += lsEvals;
      h.funcEvals += lsEvals;
      if (nIter === maxIter || evals >= maxEval || optimal) break;
      if ((yield amax(mul(d, t))) <= tolChange || Math.abs(loss - h.prevLoss) < tolChange) break;
    }
    h.d = d;
    return this.pack(h);
  }

  /** Loss and flat gradient at x0 + t·d; the parameters are put back to x0. */
  private *evaluateAlong(closure: Closure, x0: Tensor[], t: number, d: Tensor): Reads<[number, Tensor]> {
    this.addFlat(t, d);
    const [f] = yield* this.evaluate(closure);
    const gr = this.flatGrad();
    this.params.forEach((p, i) => writeParam(p, x0[i]));
    return [f, gr];
  }

  private *twoLoop(flat: Tensor, h: History): Reads<Tensor> {
    const k = h.dirs.length;
    const al = new Array<number>(k);
    let q = neg(flat);
    for (let i = k - 1; i >= 0; i--) {
      al[i] = (yield dot(h.stps[i], q)) * h.ro[i];
      q = sub(q, mul(h.dirs[i], al[i]));
    }
    let r = mul(q, h.hDiag);
    for (let i = 0; i < k; i++) {
      const be = (yield dot(h.dirs[i], r)) * h.ro[i];
      r = add(r, mul(h.stps[i], al[i] - be));
    }
    return r;
  }

  private pack(h: History): ParamState {
    return { d: h.d, t: h.t, dirs: obj(h.dirs), stps: obj(h.stps), ro: obj(h.ro), hDiag: h.hDiag,
      prevFlatGrad: h.prevFlatGrad, prevLoss: h.prevLoss, funcEvals: h.funcEvals, nIter: h.nIter };
  }
}
