// Backend.fusedUpdate on wasm: one f32_<kind>_multi_wasmsimd call over a table of records
// [n, param, grad, ...state] (byte addresses; 0 where a state is unused). fusedUpdateBf16State:
// f32_<kind>_bf16state_multi_wasmsimd over records [n, param, grad, ...state, ...Philox blocks
// (lo, hi) per state], with a scratch block the kernel widens each chunk of the state into.

import type { Bf16StateKind, FusedRecord, FusedUpdateKind } from '../backend.js';
import type { WasmRuntime } from './runtime.js';
import { viewPtr } from './storage.js';
import { withBlocks } from './scratch.js';
import { sizeOf } from '../view.js';

const MULTI = {
  sgd: 'f32_sgd_multi_wasmsimd', adam: 'f32_adam_multi_wasmsimd', lion: 'f32_lion_multi_wasmsimd',
  adagrad: 'f32_adagrad_multi_wasmsimd', rmsprop: 'f32_rmsprop_multi_wasmsimd',
} as const satisfies Record<FusedUpdateKind, string>;
/** The common shape of the multi kernels: (count, table, ...their scalars, flags). */
type MultiKernel = (count: number, table: number, ...scalars: number[]) => void;

export function fusedUpdateWasm(rt: WasmRuntime, kind: FusedUpdateKind, records: readonly FusedRecord[],
  scalars: readonly number[], flags: number): void {
  if (records.length === 0) return;
  const where = `fusedUpdate(${kind})`;
  const words = 3 + records[0].state.length;
  // validated before the table exists: a bad view throws with nothing written
  const rows = records.map((r) => [sizeOf(r.param.shape), viewPtr(r.param, where, rt), viewPtr(r.grad, where, rt),
    ...r.state.map((v) => (v === null ? 0 : viewPtr(v, where, rt)))]);
  withBlocks(rt, [records.length * words * 4], ([table]) => {
    const rec = rt.views.i32(table, records.length * words);
    rows.forEach((row, i) => rec.set(row, i * words));
    (rt.exports[MULTI[kind]] as MultiKernel)(records.length, table, ...scalars, flags);
  });
}

const BF16_MULTI = {
  sgd: 'f32_sgd_bf16state_multi_wasmsimd', adam: 'f32_adam_bf16state_multi_wasmsimd', lion: 'f32_lion_bf16state_multi_wasmsimd',
} as const satisfies Record<Bf16StateKind, string>;
const BF16_SCRATCH = 2 * 1024 * 4; // a chunk of f32 per state, two at most (assembly/_lib/bf16-state.ts CHUNK)

export function fusedUpdateBf16StateWasm(rt: WasmRuntime, kind: Bf16StateKind, records: readonly FusedRecord[],
  blocks: readonly (readonly number[])[], key: readonly [number, number], scalars: readonly number[], flags: number): void {
  if (records.length === 0) return;
  const where = `fusedUpdateBf16State(${kind})`;
  const words = 3 + 3 * records[0].state.length;
  const rows = records.map((r, i) => [sizeOf(r.param.shape), viewPtr(r.param, where, rt), viewPtr(r.grad, where, rt),
    ...r.state.map((v) => viewPtr(v!, where, rt)), ...blocks[i].flatMap((b) => [b >>> 0, Math.floor(b / 2 ** 32) >>> 0])]);
  withBlocks(rt, [records.length * words * 4, BF16_SCRATCH], ([table, scratch]) => {
    const rec = rt.views.i32(table, records.length * words);
    rows.forEach((row, i) => rec.set(row, i * words));
    (rt.exports[BF16_MULTI[kind]] as MultiKernel)(records.length, table, scratch, ...scalars, flags, key[0] >>> 0, key[1] >>> 0);
  });
}
