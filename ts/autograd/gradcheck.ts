// gradcheck: compares the autograd Jacobian of fn with central finite differences, in f64 on the
// reference device (PyTorch's torch.autograd.gradcheck). Public: users check their own ops
// and compositions with it, and every op of this engine is tested by it.

import { DescentError, check, checkOptions } from '../errors.js';
import { tidy } from '../lifetime.js';
import { Tensor } from '../tensor.js';
import { tensor, zeros } from '../ops/creation.js';
import { cat } from '../ops/join.js';
import { detach, reshape, to } from '../ops/shape.js';
import { assertTensor, describe } from '../ops/util.js';
import { gradients, requiresGrad_ } from './backward.js';
import { enableGrad, noGrad } from './tape.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, times |numerical| (default 1e-3). */
  rtol?: number;
  /** Throw a DescentError naming the worst entry on mismatch (default true), else return false. */
  raiseException?: boolean;
}

type Fn = (...xs: Tensor[]) => Tensor;

/** Inputs as f64 reference tensors; the checked ones are fresh leaves requiring grad. */
function prepare(inputs: readonly Tensor[]): { xs: Tensor[]; checked: number[] } {
  const anyMarked = inputs.some((t) => t.requiresGrad);
  const checked: number[] = [];
  const xs = inputs.map((t, i) => {
    const onRef = noGrad(() => to(t, 'reference'));
    if (t.dtype === 'i32') return onRef;
    const x = noGrad(() => to(onRef, 'f64')).detach();
    if (!anyMarked || t.requiresGrad) {
      x.requiresGrad = true;
      checked.push(i);
    }
    return x;
  });
  check(checked.length > 0, 'BAD_ARGUMENT', () => 'gradcheck: no floating-point input to check');
  return { xs, checked };
}

function outputOf(fn: Fn, xs: Tensor[]): Tensor {
  const y = assertTensor(fn(...xs), 'gradcheck', 'the value returned by fn');
  check(y.dtype !== 'i32', 'BAD_DTYPE', () => 'gradcheck: fn must return a floating-point tensor, got i32');
  return y;
}

/** analytic[i][k][j] = d y_k / d x_i[j], one backward pass per output element. */
function analytic(y: Tensor, vars: Tensor[]): Float64Array[][] {
  const rows = vars.map(() => [] as Float64Array[]);
  const n = y.size;
  for (let k = 0; k < n; k++) {
    const seed = new Float64Array(n);
    seed[k] = 1;
    const gs = y.requiresGrad
      ? gradients(y, vars, tensor(seed, { dtype: y.dtype, device: y.device, shape: [...y.shape] }), { retainGraph: true })
      : vars.map((v) => zeros(v.shape, { dtype: 'f64', device: 'reference' }));
    gs.forEach((g, i) => {
      rows[i].push(Float64Array.from(g.dataSync()));
      g.dispose();
    });
  }
  return rows;
}

/** numeric[i][k][j] by central differences (y(x + eps·e_j) - y(x - eps·e_j)) / 2eps. */
function numeric(fn: Fn, xs: Tensor[], checked: number[], nOut: number, eps: number): Float64Array[][] {
  return checked.map((i) => {
    const base = Float64Array.from(xs[i].dataSync());
    const cols = Array.from({ length: nOut }, () => new Float64Array(base.length));
    const evalAt = (j: number, delta: number): Float64Array => tidy(() => {
      const v = base.slice();
      v[j] += delta;
      const args = [...xs];
      args[i] = tensor(v, { dtype: 'f64', device: 'reference', shape: [...xs[i].shape] });
      return Float64Array.from(noGrad(() => outputOf(fn, args)).dataSync());
    });
    for (let j = 0; j < base.length; j++) {
      const hi = evalAt(j, eps);
      const lo = evalAt(j, -eps);
      for (let k = 0; k < nOut; k++) cols[k][j] = (hi[k] - lo[k]) / (2 * eps);
    }
    return cols;
  });
}

