// The fused fast path: on a backend with the fusedUpdate capability (wasm: assembly/f32-{sgd,
// adam,lion,adagrad,rmsprop}), f32 parameters, gradients and state that are contiguous are updated
// by one multi-tensor kernel call per param group instead of a chain of tensor ops. It reads and
// writes the SAME per-parameter state the composed chain keeps (found by link name, see
// linkStates in ./transform.ts), in place, so the two paths interleave freely and stateDict()
// does not depend on which one ran. Results equal the composed definition up to f32 rounding
// (the kernels fold scalars differently); test/optim-fused.test.ts holds them to that.

import type { Tensor } from '../tensor.js';
import { zerosLike } from '../ops/creation.js';
import { clone } from '../ops/shape.js';
import { keep } from '../lifetime.js';
import { noGrad } from '../autograd/tape.js';
import type { Bf16StateKind, FusedUpdateKind } from '../backend/backend.js';
import { reserveWords } from '../ops/random.js';
import type { ParamState } from './transform.js';

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

const ok = (t: Tensor | null, like: Tensor): boolean => t !== null && t.device === like.device && t.dtype === 'f32' && t.isContiguous();

/** Whether the group can take the fused path: a backend with fusedUpdate; every parameter and gradient there, f32, contiguous. */
export function fusedEligible(params: readonly Tensor[]): boolean {
  return enabled && params.length > 0 && params[0].backend.fusedUpdate !== undefined
    && params.every((p) => ok(p, params[0]) && ok(p.grad, p));
}

/** A state tensor the kernel may write in place: allocated when absent, un-shared when aliased. */
export function ownedState(s: ParamState, key: string, like: Tensor, others: readonly (Tensor | null)[] = []): Tensor {
  let t = s[key] as Tensor | null;
  if (t === null || t === undefined) t = noGrad(() => zerosLike(like));
  else if (others.includes(t) || !ok(t, like)) t = noGrad(() => clone(t as Tensor));
  else return t;
  keep(t);
  s[key] = t;
  return t;
}

/** One Backend.fusedUpdate call over the group's records (state null where a state is unused). */
export function runFused(kind: FusedUpdateKind, params: readonly Tensor[], state: (Tensor | null)[][], scalars: number[], flags: number): void {
  const records = params.map((p, i) => ({ param: p, grad: p.grad as Tensor, state: state[i] }));
  params[0].backend.fusedUpdate!(kind, records, scalars, flags);
  calls += 1;
}

/** Whether a state value is a bf16 tensor the bf16-state kernels may update in place for parameter p. */
export const bf16StateOk = (t: unknown, p: Tensor): t is Tensor => t !== null && typeof t === 'object' && 'dtype' in t
  && (t as Tensor).dtype === 'bf16' && (t as Tensor).device === p.device && (t as Tensor).isContiguous();

/**
 * Reserves the Philox words the composed path (lowPrecisionState) would draw to narrow these
 * state tensors, in its order (parameter by parameter, each tensor's n words): their first blocks, and the key.
 */
export function reserveStateWords(state: readonly Tensor[][]): { blocks: number[][]; key: [number, number] } {
  const reserved = state.map((ts) => ts.map((t) => reserveWords(t.size)));
  return { blocks: reserved.map((r) => r.map((w) => w.counter)), key: [reserved[0][0].key0, reserved[0][0].key1] };
}

/** One Backend.fusedUpdateBf16State call (state[i], blocks[i]: record i's bf16 state tensors and their first Philox blocks). */
export function runFusedBf16State(kind: Bf16StateKind, params: readonly Tensor[], state: Tensor[][], blocks: number[][],
  key: [number, number], scalars: number[], flags: number): void {
  const records = params.map((p, i) => ({ param: p, grad: p.grad as Tensor, state: state[i] }));
  params[0].backend.fusedUpdateBf16State!(kind, records, blocks, key, scalars, flags);
  calls += 1;
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
