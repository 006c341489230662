// Algorithms that take scalar decisions on the host (line searches, LBFGS) are written once as
// generators that yield a one-element tensor whenever they need its value, and are driven either
// synchronously (item()) or asynchronously (await data(), for devices such as webgpu that read
// only asynchronously). The async driver frees what the run made, as tidy does for the sync one:
// each synchronous stretch runs in its own scope, so tensors of concurrent jobs are never taken.

import type { Tensor } from '../tensor.js';
import { pushScope, takeScope, type Disposable } from '../engine.js';
import { tensorsIn } from './state-io.js';

/** A computation that yields each scalar it must read and receives its value. */
export type Reads<R> = Generator<Tensor, R, number>;

/** Runs gen reading each yielded scalar synchronously. */
export function readSync<R>(gen: Reads<R>): R {
  let r = gen.next();
  while (!r.done) r = gen.next(r.value.item());
  return r.value;
}

/**
 * Runs gen reading each yielded scalar with `await t.data()`; every stretch runs inside `around`
 * (e.g. noGrad). Tensors the run made are freed except those in the result and those kept.
 */
export async function readAsync<R>(gen: Reads<R>, around: <T>(fn: () => T) => T = (fn) => fn()): Promise<R> {
  const made = new Set<Disposable>();
  const stretch = (v?: number): IteratorResult<Tensor, R> => {
    pushScope();
    try {
      return around(() => (v === undefined ? gen.next() : gen.next(v)));
    } finally {
      for (const t of takeScope()) made.add(t);
    }
  };
  let result: R;
  try {
    let r = stretch();
    while (!r.done) r = stretch((await r.value.data())[0]);
    result = r.value;
  } catch (e) {
    for (const t of made) if (!t.isDisposed) t.dispose();
    throw e;
  }
  const out = tensorsIn(result as never);
  for (const t of made) if (!out.has(t as Tensor) && !t.isDisposed) t.dispose();
  return result;
}
