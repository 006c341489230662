// Module: the container of parameters, buffers and child modules (PyTorch's nn.Module, camelCase).
// State lives in three ordered maps keyed by PyTorch's state_dict names (`weight`,
// `running_mean`, `weight_ih_l0`), so a torch checkpoint loads unchanged. Parameters and buffers
// are owned by the module: they survive tidy() and go with `dispose()`. loadStateDict copies values
// into the existing storage (torch's `param.copy_()`), so references held elsewhere (an
// optimizer) stay valid.

import type { Device } from '../backend/backend.js';
import { DEVICES } from '../backend/backend.js';
import { type DType, checkDType, isFloat } from '../dtype.js';
import { check, checkOptions, fmtShape } from '../errors.js';
import { keep, sweepIfCrowded } from '../lifetime.js';
import { noGrad } from '../autograd/tape.js';
import { type JsonTensor, Tensor } from '../tensor.js';
import { detach, to } from '../ops/shape.js';
import { zerosLike } from '../ops/creation.js';
import { copyInto } from '../ops/inplace.js';
import { assertTensor, castTo } from '../ops/util.js';
import { fromJson } from './state.js';
import { composite } from './functional/util.js';

export type StateDict = Record<string, Tensor>;
export type JsonStateDict = Record<string, JsonTensor>;
export interface LoadResult { missingKeys: string[]; unexpectedKeys: string[] }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = Module<any[], any>;

function checkName(where: string, name: string, taken: boolean): void {
  check(typeof name === 'string' && name.length > 0 && !name.includes('.'), 'BAD_ARGUMENT',
    () => `${where}: expected a non-empty name without '.', got ${JSON.stringify(name)}`);
  check(!taken, 'BAD_ARGUMENT', () => `${where}: the name '${name}' is already registered`);
}

