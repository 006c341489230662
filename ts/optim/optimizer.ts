// The PyTorch-shaped optimizer facade (torch.optim.Optimizer): param groups with per-group
// options, step(closure?), zeroGrad, addParamGroup, stateDict/loadStateDict. Subclasses declare an
// option schema and build one gradient transformation per group (./transform.ts) whose
// hyperparameters read the group live, so schedulers work as in PyTorch.
//
// `applyUpdates` is the ONE place where parameters are written and optimizer state is swapped
// and freed (DESIGN.md): θ ← θ + u is written into the parameter's own storage (views of it see
// the change, like PyTorch's in-place update), new state tensors are kept out of any enclosing
// tidy scope, and state tensors the update replaced are disposed.

import { DescentError, check, checkOptions } from '../errors.js';
import { Tensor } from '../tensor.js';
import { isFloat } from '../dtype.js';
import { add } from '../ops/elementwise.js';
import { zerosLike } from '../ops/creation.js';
import { keep, sweepStep, tidy } from '../lifetime.js';
import { enableGrad, noGrad } from '../autograd/tape.js';
import type { SchedulableGroup } from './lr-scheduler/base.js';
import type { GradientTransformation, ParamState } from './transform.js';
import { type EncodedState, decodeState, encodeState, tensorsIn } from './state-io.js';
import { type OptionSchema, checkNumber } from './validate.js';
import { conformState } from './state-check.js';
import { fusedEligible } from './fused.js';
import { copyInto } from '../ops/inplace.js';
import { lowPrecisionState, type StateDtype } from './low-precision-state.js';
import { initWithRemainder, stepWithRemainder } from './master-weights.js';

const stateDtypeOf = (g: ParamGroup): StateDtype => (g.stateDtype as StateDtype | undefined) ?? 'f32';
const withRemainder = (g: ParamGroup): boolean => g.masterWeights === 'remainder';

export interface ParamGroup extends SchedulableGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}
export type ParamGroupInput = { params: Iterable<Tensor> } & Record<string, unknown>;
export type ParamsInput = Iterable<Tensor> | Iterable<ParamGroupInput>;
export type Closure = () => number | Tensor;

export interface OptimizerStateDict {
  state: Record<string, EncodedState>;
  paramGroups: Record<string, unknown>[];
}

/** Writes `value` (same shape) into the parameter's own storage: the only way parameters change. */
export function writeParam(p: Tensor, value: Tensor): void {
  copyInto(p, value);
}

/** A copy of a state's structure sharing its tensors (so a failed update leaves the original intact). */
function copyState(s: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) {
    out[k] = v !== null && typeof v === 'object' && !(v instanceof Tensor) ? copyState(v) : v;
  }
  return out;
}

/**
 * Writes θ + u into each parameter and returns the new per-parameter states (see the file header).
 * If the transformation throws, nothing is written and the old states remain valid.
 */
export function applyUpdates(tx: GradientTransformation, params: Tensor[], old: ParamState[]): ParamState[] {
  const before = new Set<Tensor>();
  for (const s of old) tensorsIn(s, before);
  const states = old.map(copyState);
  const { next } = tidy(() => noGrad(() => {
    const u = tx.update(params.map((p) => p.grad as Tensor), states, params);
    return { next: params.map((p, i) => add(p, u[i])), states };
  }));
  const after = new Set<Tensor>();
  for (const s of states) tensorsIn(s, after);
  for (const t of after) keep(t);
  params.forEach((p, i) => {
    writeParam(p, next[i]);
    next[i].dispose();
  });
  for (const t of before) if (!after.has(t)) t.dispose();
  return states;
}

export abstract class Optimizer {
  readonly paramGroups: ParamGroup[] = [];
  /** Per-parameter state, created on the parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();
  readonly defaults: Record<string, unknown>;
  private readonly txs = new WeakMap<ParamGroup, GradientTransformation>();
  /**
   * Quantized-update hook (for the mixed-precision work): when set, every step updates from Q(g)
   * instead of g; the parameters' `.grad` are left as they were.
   * @example opt.gradientQuantizer = (g) => g.mul(64).round().div(64);
   */
  gradientQuantizer: ((g: Tensor) => Tensor) | null = null;

