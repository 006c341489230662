// Loss landscapes (Li, Xu, Taylor, Studer, Goldstein, "Visualizing the Loss Landscape of Neural
// Nets", 2018): random Gaussian directions, filter-normalized so each filter (slice along dim 0)
// of the direction has the norm of the same filter of the weights; biases and other 1-D
// parameters get a zero direction, as in the paper. The loss is evaluated at θ + a·δ (+ b·η)
// on a fixed batch through nn.functionalCall, so the model's own parameters never change.

import { type Tensor, DescentError, dispose, keep, manualSeed, nn, noGrad, randn, tidy, zerosLike } from '../index.js';

export type Direction = Record<string, Tensor>;

/** A filter-normalized random direction for the model's parameters (seeded). */
export function filterNormalizedDirection(model: nn.Module, seed: number): Direction {
  manualSeed(seed);
  const out: Direction = {};
  for (const [name, p] of model.namedParameters()) {
    out[name] = keep(tidy(() => {
      if (p.ndim <= 1) return zerosLike(p);
      const dims = Array.from({ length: p.ndim - 1 }, (_, i) => i + 1);
      const dir = randn(p.shape, { dtype: p.dtype, device: p.device });
      const scale = p.detach().norm(2, dims, { keepdim: true }).div(dir.norm(2, dims, { keepdim: true }).add(1e-10));
      return dir.mul(scale);
    }));
  }
  return out;
}

export interface Landscape {
  /** The 1-D slice: loss at θ + α·δ for each α. */
  line: { alpha: number; loss: number }[];
  /** The 2-D slice: losses[j][i] at θ + a_i·δ + b_j·η, row j = 0 at b = +span (top row first). */
  grid: { coords: number[]; losses: number[][] };
}

/** Loss and 1-D/2-D slices around the model's current parameters along two fresh directions. */
export function lossLandscape(model: nn.Module, lossAt: (forward: (x: Tensor) => Tensor) => number,
  o: { span?: number; points?: number; seed?: number } = {}): Landscape {
  const span = o.span ?? 1, n = o.points ?? 21;
  if (!(span > 0) || !Number.isSafeInteger(n) || n < 3) {
    throw new DescentError('BAD_OPTION', `lossLandscape: expected span > 0 and points ≥ 3 (an integer), got span ${o.span}, points ${o.points}`);
  }
  const coords = Array.from({ length: n }, (_, i) => -span + (2 * span * i) / (n - 1));
  const theta = Object.fromEntries(model.namedParameters());
  const delta = filterNormalizedDirection(model, o.seed ?? 0);
  const eta = filterNormalizedDirection(model, (o.seed ?? 0) + 1);
  const wasTraining = model.training;
  model.eval();
  try {
    const at = (a: number, b: number): number => noGrad(() => {
      const params = tidy(() => Object.fromEntries(Object.entries(theta).map(([k, p]) => [k, keep(p.detach().add(delta[k].mul(a)).add(eta[k].mul(b)))])));
      try {
        return lossAt((x) => nn.functionalCall(model, params, x) as Tensor);
      } finally {
        dispose(Object.values(params));
      }
    });
    const line = coords.map((alpha) => ({ alpha, loss: at(alpha, 0) }));
    const losses = [...coords].reverse().map((b) => coords.map((a) => at(a, b)));
    return { line, grid: { coords, losses } };
  } finally {
    dispose([...Object.values(delta), ...Object.values(eta)]);
    model.train(wasTraining);
  }
}