/**
 * Base class of every layer. Subclasses register state in their constructor and implement
 * `forward`; `call(...)` runs forward.
 * @example
 * class Mlp extends nn.Module { constructor() { super(); this.registerModule('fc', new nn.Linear(4, 2)); }
 *   forward(x) { return this.child('fc').call(x).relu(); } }
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Train mode (dropout active, batch statistics); toggled by train()/eval(). */
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly bufs = new Map<string, Tensor | null>();
  private readonly nonPersistent = new Set<string>();
  private readonly mods = new Map<string, AnyModule>();

  abstract forward(...args: In): Out;

  /**
   * Runs forward (the `module(x)` of PyTorch). Forward's temporaries are freed on return, or
   * with the recorded graph when backward releases it: only what forward returns stays. Once
   * training has stepped, a crowd of tensors left outside tidy is swept here too (lifetime.ts).
   */
  call(...args: In): Out {
    sweepIfCrowded();
    return composite(() => this.forward(...args));
  }

  /** Registers a parameter: a floating leaf that requires grad, owned by this module. */
  registerParameter(name: string, t: Tensor | null): Tensor | null {
    checkName('registerParameter', name, this.params.has(name) || this.bufs.has(name) || this.mods.has(name));
    this.params.set(name, t === null ? null : adoptParameter(t, 'registerParameter'));
    return t;
  }

  /** Registers a buffer (state that is not trained: running statistics, masks). */
  registerBuffer(name: string, t: Tensor | null, opts?: { persistent?: boolean }): Tensor | null {
    checkOptions('registerBuffer', opts, ['persistent']);
    checkName('registerBuffer', name, this.params.has(name) || this.bufs.has(name) || this.mods.has(name));
    if (t !== null) keep(assertTensor(t, 'registerBuffer'));
    this.bufs.set(name, t);
    if (opts?.persistent === false) this.nonPersistent.add(name);
    return t;
  }

  /** Registers a child module under `name` (its state keys get the prefix `name.`). */
  registerModule<M extends AnyModule>(name: string, m: M): M {
    checkName('registerModule', name, this.params.has(name) || this.bufs.has(name) || this.mods.has(name));
    check(m instanceof Module, 'BAD_ARGUMENT', () => `registerModule: expected a Module for '${name}', got ${String(m)}`);
    this.mods.set(name, m);
    return m;
  }

  /**
   * Puts `m` in place of child `name` and returns the previous child (torch's setattr on a
   * submodule). Layers also keep typed fields aliasing their children (this.linear1 = …), so
   * those fields are rebound too: forward must see the replacement.
   */
  replaceModule(name: string, m: AnyModule): AnyModule {
    const old = this.child(name);
    check(m instanceof Module, 'BAD_ARGUMENT', () => `replaceModule: expected a Module for '${name}', got ${String(m)}`);
    this.mods.set(name, m);
    const fields = this as unknown as Record<string, unknown>;
    for (const k of Object.keys(fields)) if (fields[k] === old) fields[k] = m;
    return old;
  }

  /** The registered parameter `name` (null when registered as absent, e.g. bias=false). */
  param(name: string): Tensor | null {
    check(this.params.has(name), 'BAD_ARGUMENT', () => `${this.constructor.name}: no parameter '${name}' (has ${[...this.params.keys()].join(', ') || 'none'})`);
    return this.params.get(name)!;
  }

  /**
   * Puts `t` in place of parameter `name` as is (no copy, no leaf check) and returns the previous
   * tensor; functionalCall uses it to run a module on substituted, differentiable parameters.
   */
  replaceParameter(name: string, t: Tensor | null): Tensor | null {
    const old = this.param(name);
    if (t !== null) assertTensor(t, 'replaceParameter');
    this.params.set(name, t);
    return old;
  }

  /** The registered buffer `name`. */
  buffer(name: string): Tensor | null {
    check(this.bufs.has(name), 'BAD_ARGUMENT', () => `${this.constructor.name}: no buffer '${name}' (has ${[...this.bufs.keys()].join(', ') || 'none'})`);
    return this.bufs.get(name)!;
  }

  /** Replaces buffer `name` (the old tensor is disposed unless it is the same one). */
  setBuffer(name: string, t: Tensor): void {
    const old = this.buffer(name);
    keep(t);
    this.bufs.set(name, t);
    if (old !== null && old !== t) old.dispose();
  }

  /** The registered child `name`. */
  child<M extends AnyModule = AnyModule>(name: string): M {
    check(this.mods.has(name), 'BAD_ARGUMENT', () => `${this.constructor.name}: no child module '${name}'`);
    return this.mods.get(name) as M;
  }

  /** [name, parameter] pairs, recursively with dotted names; a shared parameter appears once. */
  namedParameters(prefix = '', recurse = true): [string, Tensor][] {
    return this.collect(prefix, recurse, (m) => m.params);
  }

  parameters(recurse = true): Tensor[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    return this.collect(prefix, recurse, (m) => m.bufs);
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  namedChildren(): [string, AnyModule][] {
    return [...this.mods];
  }

  children(): AnyModule[] {
    return [...this.mods.values()];
  }

  /** This module and all descendants, depth first, each once: [dotted name, module]. */
  namedModules(prefix = '', seen = new Set<AnyModule>()): [string, AnyModule][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, AnyModule][] = [[prefix, this]];
    for (const [n, m] of this.mods) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n, seen));
    return out;
  }

  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  private collect(prefix: string, recurse: boolean, pick: (m: AnyModule) => Map<string, Tensor | null>): [string, Tensor][] {
    const mods: [string, AnyModule][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [mp, m] of mods) {
      for (const [n, t] of pick(m)) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([mp ? `${mp}.${n}` : n, t]);
      }
    }
    return out;
  }

  /** Sets train mode (default true) on this module and every descendant; returns this. */
  train(mode = true): this {
    check(typeof mode === 'boolean', 'BAD_ARGUMENT', () => `train: expected a boolean mode, got ${String(mode)}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Eval mode: dropout off, running statistics used. Same as train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Freezes (false) or unfreezes every parameter, as torch's requires_grad_(); returns this. */
  requiresGrad_(on = true): this {
    check(typeof on === 'boolean', 'BAD_ARGUMENT', () => `requiresGrad_: expected a boolean, got ${String(on)}`);
    for (const p of this.parameters()) p.requiresGrad = on;
    return this;
  }

  /**
   * Clears every parameter's gradient: disposes it and sets `.grad = null` (PyTorch's default
   * set_to_none), or with `{ setToNone: false }` replaces it by zeros.
   */
  zeroGrad(opts?: { setToNone?: boolean }): void {
    checkOptions('zeroGrad', opts, ['setToNone']);
    const toNone = opts?.setToNone ?? true;
    check(typeof toNone === 'boolean', 'BAD_OPTION', () => `zeroGrad: option 'setToNone' expected a boolean, got ${String(toNone)}`);
    for (const p of this.parameters()) {
      const old = p.grad;
      if (old === null) continue;
      p.grad = toNone ? null : keep(noGrad(() => zerosLike(old)));
      old.dispose();
    }
  }

  /** Calls fn on every descendant, then on this module (torch order); returns this. */
  apply(fn: (m: AnyModule) => void): this {
    check(typeof fn === 'function', 'BAD_ARGUMENT', () => `apply: expected a function, got ${typeof fn}`);
    for (const m of this.mods.values()) m.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Parameters and persistent buffers by dotted name, as detached views sharing storage with the
   * live state (disposing them is safe; clone to snapshot values that training will change).
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [k, t] of this.stateTargets()) out[k] = detach(t);
    return out;
  }

  /** The state dict as plain JSON ({dtype, shape, data}); JSON.stringify-able. */
  stateDictJson(): JsonStateDict {
    const sd = this.stateDict();
    const out: JsonStateDict = {};
    for (const [k, t] of Object.entries(sd)) {
      out[k] = t.toJSON();
      t.dispose();
    }
    return out;
  }

  /**
   * Copies values from a state dict (tensors or their JSON form) into this module's state.
   * Shapes must match; with `strict` (default) missing and unexpected keys are errors.
   */
  loadStateDict(sd: StateDict | JsonStateDict, opts?: { strict?: boolean }): LoadResult {
    checkOptions('loadStateDict', opts, ['strict']);
    const strict = opts?.strict ?? true;
    check(typeof strict === 'boolean', 'BAD_OPTION', () => `loadStateDict: option 'strict' expected a boolean, got ${String(strict)}`);
    check(sd !== null && typeof sd === 'object', 'BAD_ARGUMENT', () => `loadStateDict: expected an object of tensors, got ${String(sd)}`);
    const targets = this.stateTargets();
    const missingKeys = [...targets.keys()].filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !targets.has(k));
    if (strict) {
      check(missingKeys.length === 0 && unexpectedKeys.length === 0, 'BAD_ARGUMENT',
        () => `loadStateDict: keys differ: missing [${missingKeys.join(', ')}], unexpected [${unexpectedKeys.join(', ')}]`);
    }
    const pairs = [...targets].filter(([k]) => k in sd).map(([k, dst]) => [k, dst, sd[k]] as const);
    for (const [k, dst, src] of pairs) {
      const shape = src instanceof Tensor ? src.shape : src?.shape;
      check(Array.isArray(shape) && shape.length === dst.ndim && shape.every((n, i) => n === dst.shape[i]), 'SHAPE_MISMATCH',
        () => `loadStateDict: '${k}' expects shape ${fmtShape(dst.shape)}, got ${Array.isArray(shape) ? fmtShape(shape) : String(src)}`);
      if (src instanceof Tensor) check(!src.isDisposed, 'DISPOSED', () => `loadStateDict: the tensor for '${k}' was disposed`);
    }
    // Validate-then-commit: every source is decoded and cast to its target first; only then is
    // anything written, so a bad value in the last key leaves every earlier one untouched.
    // staged: [dst, the tensor to copy (src itself, or a copy made here), src]
    const staged: [Tensor, Tensor, Tensor | JsonTensor][] = [];
    try {
      for (const [, dst, src] of pairs) staged.push([dst, stageCopy(dst, src), src]);
    } catch (e) {
      for (const [, t, src] of staged) if (t !== src) t.dispose();
      throw e;
    }
    for (const [dst, t, src] of staged) {
      copyInto(dst, t);
      if (t !== src) t.dispose();
    }
    return { missingKeys, unexpectedKeys };
  }

  private stateTargets(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [mp, m] of this.namedModules()) {
      const pre = mp ? `${mp}.` : '';
      for (const [n, p] of m.params) if (p !== null) out.set(pre + n, p);
      for (const [n, b] of m.bufs) if (b !== null && !m.nonPersistent.has(n)) out.set(pre + n, b);
    }
    return out;
  }

  /**
   * Moves every parameter and buffer to a device, or casts floating ones to a dtype. New leaf
   * tensors replace the old (which are disposed). Unlike torch's to(), which keeps the Parameter
   * objects, this invalidates an optimizer built before: build optimizers after moving (a stale
   * one fails at step() with DISPOSED).
   */
  to(target: DType | Device): this {
    const isDevice = (DEVICES as readonly string[]).includes(target);
    if (!isDevice) checkDType(target, 'Module.to');
    for (const m of this.modules()) {
      for (const map of [m.params, m.bufs]) {
        for (const [n, t] of map) {
          if (t === null || (!isDevice && !isFloat(t.dtype))) continue;
          const moved = noGrad(() => to(t, target));
          if (moved === t) continue;
          moved.requiresGrad = t.requiresGrad;
          map.set(n, keep(moved));
          if (t.grad !== null) t.grad.dispose();
          t.dispose();
        }
      }
    }
    return this;
  }

  /** Frees every parameter, gradient and buffer of this module and its descendants. */
  dispose(): void {
    for (const m of this.modules()) {
      for (const map of [m.params, m.bufs]) {
        for (const t of map.values()) {
          if (t === null) continue;
          if (t.grad !== null) t.grad.dispose();
          t.dispose();
        }
      }
    }
  }

  /** One-line summary of options; subclasses override (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const kids = [...this.mods].map(([n, m]) => `  (${n}): ${String(m).replace(/\n/g, '\n  ')}`);
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    return kids.length === 0 ? `${head})` : `${head}\n${kids.join('\n')}\n)`;
  }
}

function adoptParameter(t: Tensor, where: string): Tensor {
  assertTensor(t, where);
  check(isFloat(t.dtype), 'BAD_DTYPE', () => `${where}: parameters must be floating point, got dtype ${t.dtype}`);
  check(t.gradFn === null, 'BAD_ARGUMENT', () => `${where}: a parameter must be a leaf tensor; pass x.detach()`);
  t.requiresGrad = true;
  return keep(t);
}

/** src (a tensor or its JSON form) as a tensor with dst's device and dtype, ready to copy; may be src itself. */
function stageCopy(dst: Tensor, src: Tensor | JsonTensor): Tensor {
  return noGrad(() => {
    const made = src instanceof Tensor ? src : fromJson(src, dst.device);
    try {
      const moved = to(made, dst.device);
      if (moved !== made && made !== src) made.dispose();
      const cast = castTo(moved, dst.dtype);
      if (cast !== moved && moved !== src) moved.dispose();
      return cast;
    } catch (e) {
      if (made !== src) made.dispose();
      throw e;
    }
  });
}
