// Sharpness-aware minimization (Foret et al. 2021) and adaptive SAM (Kwon et al. 2021) as a wrapper
// around any optimizer, following the reference PyTorch implementation (davda54/sam): firstStep
// climbs to w + e(w), e = ρ·T²g/‖Tg‖ (T = 1, or |w| per coordinate when adaptive), secondStep
// restores w and lets the base optimizer step with the gradient taken at the perturbed point.

import { check, checkOptions } from '../errors.js';
import { keep, tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { noGrad, enableGrad } from '../autograd/tape.js';
import { Optimizer, writeParam, type Closure } from '../optim/optimizer.js';
import { globalNorm } from '../optim/transform.js';

export interface SAMOptions {
  /** Radius of the neighbourhood (default 0.05; davda54 suggests 2 with adaptive). */
  rho?: number;
  /** ASAM: scale the ball per coordinate by |w| (default false). */
  adaptive?: boolean;
}

export class SAM {
  readonly rho: number;
  readonly adaptive: boolean;
  private saved = new Map<Tensor, Tensor>();

  constructor(readonly baseOptimizer: Optimizer, opts?: SAMOptions) {
    checkOptions('SAM', opts, ['rho', 'adaptive']);
    check(baseOptimizer instanceof Optimizer, 'BAD_ARGUMENT', () => `SAM: expected a base optimizer (optim.Optimizer), got ${String(baseOptimizer)}`);
    this.rho = opts?.rho ?? 0.05;
    this.adaptive = opts?.adaptive ?? false;
    check(typeof this.rho === 'number' && Number.isFinite(this.rho) && this.rho >= 0, 'BAD_OPTION',
      () => `SAM: 'rho' expected a finite number ≥ 0, got ${String(this.rho)}`);
    check(typeof this.adaptive === 'boolean', 'BAD_OPTION', () => `SAM: 'adaptive' expected a boolean, got ${String(this.adaptive)}`);
  }

  get paramGroups() { return this.baseOptimizer.paramGroups; }

  private withGrad(): Tensor[] {
    return this.baseOptimizer.paramGroups.flatMap((g) => g.params).filter((p) => p.grad !== null);
  }

  /** w ← w + e(w) for every parameter with a gradient; clears the gradients when zeroGrad. */
  firstStep(zeroGrad = false): void {
    check(this.saved.size === 0, 'BAD_ARGUMENT', () => 'SAM.firstStep: called twice without secondStep');
    const ps = this.withGrad();
    tidy(() => noGrad(() => {
      const scaled = ps.map((p) => (this.adaptive ? p.abs().mul(p.grad as Tensor) : (p.grad as Tensor)));
      const norm = globalNorm(scaled);
      const scale = this.rho / (norm + 1e-12);
      ps.forEach((p, i) => {
        this.saved.set(p, keep(p.clone()));
        const e = this.adaptive ? scaled[i].mul(p.abs()).mul(scale) : scaled[i].mul(scale);
        writeParam(p, p.add(e));
      });
    }));
    if (zeroGrad) this.zeroGrad();
  }

  /** Restores w and steps the base optimizer with the current (perturbed-point) gradients. */
  secondStep(zeroGrad = false): void {
    check(this.saved.size > 0, 'BAD_ARGUMENT', () => 'SAM.secondStep: call firstStep first');
    for (const [p, w] of this.saved) { writeParam(p, w); w.dispose(); }
    this.saved.clear();
    this.baseOptimizer.step();
    if (zeroGrad) this.zeroGrad();
  }

  /**
   * Both steps; the closure does a full forward-backward (zeroing is done here) and is called at
   * the perturbed point. Returns the closure's loss.
   * @example sam.step(() => { const l = lossOf(net); l.backward(); return l.item() })
   */
  step(closure: Closure): number | Tensor {
    check(typeof closure === 'function', 'BAD_ARGUMENT', () => `SAM.step: requires a closure (forward + backward), got ${typeof closure}`);
    this.firstStep(true);
    const loss = enableGrad(closure);
    this.secondStep();
    return loss;
  }

  zeroGrad(): void {
    this.baseOptimizer.zeroGrad();
  }
}
