// The optimization lectures' 2-D test functions, written with tensor ops so autograd gives their
// gradients. Each knows its plot window, a start point that shows the function's difficulty,
// and its minima (for tests and for marking the plots).

import type { Tensor } from '../index.js';

export interface ToyFunction {
  name: string;
  formula: string;
  /** f(x, y) on tensors of any shape (elementwise). */
  f: (x: Tensor, y: Tensor) => Tensor;
  /** f on plain numbers, for contour grids and tests. */
  value: (x: number, y: number) => number;
  start: [number, number];
  /** Plot window [xmin, xmax], [ymin, ymax]. */
  window: [[number, number], [number, number]];
  minima: [number, number][];
  /** Base step sizes: for gradient methods (bounded by the curvature) and for adaptive/sign ones. */
  lr: { gd: number; adaptive: number };
}

const sq = (t: Tensor): Tensor => t.square();

export const TOY_FUNCTIONS: Record<string, ToyFunction> = {
  rosenbrock: {
    name: 'rosenbrock', formula: '(1 − x)² + 100 (y − x²)²',
    f: (x, y) => sq(x.neg().add(1)).add(sq(y.sub(x.square())).mul(100)),
    value: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    start: [-1.5, 2], window: [[-2, 2], [-1, 3]], minima: [[1, 1]], lr: { gd: 1e-3, adaptive: 0.02 },
  },
  beale: {
    name: 'beale', formula: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
    f: (x, y) => sq(x.neg().add(1.5).add(x.mul(y)))
      .add(sq(x.neg().add(2.25).add(x.mul(y.square()))))
      .add(sq(x.neg().add(2.625).add(x.mul(y.pow(3))))),
    value: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    start: [1, 1.5], window: [[-1, 4.5], [-1.5, 2]], minima: [[3, 0.5]], lr: { gd: 0.01, adaptive: 0.05 },
  },
  himmelblau: {
    name: 'himmelblau', formula: '(x² + y − 11)² + (x + y² − 7)²',
    f: (x, y) => sq(x.square().add(y).sub(11)).add(sq(x.add(y.square()).sub(7))),
    value: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
    start: [-0.3, -0.9], window: [[-5, 5], [-5, 5]],
    minima: [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]], lr: { gd: 0.01, adaptive: 0.05 },
  },
  saddle: {
    // A saddle at the origin with minima at (0, ±1): started on the ridge y ≈ 0, plain GD slides
    // into the saddle and waits there, while normalized methods leave it at once.
    name: 'saddle', formula: 'x² − y²/2 + y⁴/4',
    f: (x, y) => x.square().sub(y.square().mul(0.5)).add(y.pow(4).mul(0.25)),
    value: (x, y) => x * x - y * y / 2 + y ** 4 / 4,
    start: [1.5, 1e-3], window: [[-2, 2], [-1.6, 1.6]], minima: [[0, 1], [0, -1]], lr: { gd: 0.05, adaptive: 0.05 },
  },
  quadratic: {
    // Condition number 50: GD zig-zags across the valley, momentum and adaptive methods do not.
    name: 'quadratic', formula: '(x² + 50 y²) / 2',
    f: (x, y) => x.square().add(y.square().mul(50)).mul(0.5),
    value: (x, y) => (x * x + 50 * y * y) / 2,
    start: [-4, 1], window: [[-5, 5], [-1.5, 1.5]], minima: [[0, 0]], lr: { gd: 0.035, adaptive: 0.1 },
  },
};
