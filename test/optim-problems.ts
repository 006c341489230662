// Test helpers for the optimizer parity suites: the two fixture problems of gen_optim.py
// (quadratic ½xᵀAx − bᵀx and softmax regression), with analytic gradients and losses in f64, and
// a trajectory comparison with a relative tolerance.
import { readFileSync } from 'node:fs';
import type { Tensor } from '../ts/tensor.js';
import { tensor } from '../ts/ops/creation.js';
import * as d from '../ts/index.js';
import type * as optim from '../ts/optim/index.js';

export interface Problems {
  quadratic: { A: number[]; b: number[]; x0: number[]; n: number };
  softmax: { X: number[]; y: number[]; W0: number[]; b0: number[]; n: number; d: number; c: number };
}
export interface OptimCase {
  optimizer: string; options: Record<string, unknown>; problem: 'quadratic' | 'softmax'; dtype: 'float64' | 'float32';
  shapes: number[][]; losses: number[]; traj: number[][];
}
export interface OptimFixture { torch: string; steps: number; problems: Problems; cases: OptimCase[] }

export function loadFixture(name: string): OptimFixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/optim_${name}.json`, import.meta.url), 'utf8')) as OptimFixture;
}

/** Loss and gradients (per parameter, flat) at flat parameter values, in f64. (Emulating f32
 * rounding per operation was tried: it lands no closer to torch, whose summation order differs.) */
export function lossAndGrad(pr: Problems, problem: 'quadratic' | 'softmax', values: Float64Array[]): [number, Float64Array[]] {
  const r = (x: number): number => x;
  if (problem === 'quadratic') {
    const { A, b, n } = pr.quadratic;
    const x = values[0];
    const g = new Float64Array(n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax = r(ax + r(r(A[i * n + j]) * x[j]));
      g[i] = r(ax - r(b[i]));
      loss += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return [loss, [g]];
  }
  const { X, y, n, d, c } = pr.softmax;
  const [W, bias] = values;
  const gW = new Float64Array(c * d), gb = new Float64Array(c);
  let loss = 0;
  for (let s = 0; s < n; s++) {
    const z = Array.from({ length: c }, (_, k) => {
      let acc = 0;
      for (let j = 0; j < d; j++) acc = r(acc + r(r(X[s * d + j]) * W[k * d + j]));
      return r(acc + bias[k]);
    });
    const zmax = Math.max(...z);
    const e = z.map((v) => r(Math.exp(r(v - zmax))));
    const tot = e.reduce((a, v) => r(a + v), 0);
    loss += (Math.log(tot) + zmax - z[y[s]]) / n;
    for (let k = 0; k < c; k++) {
      const res = r(r(r(e[k] / tot) - (k === y[s] ? 1 : 0)) / n);
      gb[k] = r(gb[k] + res);
      for (let j = 0; j < d; j++) gW[k * d + j] = r(gW[k * d + j] + r(res * r(X[s * d + j])));
    }
  }
  return [loss, [gW, gb]];
}

export function initialValues(pr: Problems, problem: 'quadratic' | 'softmax'): number[][] {
  return problem === 'quadratic' ? [pr.quadratic.x0] : [pr.softmax.W0, pr.softmax.b0];
}

export const dtypeOf = (c: OptimCase): 'f64' | 'f32' => (c.dtype === 'float64' ? 'f64' : 'f32');

export function makeParams(c: OptimCase, pr: Problems): Tensor[] {
  return initialValues(pr, c.problem).map((v, i) =>
    tensor(Float64Array.from(v), { dtype: dtypeOf(c), shape: c.shapes[i], requiresGrad: true }));
}

/** Sets p.grad of every parameter to the analytic gradient at its current value; returns the loss
 * rounded to the parameters' dtype (torch's closure returns an f32 loss for f32 problems). */
export function setGrads(params: Tensor[], pr: Problems, c: OptimCase): number {
  const [loss, grads] = lossAndGrad(pr, c.problem, params.map((p) => Float64Array.from(p.dataSync())));
  params.forEach((p, i) => {
    p.grad?.dispose();
    p.grad = tensor(grads[i], { dtype: dtypeOf(c), shape: c.shapes[i] });
  });
  return c.dtype === 'float32' ? Math.fround(loss) : loss;
}

/** Largest |got − want| / max(|want|, 1) over a trajectory step. */
export function relErr(params: Tensor[], want: number[]): number {
  const got = params.flatMap((p) => Array.from(p.dataSync()));
  let worst = 0;
  got.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - want[i]) / Math.max(Math.abs(want[i]), 1)); });
  return got.length === want.length ? worst : Infinity;
}

export const tolerance = (c: OptimCase): number => (c.dtype === 'float64' ? 1e-9 : 1e-5);

/** ∞-norm of the gradient at a fixture trajectory point (flat values in parameter order). */
export function gradNormAt(pr: Problems, c: OptimCase, flat: number[]): number {
  let off = 0;
  const vals = c.shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    off += n;
    return Float64Array.from(flat.slice(off - n, off));
  });
  return Math.max(...lossAndGrad(pr, c.problem, vals)[1].flatMap((g) => Array.from(g, Math.abs)));
}

/** A random f64 (or f32) parameter of n elements. */
export const param = (n: number, dtype: 'f32' | 'f64' = 'f64'): Tensor => {
  const p = d.randn([n], { dtype });
  p.requiresGrad = true;
  return p;
};
/** One step with all-ones gradients. */
export const stepOnce = (o: optim.Optimizer, ps: Tensor[]): void => {
  for (const p of ps) {
    p.grad?.dispose();
    p.grad = d.keep(d.onesLike(p));
  }
  o.step();
};
