// tidy/keep/dispose: scope-based freeing of intermediate tensors (TensorFlow.js's model, with
// PyTorch-style ops underneath).

import { nurserySize, openNursery, popScope, pushScope, sweepNursery, untrack, type Disposable } from './engine.js';
import { Tensor } from './tensor.js';
import { DescentError } from './errors.js';

function collect(x: unknown, into: Set<Disposable>, seen = new Set<unknown>()): void {
  if (x === null || typeof x !== 'object' || seen.has(x)) return;
  seen.add(x);
  if (x instanceof Tensor) {
    into.add(x);
    return;
  }
  const values = x instanceof Map ? [...x.values()] : Array.isArray(x) ? x : Object.values(x);
  for (const v of values) collect(v, into, seen);
}

/**
 * Runs fn and disposes every tensor it created except those it returns (found in arrays,
 * plain objects and Maps). Returned tensors move to the enclosing scope.
 * @example const loss = d.tidy(() => model(x).sub(y).square().mean());
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new DescentError('BAD_ARGUMENT', `tidy: expected a function, got ${typeof fn}`);
  pushScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    popScope();
    throw e;
  }
  if (result instanceof Promise) {
    popScope();
    throw new DescentError('BAD_ARGUMENT', 'tidy: fn must be synchronous (it returned a Promise)');
  }
  const keepSet = new Set<Disposable>();
  collect(result, keepSet);
  popScope(keepSet);
  return result;
}

/** Exempts a tensor from the enclosing tidy scopes and from the step sweep; returns it. */
export function keep<T extends Tensor>(t: T): T {
  untrack(t);
  return t;
}

/** Disposes every tensor found in the argument (a tensor, an array, an object). */
export function dispose(x: unknown): void {
  const all = new Set<Disposable>();
  collect(x, all);
  for (const t of all) t.dispose();
}

/**
 * The step sweep, run at the end of every successful optimizer step, so a PyTorch-style loop without tidy
 * keeps device memory flat: each tensor made outside tidy since the last step (the loss, the
 * model's output, a batch) is parked — its values move into the JS heap, where the garbage
 * collector frees them with the last handle, and its device storage is freed. A parked tensor
 * stays readable and usable: the first op that needs it copies it back to its device. Skipped:
 * tensors a live graph still needs (not yet backpropagated), views sharing storage with another
 * handle, and leaves that require grad (parameters). Tensors made before the first step are setup
 * and never swept; `keep(t)` exempts one. Async code is swept at the end of each job as well.
 */
export function sweepStep(): void {
  openNursery();
  sweepNursery();
}

let crowdAt = 4096;

/**
 * For loops that stopped calling step() (evaluation without tidy): Module.call sweeps too, once
 * 4,096 tensors piled up outside tidy since the last sweep (more if many could not be parked), so
 * device memory and the nursery stay bounded there as well.
 */
export function sweepIfCrowded(): void {
  if (nurserySize() < crowdAt) return;
  sweepNursery();
  crowdAt = Math.max(4096, 2 * nurserySize());
}