/**
 * True when the gradients autograd computes for fn match central finite differences:
 * |analytic - numeric| ≤ atol + rtol·|numeric| for every output and input element. Inputs that
 * require grad are checked (every floating input when none does); i32 inputs pass through.
 * @example d.gradcheck((x) => x.tanh().sum(), [d.randn([3], { dtype: 'f64' })])
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], opts?: GradcheckOptions): boolean {
  checkOptions('gradcheck', opts, ['eps', 'atol', 'rtol', 'raiseException']);
  check(typeof fn === 'function', 'BAD_ARGUMENT', () => `gradcheck: expected fn to be a function, got ${describe(fn)}`);
  check(Array.isArray(inputs), 'BAD_ARGUMENT', () => `gradcheck: expected an array of input tensors, got ${describe(inputs)}`);
  inputs.forEach((t, i) => assertTensor(t, 'gradcheck', `inputs[${i}]`));
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = opts ?? {};
  for (const [k, v] of [['eps', eps], ['atol', atol], ['rtol', rtol]] as const) {
    check(typeof v === 'number' && v >= 0 && (k !== 'eps' || v > 0), 'BAD_OPTION', () => `gradcheck: ${k} must be a number ≥ 0 (eps > 0), got ${describe(v)}`);
  }
  const mismatch = tidy(() => {
    const { xs, checked } = prepare(inputs);
    const y = outputOf(fn, xs);
    const an = analytic(y, checked.map((i) => xs[i]));
    const nu = numeric(fn, xs, checked, y.size, eps);
    return firstMismatch(an, nu, checked, atol, rtol);
  });
  if (mismatch === null) return true;
  if (raiseException) throw new DescentError('AUTOGRAD', `gradcheck: ${mismatch}`);
  return false;
}

function firstMismatch(an: Float64Array[][], nu: Float64Array[][], checked: number[], atol: number, rtol: number): string | null {
  for (let i = 0; i < an.length; i++) {
    for (let k = 0; k < an[i].length; k++) {
      for (let j = 0; j < an[i][k].length; j++) {
        const a = an[i][k][j];
        const n = nu[i][k][j];
        if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
          return `d output[${k}] / d inputs[${checked[i]}][${j}]: analytical ${a} vs numerical ${n} ` +
            `(|diff| ${Math.abs(a - n).toExponential(2)} > atol ${atol} + rtol ${rtol}·|numerical|)`;
        }
      }
    }
  }
  return null;
}

/**
 * Second-order gradcheck (torch.autograd.gradgradcheck): gradcheck of x ↦ vᵀ·J_fn(x), the
 * vector-Jacobian product with a fixed pseudo-random cotangent v, so the VJPs' own gradients
 * (what createGraph, hvp and hypergradients use) are checked against finite differences.
 * @example d.gradgradcheck((x) => x.tanh(), [d.randn([3], { dtype: 'f64' })])
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], opts?: GradcheckOptions): boolean {
  check(typeof fn === 'function', 'BAD_ARGUMENT', () => `gradgradcheck: expected fn to be a function, got ${describe(fn)}`);
  check(Array.isArray(inputs), 'BAD_ARGUMENT', () => `gradgradcheck: expected an array of input tensors, got ${describe(inputs)}`);
  const shape = tidy(() => noGrad(() => [...outputOf(fn, prepare(inputs).xs).shape]));
  const n = shape.reduce((a, b) => a * b, 1);
  // A fixed cotangent with distinct entries (so no symmetry hides a wrong term).
  const v = Float64Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3) + 0.25);
  const anyMarked = inputs.some((t) => t.requiresGrad);
  const checkedIdx = inputs.map((t, i) => i).filter((i) => inputs[i].dtype !== 'i32' && (!anyMarked || inputs[i].requiresGrad));
  // Runs under gradcheck's analytic pass (inputs are graph leaves: record, createGraph) and its
  // finite differences (plain tensors under noGrad: differentiate afresh from detached leaves).
  const vjpOf = (...xs: Tensor[]): Tensor => enableGrad(() => {
    const args = xs.map((x, i) => (checkedIdx.includes(i) && !x.requiresGrad ? requiresGrad_(detach(x)) : x));
    const vars = checkedIdx.map((i) => args[i]);
    const y = outputOf(fn, args);
    const cot = tensor(v, { dtype: y.dtype, device: y.device, shape });
    const gs = y.requiresGrad ? gradients(y, vars, cot, { createGraph: true }) : vars.map((x) => zeros(x.shape, { dtype: x.dtype, device: x.device }));
    return cat(gs.map((g) => reshape(g, [g.size])));
  });
  return gradcheck(vjpOf, inputs, opts);
}
