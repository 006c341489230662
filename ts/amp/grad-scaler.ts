// Dynamic loss scaling with PyTorch's GradScaler semantics (torch.cuda.amp.GradScaler, 1.13): the
// loss is multiplied by a scale S so small f16 gradients do not flush to zero; `unscale` divides
// the gradients by S (× f32(1/S)) and records whether any is inf/NaN; `step` skips the optimizer
// step when one was; `update` backs S off by backoffFactor after a skipped step, and multiplies it
// by growthFactor after growthInterval finite steps in a row (a growth to Inf is not applied).
// S is kept in f32, as torch keeps it in a float32 tensor. The per-optimizer stage (ready →
// unscaled → stepped) is reset by `update`; calls out of order throw BAD_STATE as torch raises.
// Found-inf stays a device tensor until a step must decide (torch's found_inf): on devices without
// synchronous reads (webgpu) that decision is `await stepAsync` / `await updateAsync`.

import { check, checkOptions } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { Optimizer } from '../optim/optimizer.js';
import { checkBool, checkNumber } from '../optim/validate.js';
import { noGrad } from '../autograd/tape.js';
import { keep, tidy } from '../lifetime.js';
import { add, mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { zeros } from '../ops/creation.js';
import { describe } from '../ops/util.js';

export interface GradScalerOptions {
  /** Default 65536 (2^16). */
  initScale?: number;
  /** Default 2; > 1. */
  growthFactor?: number;
  /** Default 0.5; in (0, 1). */
  backoffFactor?: number;
  /** Default 2000: finite steps in a row before the scale grows. */
  growthInterval?: number;
  /** Default true; when false every method is a pass-through, as in torch. */
  enabled?: boolean;
}

/** torch's state_dict keys, so a checkpoint moves between the two. */
export interface GradScalerState {
  scale: number; growth_factor: number; backoff_factor: number; growth_interval: number; _growth_tracker: number;
}

/** foundInf: a device scalar (NaN when some gradient was inf/NaN, else 0) until it is read. */
interface OptimizerStage { stage: 'unscaled' | 'stepped'; foundInf: boolean | Tensor }

const f32 = Math.fround;

/**
 * @example
 * const scaler = new d.amp.GradScaler();
 * scaler.scale(loss).backward(); scaler.unscale(opt); nn.utils.clipGradNorm(params, 1);
 * scaler.step(opt); scaler.update();
 */
export class GradScaler {
  private scaleValue: number;
  private growthFactor: number;
  private backoffFactor: number;
  private growthInterval: number;
  private growthTracker = 0;
  private readonly enabled: boolean;
  private stages = new Map<Optimizer, OptimizerStage>();

  constructor(opts: GradScalerOptions = {}) {
    const where = 'GradScaler';
    checkOptions(where, opts, ['initScale', 'growthFactor', 'backoffFactor', 'growthInterval', 'enabled']);
    const { initScale = 65536, growthFactor = 2, backoffFactor = 0.5, growthInterval = 2000, enabled = true } = opts;
    this.scaleValue = f32(checkNumber(where, 'initScale', initScale, { min: 0, minOpen: true }));
    this.growthFactor = checkNumber(where, 'growthFactor', growthFactor, { min: 1, minOpen: true });
    this.backoffFactor = checkNumber(where, 'backoffFactor', backoffFactor, { min: 0, minOpen: true, max: 1, maxOpen: true });
    this.growthInterval = checkNumber(where, 'growthInterval', growthInterval, { int: true, min: 1 });
    this.enabled = checkBool(where, 'enabled', enabled);
  }

  isEnabled(): boolean { return this.enabled; }

  /** The current scale (1 when disabled). */
  getScale(): number { return this.enabled ? this.scaleValue : 1; }

  /** outputs · S (same shape and dtype); outputs unchanged when disabled. */
  scale(outputs: Tensor): Tensor {
    check(outputs instanceof Tensor, 'BAD_ARGUMENT', () => `GradScaler.scale: expected a Tensor, got ${describe(outputs)}`);
    return this.enabled ? mul(outputs, this.scaleValue) : outputs;
  }

  /** Divides opt's gradients by S in place and records whether any was inf/NaN. Once per step. */
  unscale(opt: Optimizer): void {
    if (!this.enabled) return;
    const st = this.stages.get(opt)?.stage;
    check(st === undefined, 'BAD_STATE', () => st === 'unscaled'
      ? 'GradScaler.unscale: unscale() has already been called on this optimizer since the last update()'
      : 'GradScaler.unscale: unscale() is being called after step(); call update() first');
    const inv = f32(1 / this.scaleValue);
    let probe: Tensor | null = null;
    tidy(() => noGrad(() => { // the probes' intermediates are freed here
      for (const group of opt.paramGroups) for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        const next = mul(g, inv);
        const old = probe;
        probe = keep(old === null ? nonFiniteProbe(g) : add(old, nonFiniteProbe(g)));
        old?.dispose();
        p.grad = keep(next);
        g.dispose();
      }
    }));
    this.stages.set(opt, { stage: 'unscaled', foundInf: probe ?? false });
  }

  /**
   * Unscales if not yet done, then runs opt.step() unless a gradient was inf/NaN. Reads found-inf
   * synchronously: on webgpu use `await stepAsync(opt)`.
   */
  step(opt: Optimizer): number | Tensor | undefined {
    if (!this.enabled) return opt.step();
    this.checkStep(opt);
    check(!needsAsyncRead(opt), 'UNSUPPORTED', () => 'GradScaler.step: found-inf lives on a device without synchronous reads; use `await scaler.stepAsync(optimizer)`');
    if (!this.stages.has(opt)) this.unscale(opt);
    const s = this.stages.get(opt) as OptimizerStage;
    s.foundInf = readFlag(s.foundInf);
    return this.finishStep(opt, s);
  }

  /** step() for every device: found-inf is read with one asynchronous read. */
  async stepAsync(opt: Optimizer): Promise<number | Tensor | undefined> {
    if (!this.enabled) return opt.step();
    this.checkStep(opt);
    if (!this.stages.has(opt)) this.unscale(opt);
    const s = this.stages.get(opt) as OptimizerStage;
    s.foundInf = await readFlagAsync(s.foundInf);
    return this.finishStep(opt, s);
  }

  private checkStep(opt: Optimizer): void {
    check(this.stages.get(opt)?.stage !== 'stepped', 'BAD_STATE',
      () => 'GradScaler.step: step() has already been called since the last update()');
  }

  private finishStep(opt: Optimizer, s: OptimizerStage): number | Tensor | undefined {
    const out = s.foundInf ? undefined : opt.step();
    s.stage = 'stepped';
    return out;
  }

  /**
   * Adjusts S from this step's inf checks (or sets it to newScale) and starts the next step. After
   * unscale() without a step on webgpu, found-inf is unread: use `await updateAsync()`.
   */
  update(newScale?: number): void {
    if (!this.enabled) return;
    const unread = [...this.stages.values()].some((s) => s.foundInf instanceof Tensor && s.foundInf.backend.readAsync !== undefined);
    check(newScale !== undefined || !unread, 'UNSUPPORTED',
      () => 'GradScaler.update: found-inf lives on a device without synchronous reads; use `await scaler.updateAsync()`');
    if (newScale === undefined) for (const s of this.stages.values()) s.foundInf = readFlag(s.foundInf);
    this.applyUpdate(newScale);
  }

  /** update() for every device: unread found-inf values are read asynchronously. */
  async updateAsync(newScale?: number): Promise<void> {
    if (!this.enabled) return;
    if (newScale === undefined) for (const s of this.stages.values()) s.foundInf = await readFlagAsync(s.foundInf);
    this.applyUpdate(newScale);
  }

  private applyUpdate(newScale: number | undefined): void {
    if (newScale !== undefined) {
      this.scaleValue = f32(checkNumber('GradScaler.update', 'newScale', newScale, { min: 0, minOpen: true }));
    } else {
      check(this.stages.size > 0, 'BAD_STATE', () => 'GradScaler.update: no inf checks were recorded prior to update(); call unscale() or step() first');
      if ([...this.stages.values()].some((s) => s.foundInf === true)) {
        this.scaleValue = f32(this.scaleValue * this.backoffFactor);
        this.growthTracker = 0;
      } else if (this.growthTracker + 1 === this.growthInterval) {
        const grown = f32(this.scaleValue * this.growthFactor);
        if (Number.isFinite(grown)) this.scaleValue = grown;
        this.growthTracker = 0;
      } else {
        this.growthTracker += 1;
      }
    }
    for (const s of this.stages.values()) if (s.foundInf instanceof Tensor) s.foundInf.dispose();
    this.stages = new Map();
  }

  stateDict(): GradScalerState | Record<string, never> {
    if (!this.enabled) return {};
    return { scale: this.scaleValue, growth_factor: this.growthFactor, backoff_factor: this.backoffFactor,
      growth_interval: this.growthInterval, _growth_tracker: this.growthTracker };
  }

  /** Restores stateDict(); validated whole before anything is set. */
  loadStateDict(state: GradScalerState): void {
    if (!this.enabled) return;
    const where = 'GradScaler.loadStateDict';
    check(state !== null && typeof state === 'object' && Object.keys(state).length > 0, 'BAD_ARGUMENT',
      () => `${where}: the source state dict is empty, possibly because it was saved from a disabled GradScaler`);
    const s = {
      scale: f32(checkNumber(where, 'scale', state.scale, { min: 0, minOpen: true })),
      growthFactor: checkNumber(where, 'growth_factor', state.growth_factor, { min: 1, minOpen: true }),
      backoffFactor: checkNumber(where, 'backoff_factor', state.backoff_factor, { min: 0, minOpen: true, max: 1, maxOpen: true }),
      growthInterval: checkNumber(where, 'growth_interval', state.growth_interval, { int: true, min: 1 }),
      tracker: checkNumber(where, '_growth_tracker', state._growth_tracker, { int: true, min: 0 }),
    };
    [this.scaleValue, this.growthFactor, this.backoffFactor, this.growthInterval, this.growthTracker] =
      [s.scale, s.growthFactor, s.backoffFactor, s.growthInterval, s.tracker];
  }
}

/** 0 where g is all finite, NaN otherwise (0·±Inf and 0·NaN are NaN): no overflow on finite values. */
function nonFiniteProbe(g: Tensor): Tensor {
  return g.size === 0 ? zeros([], { dtype: 'f32', device: g.device }) : sum(mul(g, 0));
}

/** Whether opt's gradients live where values can only be read asynchronously. */
function needsAsyncRead(opt: Optimizer): boolean {
  return opt.paramGroups.some((g) => g.params.some((p) => p.backend.readAsync !== undefined));
}

/** Reads a probe once (and frees it); a flag already read passes through. */
function readFlag(f: boolean | Tensor): boolean {
  if (typeof f === 'boolean') return f;
  const found = Number.isNaN(f.item());
  f.dispose();
  return found;
}

async function readFlagAsync(f: boolean | Tensor): Promise<boolean> {
  if (typeof f === 'boolean') return f;
  const found = Number.isNaN((await f.data())[0]);
  f.dispose();
  return found;
}
