// Ready-made gradient quantizers Q for the optimizer hook `opt.gradientQuantizer` (the update
// becomes x⁺ = x − γ·Q(∇F)). Randomized ones are unbiased (E[Q(g)] = g) and draw from the global
// Philox stream (manualSeed), so runs replay on every device.
//   cast(opts)       — d.quantize to a low-precision format (stochastic rounding is unbiased)
//   randomK(k)       — keep k random coordinates, scaled by n/k (sparsification; unbiased)
//   qsgd(levels)     — QSGD (Alistarh et al., "QSGD: Communication-Efficient SGD via Gradient
//                      Quantization and Encoding", NeurIPS 2017): ‖g‖₂·sign(gᵢ)·ξᵢ with ξᵢ on the
//                      grid {0, 1/s, …, 1} rounded stochastically (unbiased)

import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkQuantizeOptions, quantize, type QuantizeOptions } from '../ops/quantize.js';
import { rand } from '../ops/creation.js';
import { describe } from '../ops/util.js';
import { tidy } from '../lifetime.js';

export type GradientQuantizer = (g: Tensor) => Tensor;

/** Q(g) = quantize(g, opts), returned in g's dtype. @example opt.gradientQuantizer = optim.quantizers.cast({ format: 'fp8e5m2', rounding: 'stochastic' }) */
export function cast(opts: QuantizeOptions): GradientQuantizer {
  checkQuantizeOptions(opts); // now, not at the first step
  return (g) => tidy(() => quantize(g, opts).to(g.dtype));
}

function positiveInt(where: string, name: string, v: unknown): number {
  check(typeof v === 'number' && Number.isInteger(v) && v >= 1, 'BAD_ARGUMENT', () => `${where}: expected ${name} to be an integer ≥ 1, got ${describe(v)}`);
  return v as number;
}

/** Keeps k coordinates (each with probability k/n, independently) scaled by n/k. */
export function randomK(k: number): GradientQuantizer {
  positiveInt('quantizers.randomK', 'k', k);
  return (g) => tidy(() => {
    const p = Math.min(1, k / g.size);
    return g.mul(rand(g.shape, { device: g.device, dtype: g.dtype }).lt(p).to(g.dtype)).div(p);
  });
}

/** QSGD with s levels: each |gᵢ|/‖g‖·s is rounded up with probability equal to its fraction. */
export function qsgd(levels: number): GradientQuantizer {
  positiveInt('quantizers.qsgd', 'levels', levels);
  return (g) => tidy(() => {
    const norm = g.norm();
    const r = g.abs().div(norm.maximum(Number.MIN_VALUE)).mul(levels); // in [0, s]
    const low = r.floor();
    const up = rand(g.shape, { device: g.device, dtype: g.dtype }).lt(r.sub(low)).to(g.dtype);
    return g.sign().mul(low.add(up)).mul(norm.div(levels));
  });
}
