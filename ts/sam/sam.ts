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

export interface SAMGroupOptions {
  /** Radius of the neighbourhood (default 0.05; davda54 suggests 2 with adaptive). */
  rho?: number;
  /** ASAM: scale the ball per coordinate by |w| (default false). */
  adaptive?: boolean;
}

export interface SAMOptions extends SAMGroupOptions {
  /**
   * Per param group of the base optimizer (same order, same count): options overriding the
   * defaults above, as davda54/sam reads `rho` and `adaptive` from each group.
   */
  groups?: readonly SAMGroupOptions[];
}

function checkGroupOptions(o: SAMGroupOptions, where: string): void {
  checkOptions(where, o, ['rho', 'adaptive']);
  check(o.rho === undefined || (typeof o.rho === 'number' && Number.isFinite(o.rho) && o.rho >= 0), 'BAD_OPTION',
    () => `${where}: 'rho' expected a finite number ≥ 0, got ${String(o.rho)}`);
  check(o.adaptive === undefined || typeof o.adaptive === 'boolean', 'BAD_OPTION',
    () => `${where}: 'adaptive' expected a boolean, got ${String(o.adaptive)}`);
}

export class SAM {
  readonly rho: number;
  readonly adaptive: boolean;
  private readonly groupOptions: readonly SAMGroupOptions[];
  private saved = new Map<Tensor, Tensor>();

  constructor(readonly baseOptimizer: Optimizer, opts?: SAMOptions) {
    checkOptions('SAM', opts, ['rho', 'adaptive', 'groups']);
    check(baseOptimizer instanceof Optimizer, 'BAD_ARGUMENT', () => `SAM: expected a base optimizer (optim.Optimizer), got ${String(baseOptimizer)}`);
    checkGroupOptions({ rho: opts?.rho, adaptive: opts?.adaptive }, 'SAM');
    const groups = opts?.groups ?? [];
    const count = baseOptimizer.paramGroups.length;
    check(opts?.groups === undefined || (Array.isArray(groups) && groups.length === count), 'BAD_OPTION',
      () => `SAM: 'groups' expected an array of ${count} option objects (one per param group), got ${Array.isArray(groups) ? `${groups.length}` : String(groups)}`);
    groups.forEach((g, i) => checkGroupOptions(g, `SAM groups[${i}]`));
    this.rho = opts?.rho ?? 0.05;
    this.adaptive = opts?.adaptive ?? false;
    this.groupOptions = groups.map((g) => ({ ...g }));
  }

  get paramGroups() { return this.baseOptimizer.paramGroups; }

  /** Each param group's parameters with a gradient and its ρ and adaptive (group over default). */
  private groups(): { params: Tensor[]; rho: number; adaptive: boolean }[] {
    return this.baseOptimizer.paramGroups.map((g, i) => ({
      params: g.params.filter((p) => p.grad !== null),
      rho: this.groupOptions[i]?.rho ?? this.rho,
      adaptive: this.groupOptions[i]?.adaptive ?? this.adaptive,
    }));
  }

  /** w ← w + e(w) for every parameter with a gradient; clears the gradients when zeroGrad. */
  firstStep(zeroGrad = false): void {
    check(this.saved.size === 0, 'BAD_ARGUMENT', () => 'SAM.firstStep: called twice without secondStep');
    const groups = this.groups();
    tidy(() => noGrad(() => {
      // one norm over all groups, each scaled by its own T (davda54's _grad_norm)
      const scaled = groups.map((g) => g.params.map((p) => (g.adaptive ? p.abs().mul(p.grad as Tensor) : (p.grad as Tensor))));
      const norm = globalNorm(scaled.flat());
      groups.forEach((g, gi) => g.params.forEach((p, i) => {
        this.saved.set(p, keep(p.clone()));
        const e = (g.adaptive ? scaled[gi][i].mul(p.abs()) : scaled[gi][i]).mul(g.rho / (norm + 1e-12));
        writeParam(p, p.add(e));
      }));
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
