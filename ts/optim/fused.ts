// The fused fast path: on the wasm device, f32 parameters, gradients and state that are contiguous
// are updated by one multi-tensor kernel call per param group (assembly/f32-{sgd,adam,lion,
// adagrad,rmsprop}) instead of a chain of tensor ops. It reads and writes the SAME per-parameter
// state the composed chain keeps (same keys, same meaning), updating state and parameters in
// place, so the two paths interleave freely and stateDict() does not depend on which one ran.
// Results equal the composed definition up to f32 rounding (the kernels fold scalars differently);
// test/optim-fused.test.ts holds them to that.

import type { Tensor } from '../tensor.js';
import { getBackend } from '../engine.js';
import { zerosLike } from '../ops/creation.js';
import { clone } from '../ops/shape.js';
import { keep } from '../lifetime.js';
import { noGrad } from '../autograd/tape.js';
import type { WasmRuntime } from '../backend/wasm/runtime.js';
import type { ParamState } from './transform.js';

export type FusedKernel = 'sgd' | 'adam' | 'lion' | 'adagrad' | 'rmsprop';

let enabled = true;
let calls = 0;

/** How many fused kernel calls have run (instrumentation for tests and benchmarks). */
export const fusedCalls = (): number => calls;

/** Turns the fused path on or off (off: always the composed chain; for tests and benchmarks). */
export function setFusedUpdates(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  return prev;
}

const ok = (t: Tensor | null): boolean => t !== null && t.device === 'wasm' && t.dtype === 'f32' && t.isContiguous();

/** Whether the group can take the fused path: all parameters and gradients wasm, f32, contiguous. */
export function fusedEligible(params: readonly Tensor[]): boolean {
  return enabled && params.length > 0 && params.every((p) => ok(p) && ok(p.grad));
}

const ptr = (t: Tensor): number => (t.storage as unknown as { ptr: number }).ptr + t.offset * 4;

/** A state tensor the kernel may write in place: allocated when absent, un-shared when aliased. */
export function ownedState(s: ParamState, key: string, like: Tensor, others: readonly (Tensor | null)[] = []): Tensor {
  let t = s[key] as Tensor | null;
  if (t === null || t === undefined) t = noGrad(() => zerosLike(like));
  else if (others.includes(t) || !ok(t)) t = noGrad(() => clone(t as Tensor));
  else return t;
  keep(t);
  s[key] = t;
  return t;
}

/**
 * Calls `f32_<kind>_multi_wasmsimd(count, table, ...scalars, flags)` over records
 * [n, param, grad, ...state] (state pointers 0 where a state is unused).
 */
export function runFused(kind: FusedKernel, params: readonly Tensor[], state: (Tensor | null)[][], scalars: number[], flags: number): void {
  const rt = (getBackend('wasm') as unknown as { rt: WasmRuntime }).rt;
  const words = 3 + state[0].length;
  const table = rt.malloc(params.length * words * 4);
  try {
    const rec = rt.views.i32(table, params.length * words);
    params.forEach((p, i) => {
      rec.set([p.size, ptr(p), ptr(p.grad as Tensor), ...state[i].map((t) => (t === null ? 0 : ptr(t)))], i * words);
    });
    const fn = (rt.exports as unknown as Record<string, (...a: number[]) => void>)[`f32_${kind}_multi_wasmsimd`];
    fn(params.length, table, ...scalars, flags);
    calls += 1;
  } finally {
    rt.release(table);
  }
}

/** Indices of `n` items grouped by a key (state with different step counts needs separate calls). */
export function groupIndices(n: number, key: (i: number) => string | number): number[][] {
  const m = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) {
    const k = key(i);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  }
  return [...m.values()];
}