  constructor(readonly name: string, params: ParamsInput, opts: object | undefined, private readonly schema: OptionSchema) {
    check(!Array.isArray(opts), 'BAD_OPTION', () => `${name}: expected an options object, got an array`);
    checkOptions(name, opts, Object.keys(schema));
    const o = (opts ?? {}) as Record<string, unknown>;
    this.defaults = Object.fromEntries(Object.entries(schema).map(([k, spec]) =>
      [k, spec.check(name, k, o[k] === undefined ? spec.default : o[k])]));
    check(params !== null && typeof params === 'object' && Symbol.iterator in params, 'BAD_ARGUMENT',
      () => `${name}: expected an iterable of tensors or of param groups, got ${String(params)}`);
    const list = [...(params as Iterable<unknown>)];
    check(list.length > 0, 'BAD_ARGUMENT', () => `${name}: got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : list as ParamGroupInput[];
    for (const g of groups) this.addParamGroup(g);
  }

  /** The transformation that maps this group's gradients to updates. */
  protected abstract makeTransform(group: ParamGroup): GradientTransformation;

  /**
   * The fused fast path (./fused.ts): facades with a fused kernel update the group in place and
   * return true, reading their links' state through linkStates(tx, states, name); the default (and any ineligible group) takes the composed transformation.
   */
  protected fusedStep(_group: ParamGroup, _params: Tensor[], _states: ParamState[], _tx: GradientTransformation): boolean {
    return false;
  }

  /** fusedStep for groups with stateDtype 'bf16' (Backend.fusedUpdateBf16State); default: the composed chain. */
  protected fusedStepBf16State(_group: ParamGroup, _params: Tensor[], _states: ParamState[], _tx: GradientTransformation): boolean {
    return false;
  }

  /** Cross-option rules of one group (e.g. SGD's nesterov); runs after each option's own check. */
  protected checkGroup(_group: ParamGroup): void {}

  addParamGroup(input: ParamGroupInput): void {
    const where = `${this.name}.addParamGroup`;
    check(input !== null && typeof input === 'object' && 'params' in input, 'BAD_ARGUMENT',
      () => `${where}: expected a param group {params, ...options}, got ${String(input)}`);
    const { params, ...rest } = input;
    checkOptions(where, rest, [...Object.keys(this.schema), 'initialLr']);
    check(params instanceof Tensor || (params !== null && typeof params === 'object' && Symbol.iterator in params), 'BAD_ARGUMENT',
      () => `${where}: 'params' expected a tensor or an iterable of tensors, got ${String(params)}`);
    const ps = params instanceof Tensor ? [params] : [...params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    ps.forEach((p, i) => {
      check(p instanceof Tensor && !p.isDisposed && isFloat(p.dtype), 'BAD_ARGUMENT',
        () => `${where}: params[${i}] expected a live floating-point Tensor, got ${String(p)}`);
      check(!seen.has(p), 'BAD_ARGUMENT', () => `${where}: params[${i}] already belongs to a param group`);
      seen.add(p);
    });
    const group = { params: ps } as ParamGroup;
    for (const [k, spec] of Object.entries(this.schema)) {
      group[k] = spec.check(this.name, k, rest[k] === undefined ? this.defaults[k] : rest[k]);
    }
    if (rest.initialLr !== undefined) group.initialLr = checkNumber(where, 'initialLr', rest.initialLr, { min: 0 });
    this.checkGroup(group);
    this.paramGroups.push(group);
  }

  /**
   * One optimization step over every parameter that has a gradient. With a closure (re-evaluates
   * the loss and its gradients), it is called first with gradients enabled and its value returned.
   */
  step(closure?: Closure): number | Tensor | undefined {
    check(closure === undefined || typeof closure === 'function', 'BAD_ARGUMENT',
      () => `${this.name}.step: expected a closure function or nothing, got ${typeof closure}`);
    const loss = closure ? enableGrad(closure) : undefined;
    // every group is checked before any is written: a bad gradient in the last group leaves the first untouched
    for (const g of this.paramGroups) this.checkReady(g);
    for (const g of this.paramGroups) this.stepGroup(g);
    sweepStep(); // after success only: a rejected step leaves memory() as it was
    return loss;
  }

  /** Throws unless every parameter of `group` is live and each gradient matches it (nothing written). */
  protected checkReady(group: ParamGroup): void {
    // A disposed parameter has no gradient and would be skipped: training would silently stop.
    // The usual cause is Module.to(), which replaces parameters (torch's keeps them in place).
    group.params.forEach((p, i) => check(!p.isDisposed, 'DISPOSED',
      () => `${this.name}.step: params[${i}] of group ${this.paramGroups.indexOf(group)} (shape [${p.shape}]) was disposed; `
        + 'Module.to() replaces parameters, so build the optimizer after moving or casting the model'));
    if (withRemainder(group)) {
      group.params.forEach((p, i) => check(p.dtype === 'bf16', 'BAD_DTYPE',
        () => `${this.name}.step: masterWeights 'remainder' expected bf16 parameters, got params[${i}] in ${p.dtype}`));
    }
    group.params.filter((p) => p.grad !== null).forEach((p) => {
      const g = p.grad as Tensor;
      check(!g.isDisposed, 'DISPOSED', () => `${this.name}.step: the gradient of a parameter of shape [${p.shape}] was disposed`);
      check(g.device === p.device, 'DEVICE_MISMATCH',
        () => `${this.name}.step: a gradient on '${g.device}' for a parameter on '${p.device}'`);
      check(g.dtype === p.dtype && g.shape.length === p.shape.length && g.shape.every((n, i) => n === p.shape[i]), 'BAD_ARGUMENT',
        () => `${this.name}.step: a gradient of shape [${g.shape}] (${g.dtype}) does not match its parameter [${p.shape}] (${p.dtype})`);
    });
  }

  protected stepGroup(group: ParamGroup): void {
    const ps = group.params.filter((p) => p.grad !== null);
    if (ps.length === 0) return;
    let tx = this.txs.get(group);
    // stateDtype (Adam, AdamW, SGD, Lion): the state lives in bf16 / 8 bits between steps
    if (tx === undefined) this.txs.set(group, (tx = lowPrecisionState(this.makeTransform(group), () => stateDtypeOf(group))));
    const t = tx;
    // states made for a first step join this.state only once the step succeeds
    const fresh = new Map<Tensor, ParamState>();
    try {
      const states = ps.map((p) => {
        let s = this.state.get(p);
        if (s === undefined) {
          // tidy: a half-made state is freed if init runs out of memory
          s = tidy(() => noGrad(() => (withRemainder(group) ? initWithRemainder(t, p) : t.init(p))));
          for (const x of tensorsIn(s)) keep(x);
          fresh.set(p, s);
        }
        return s;
      });
      this.updateGroup(group, ps, states, t);
    } catch (e) {
      for (const s of fresh.values()) for (const x of tensorsIn(s)) x.dispose();
      throw e;
    }
    for (const [p, s] of fresh) if (!this.state.has(p)) this.state.set(p, s);
  }

  private updateGroup(group: ParamGroup, ps: Tensor[], states: ParamState[], t: GradientTransformation): void {
    const q = this.gradientQuantizer;
    const original = ps.map((p) => p.grad as Tensor);
    if (q !== null) {
      ps.forEach((p, i) => {
        const g = noGrad(() => q(original[i]));
        check(g instanceof Tensor && g.dtype === p.dtype && g.shape.every((n, k) => n === p.shape[k]), 'BAD_ARGUMENT',
          () => `${this.name}.gradientQuantizer: expected a tensor shaped and typed like the gradient, got ${String(g)}`);
        p.grad = keep(g);
      });
    }
    try {
      // the fused kernels update f32 parameters and their state in place; the chain returns new states
      const fused = (params: Tensor[], s: ParamState[]): boolean => {
        if (!fusedEligible(params)) return false;
        const d = stateDtypeOf(group);
        return d === 'f32' ? this.fusedStep(group, params, s, t) : d === 'bf16' && this.fusedStepBf16State(group, params, s, t);
      };
      const update = (params: Tensor[], s: ParamState[]): ParamState[] => (fused(params, s) ? s : applyUpdates(t, params, s));
      // bf16 parameters with a remainder: the same update, of their f32 masters
      const next = withRemainder(group) ? stepWithRemainder(ps, states, update, writeParam) : update(ps, states);
      next.forEach((s, i) => this.state.set(ps[i], s));
    } finally {
      if (q !== null) {
        ps.forEach((p, i) => {
          if (p.grad !== original[i]) p.grad?.dispose();
          p.grad = original[i];
        });
      }
    }
  }

  /** Clears gradients: disposes them and sets `.grad = null` (default), or zero-fills them. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    checkOptions(`${this.name}.zeroGrad`, opts, ['setToNone']);
    const toNone = opts?.setToNone ?? true;
    check(typeof toNone === 'boolean', 'BAD_OPTION', () => `${this.name}.zeroGrad: option 'setToNone' expected a boolean, got ${String(toNone)}`);
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        const old = p.grad;
        p.grad = toNone ? null : keep(zerosLike(old));
        old.dispose();
      }
    }
  }

  /** JSON-serializable state: per-parameter state keyed by parameter index, and the groups' options. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    this.paramGroups.forEach((g) => g.params.forEach((p) => index.set(p, index.size)));
    const state: Record<string, EncodedState> = {};
    for (const [p, s] of this.state) state[String(index.get(p))] = encodeState(s);
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      return { ...JSON.parse(JSON.stringify(opts)) as Record<string, unknown>, params: params.map((p) => index.get(p)) };
    });
    return { state, paramGroups };
  }

  /**
   * The state this optimizer would create for `p` under `group`'s options (loadStateDict checks a
   * loaded state against it); null where the state has no fixed layout to check against.
   */
  protected stateTemplate(group: ParamGroup, p: Tensor): ParamState | null {
    const tx = lowPrecisionState(this.makeTransform(group), () => stateDtypeOf(group));
    return noGrad(() => (withRemainder(group) ? initWithRemainder(tx, p) : tx.init(p)));
  }

  /**
   * Restores a stateDict() (also after JSON.stringify/parse): the groups must have the same sizes,
   * their options be this optimizer's, and each state have the keys and shapes this optimizer
   * would create for that parameter (floating dtypes are cast). Nothing changes on a bad dict.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    check(sd !== null && typeof sd === 'object' && Array.isArray(sd.paramGroups) && sd.state !== null && typeof sd.state === 'object',
      'BAD_ARGUMENT', () => `${where}: expected {state, paramGroups}`);
    check(sd.paramGroups.length === this.paramGroups.length, 'BAD_ARGUMENT',
      () => `${where}: expected ${this.paramGroups.length} param groups, got ${sd.paramGroups.length}`);
    const allowed = new Set([...Object.keys(this.schema), 'params', 'initialLr']);
    const staged = sd.paramGroups.map((sg, i) => {
      const n = Array.isArray(sg?.params) ? sg.params.length : -1;
      check(n === this.paramGroups[i].params.length, 'BAD_ARGUMENT',
        () => `${where}: group ${i} expected ${this.paramGroups[i].params.length} params, got ${n}`);
      for (const k of Object.keys(sg)) {
        check(allowed.has(k), 'BAD_ARGUMENT', () => `${where}: paramGroups[${i}] has option '${k}', which ${this.name} does not have; `
          + `expected ${[...allowed].map((a) => `'${a}'`).join(', ')}`);
      }
      const g: ParamGroup = { ...this.paramGroups[i] };
      for (const [k, spec] of Object.entries(this.schema)) if (k in sg) g[k] = spec.check(where, k, sg[k]);
      if (sg.initialLr !== undefined) g.initialLr = checkNumber(where, 'initialLr', sg.initialLr, { min: 0 });
      this.checkGroup(g);
      return g;
    });
    const params = this.paramGroups.flatMap((g) => g.params);
    const groupOf = staged.flatMap((g) => g.params.map(() => g));
    const decoded = new Map<Tensor, ParamState>();
    try {
      for (const [k, v] of Object.entries(sd.state)) {
        const i = Number(k);
        const p = params[i];
        if (p === undefined) throw new DescentError('BAD_ARGUMENT', `${where}: state for parameter ${k}, but there are ${params.length}`);
        const s = decodeState(v, p.device, `${where}: state[${k}]`);
        decoded.set(p, s);
        const template = this.stateTemplate(groupOf[i], p);
        if (template === null) continue;
        try {
          decoded.set(p, conformState(s, template, p, `${where}: state[${k}]`));
        } finally {
          for (const t of tensorsIn(template)) t.dispose();
        }
      }
    } catch (e) {
      for (const s of decoded.values()) for (const t of tensorsIn(s)) if (!t.isDisposed) t.dispose();
      throw e;
    }
    staged.forEach((g, i) => Object.assign(this.paramGroups[i], g, { params: this.paramGroups[i].params }));
    for (const s of this.state.values()) for (const t of tensorsIn(s)) t.dispose();
    this.state.clear();
    for (const [p, s] of decoded) {
      for (const t of tensorsIn(s)) keep(t);
      this.state.set(p, s);
    }
  }
}
