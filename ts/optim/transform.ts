// Optax-style gradient transformations (Babuschkin et al., "The DeepMind JAX Ecosystem", 2020):
// small, composable maps from gradients to updates, with per-parameter state. `chain` composes
// them; the PyTorch-named optimizers (./optimizers/*) are thin facades over chains.
//
// Conventions (they make the facades exact):
// - An update is ADDED to the parameter: θ ← θ + u. `scaleByLearningRate(lr)` multiplies by −lr.
// - State is per parameter (PyTorch keeps it per parameter too, and skips parameters without a
//   gradient). `update` receives the states of the parameters being updated and replaces tensors
//   in them by assignment; it never disposes anything: the caller (`applyUpdates` in
//   ./optimizer.ts) frees what is no longer referenced, in one place.
// - Hyperparameters are `Scalar`s: a number or a function read at every step, so schedulers that
//   rewrite a param group's lr (or momentum) take effect exactly as in PyTorch.
// - Transformations run under noGrad (the caller sees to it) and never modify their inputs.

import { DescentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { clone } from '../ops/shape.js';

export type Scalar = number | (() => number);
export const val = (s: Scalar): number => (typeof s === 'function' ? s() : s);
export type Flag = boolean | (() => boolean);
export const on = (f: Flag | undefined): boolean => (typeof f === 'function' ? f() : f === true);

/** Per-parameter state of one transformation: tensors (shaped like the parameter), numbers, and
 * the nested states of composed transformations. */
export type StateValue = Tensor | number | null | ParamState;
export interface ParamState { [key: string]: StateValue }

export interface GradientTransformation {
  readonly name: string;
  /** A chain's links (in order); absent on a single transformation. */
  readonly links?: readonly GradientTransformation[];
  init(param: Tensor): ParamState;
  update(updates: Tensor[], states: ParamState[], params: readonly Tensor[]): Tensor[];
}

/**
 * Composes transformations left to right (Optax `chain`); the result is itself a transformation
 * whose per-parameter state is the list of its links' states, stored under keys '0', '1', ….
 * @example const tx = chain(addDecayedWeights(1e-2), scaleByAdam(), scaleByLearningRate(1e-3));
 */
export function chain(...links: GradientTransformation[]): GradientTransformation {
  for (const [i, l] of links.entries()) {
    if (l === null || typeof l !== 'object' || typeof l.update !== 'function' || typeof l.init !== 'function') {
      throw new DescentError('BAD_ARGUMENT', `chain: argument ${i} expected a GradientTransformation, got ${String(l)}`);
    }
  }
  return {
    name: `chain(${links.map((l) => l.name).join(', ')})`,
    links,
    init: (param) => Object.fromEntries(links.map((l, i) => [String(i), l.init(param)])),
    update(updates, states, params) {
      let u = updates;
      links.forEach((l, i) => {
        u = l.update(u, states.map((s) => s[String(i)] as ParamState), params);
      });
      return u;
    },
  };
}

/**
 * The per-parameter states of the link named `name` inside `tx` (searched through nested chains):
 * found by the transformation that owns them, never by position, so a fused kernel reading them
 * cannot fall out of step with a reordered or extended chain. Exactly one link must carry the name.
 */
export function linkStates(tx: GradientTransformation, states: readonly ParamState[], name: string): ParamState[] {
  const paths = linkPaths(tx, name);
  if (paths.length !== 1) {
    throw new DescentError('BAD_ARGUMENT', `linkStates: expected one '${name}' link in ${tx.name}, found ${paths.length}`);
  }
  return states.map((s) => paths[0].reduce((st, key) => st[key] as ParamState, s));
}

/** State keys leading to every link named `name` in tx. */
function linkPaths(tx: GradientTransformation, name: string): string[][] {
  return (tx.links ?? []).flatMap((l, i) =>
    l.name === name ? [[String(i)]] : linkPaths(l, name).map((p) => [String(i), ...p]));
}

/** Multiplies updates by a constant: scale(-1) turns a gradient into an ascent direction. */
export function scale(factor: Scalar): GradientTransformation {
  return {
    name: 'scale',
    init: () => ({}),
    update: (u) => {
      const k = val(factor);
      return k === 1 ? u : u.map((x) => mul(x, k));
    },
  };
}

/** u ← −lr·u (Optax `scale_by_learning_rate`): the last link of every descent chain. */
export function scaleByLearningRate(lr: Scalar): GradientTransformation {
  return {
    name: 'scaleByLearningRate',
    init: () => ({}),
    update: (u) => u.map((x) => mul(x, -val(lr))),
  };
}

/**
 * u ← u + λ·θ (Optax `add_decayed_weights`). Before an adaptive scaling it is PyTorch's coupled
 * L2 (`weight_decay` of SGD/Adam); after it and before the lr it is decoupled decay (AdamW).
 */
export function addDecayedWeights(weightDecay: Scalar): GradientTransformation {
  return {
    name: 'addDecayedWeights',
    init: () => ({}),
    update: (u, _s, params) => {
      const wd = val(weightDecay);
      return wd === 0 ? u : u.map((x, i) => add(x, mul(params[i], wd)));
    },
  };
}

export interface TraceOptions { decay: Scalar; dampening?: Scalar; nesterov?: Flag }

/**
 * Momentum with PyTorch SGD semantics: the first step copies u into the buffer (no dampening),
 * later steps buf ← μ·buf + (1−τ)·u; the output is buf, or u + μ·buf with Nesterov. A decay of 0
 * at step time passes updates through untouched (PyTorch's `if momentum != 0`).
 */
export function trace(opts: TraceOptions): GradientTransformation {
  const damp = opts.dampening ?? 0;
  return {
    name: 'trace',
    init: () => ({ buf: null }),
    update: (u, states) => {
      const mu = val(opts.decay);
      if (mu === 0) return u;
      return u.map((x, i) => {
        const prev = states[i].buf as Tensor | null;
        // PyTorch clones on the first step; the clone also keeps the caller's gradient out of our state.
        const buf = prev === null ? clone(x) : add(mul(prev, mu), mul(x, 1 - val(damp)));
        states[i].buf = buf;
        return on(opts.nesterov) ? add(x, mul(buf, mu)) : buf;
      });
    },
  };
}

/** Inner product of two lists of tensors, as a JS number (Σ over pairs of their elementwise-product sums). */
export function listDot(a: readonly Tensor[], b: readonly Tensor[]): number {
  let acc = 0;
  a.forEach((t, i) => { acc += sum(mul(t, b[i])).item(); });
  return acc;
}

/** Global L2 norm of a list of tensors, as a JS number (Σ over tensors of their squared sums). */
export function globalNorm(ts: readonly Tensor[]): number {
  return Math.sqrt(listDot(ts, ts));
}

/** Scales all updates by min(1, maxNorm/‖u‖₂) over the whole list (Optax `clip_by_global_norm`). */
export function clipByGlobalNorm(maxNorm: Scalar): GradientTransformation {
  return {
    name: 'clipByGlobalNorm',
    init: () => ({}),
    update: (u) => {
      const n = globalNorm(u);
      const m = val(maxNorm);
      return n <= m ? u : u.map((x) => mul(x, m / n));
    },
  };
}
