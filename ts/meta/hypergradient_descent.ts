// Hypergradient descent on the learning rate (Baydin et al. 2018) around any optimizer: since
// θ_t = θ_{t−1} + u_{t−1} with u linear in the rate α, ∂f(θ_t)/∂α = ∇f(θ_t)·u_{t−1}/α, and each step
// first moves α ← α − β·∇f(θ_t)·u_{t−1}/α (per param group), then lets the base optimizer step.
// For SGD this is the paper's SGD-HD: α_t = α_{t−1} + β ∇f(θ_t)·∇f(θ_{t−1}).

import { check, checkOptions } from '../errors.js';
import { listDot } from '../optim/transform.js';
import { keep, tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { enableGrad, noGrad } from '../autograd/tape.js';
import { Optimizer, type Closure } from '../optim/optimizer.js';

export class HypergradientDescent {
  readonly hypergradLr: number;
  /** The previous step's update per parameter (θ after − θ before). */
  private updates = new Map<Tensor, Tensor>();

  constructor(readonly baseOptimizer: Optimizer, opts?: { hypergradLr?: number }) {
    checkOptions('HypergradientDescent', opts, ['hypergradLr']);
    check(baseOptimizer instanceof Optimizer, 'BAD_ARGUMENT',
      () => `HypergradientDescent: expected a base optimizer (optim.Optimizer), got ${String(baseOptimizer)}`);
    this.hypergradLr = opts?.hypergradLr ?? 1e-3;
    check(typeof this.hypergradLr === 'number' && this.hypergradLr >= 0 && Number.isFinite(this.hypergradLr), 'BAD_OPTION',
      () => `HypergradientDescent: 'hypergradLr' expected a finite number ≥ 0, got ${String(this.hypergradLr)}`);
  }

  get paramGroups() { return this.baseOptimizer.paramGroups; }

  /** Adapts each group's lr from the current gradients, then steps the base optimizer (closure as torch's). */
  step(closure?: Closure): number | Tensor | undefined {
    check(closure === undefined || typeof closure === 'function', 'BAD_ARGUMENT',
      () => `HypergradientDescent.step: expected a closure function or nothing, got ${typeof closure}`);
    const loss = closure === undefined ? undefined : enableGrad(closure);
    tidy(() => noGrad(() => {
      for (const group of this.baseOptimizer.paramGroups) {
        const ps = group.params.filter((p) => p.grad !== null && this.updates.has(p));
        if (ps.length === 0 || group.lr === 0) continue;
        const h = listDot(ps.map((p) => p.grad as Tensor), ps.map((p) => this.updates.get(p)!)) / group.lr;
        group.lr -= this.hypergradLr * h;
      }
    }));
    const before = new Map(this.baseOptimizer.paramGroups.flatMap((g) => g.params).filter((p) => p.grad !== null)
      .map((p) => [p, keep(noGrad(() => p.clone()))] as const));
    this.baseOptimizer.step();
    for (const [p, old] of before) {
      this.updates.get(p)?.dispose();
      this.updates.set(p, keep(noGrad(() => p.sub(old))));
      old.dispose();
    }
    return loss;
  }
}
