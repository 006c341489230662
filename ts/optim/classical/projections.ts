// Euclidean projections for projected gradient descent (each returns a new tensor):
// box [lo, hi], L2 ball ‖x − c‖ ≤ r, the probability simplex {x ≥ 0, Σx = z} (Duchi et al.,
// "Efficient Projections onto the ℓ1-Ball", 2008: sort, find the threshold θ, clip x − θ), and
// the nonnegative orthant. ProjectedGradientDescent: w⁺ = P(w − α∇f(w)).

import { check } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { tensor } from '../../ops/creation.js';
import { add, clamp, mul, sub } from '../../ops/elementwise.js';
import { clone } from '../../ops/shape.js';
import { norm } from '../../ops/reduce.js';
import { Optimizer, writeParam, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { chain, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { checkNumber, nonNegative, type OptionSpec } from '../validate.js';
import { noGrad } from '../../autograd/tape.js';
import { tidy } from '../../lifetime.js';

export type Projection = (x: Tensor) => Tensor;

export const projectBox = (lo: number, hi: number): Projection => {
  check(lo <= hi, 'BAD_ARGUMENT', () => `projectBox: expected lo ≤ hi, got ${lo} > ${hi}`);
  return (x) => clamp(x, lo, hi);
};

export const projectNonNegative = (): Projection => (x) => clamp(x, 0, null);

/** Onto {x : ‖x − center‖₂ ≤ radius} (center 0 by default). */
export function projectL2Ball(radius: number, center?: Tensor): Projection {
  checkNumber('projectL2Ball', 'radius', radius, { min: 0 });
  return (x) => {
    const dx = center ? sub(x, center) : x;
    const n = norm(dx).item();
    if (n <= radius) return clone(x);
    const scaled = mul(dx, radius / n);
    return center ? add(scaled, center) : scaled;
  };
}

/** Onto {x ≥ 0, Σx = z} over all elements (default z = 1). */
export function projectSimplex(z = 1): Projection {
  checkNumber('projectSimplex', 'z', z, { min: 0, minOpen: true });
  return (x) => {
    const v = Array.from(x.dataSync());
    const u = [...v].sort((a, b) => b - a);
    let acc = 0, theta = 0;
    for (let j = 0; j < u.length; j++) {
      acc += u[j];
      const t = (acc - z) / (j + 1);
      if (u[j] - t > 0) theta = t;
    }
    return tensor(Float64Array.from(v, (e) => Math.max(e - theta, 0)), { shape: [...x.shape], dtype: x.dtype, device: x.device });
  };
}

const projectionSpec: OptionSpec = {
  default: null,
  check: (w, n, v) => {
    check(typeof v === 'function', 'BAD_OPTION', () => `${w}: option '${n}' expected a projection function (x) => Tensor, e.g. optim.projectBox(0, 1), got ${String(v)}`);
    return v;
  },
};

/**
 * @example const opt = new optim.ProjectedGradientDescent(params, { lr: 0.1, projection: optim.projectSimplex() });
 */
export class ProjectedGradientDescent extends Optimizer {
  constructor(params: ParamsInput, opts: { lr?: number; projection: Projection }) {
    super('ProjectedGradientDescent', params, opts, { lr: nonNegative(1e-3), projection: projectionSpec });
  }
  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(scaleByLearningRate(() => g.lr));
  }
  protected override stepGroup(group: ParamGroup): void {
    super.stepGroup(group);
    const proj = group.projection as Projection;
    for (const p of group.params) if (p.grad !== null) tidy(() => noGrad(() => writeParam(p, proj(p))));
  }
}

