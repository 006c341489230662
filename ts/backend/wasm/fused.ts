// Backend.fusedUpdate on wasm: one f32_<kind>_multi_wasmsimd call over a table of records
// [n, param, grad, ...state] (byte addresses; 0 where a state is unused). An update of at least
// POOL_MIN_UPDATE elements, with a thread pool running, is cut into records of UPDATE_CHUNK
// elements that the pool's threads claim one by one: every element's update is independent and
// the SIMD body equals its scalar tail bit for bit, so the result does not depend on the split.
// fusedUpdateBf16State: f32_<kind>_bf16state_multi_wasmsimd over records [n, param, grad,
// ...state, ...Philox blocks (lo, hi) per state], with a scratch block the kernel widens each chunk of the state into.

import type { Bf16StateKind, FusedRecord, FusedUpdateKind } from '../backend.js';
import type { WasmRuntime } from './runtime.js';
import { viewPtr } from './storage.js';
import { withBlocks } from './scratch.js';
import { sizeOf } from '../view.js';
import { POOL_KERNEL_NAMES, UPDATE_KERNELS } from './pool-part.js';
import { SplitThreshold, poolThreads, runUpdateOnPool } from './threads.js';

/** The common shape of the multi kernels: (count, table, ...their scalars, flags). */
type MultiKernel = (count: number, table: number, ...scalars: number[]) => void;

/**
 * Elements below which an update stays on the calling thread. Measured with `npm run bench --
 * optim --adam-threads` on the quiet 2-core AMD EPYC: Adam's sqrt and two divisions per element
 * keep it compute-bound, so two threads gain from 64K elements (1.17–1.37×) and 1.43–1.47× on the
 * MLP bench's 203,530 parameters.
 */
export const POOL_MIN_UPDATE = 2 ** 16;
const minUpdate = new SplitThreshold('setPoolMinUpdate', 'elements', POOL_MIN_UPDATE);
/** Sets the update split threshold (default POOL_MIN_UPDATE; the optim bench); returns the previous one. */
export const setPoolMinUpdate = (elements: number): number => minUpdate.set(elements);
/** Elements per record of a split update (a multiple of 16: records start on a 64-byte line). */
const UPDATE_CHUNK = 2 ** 14;
/** At most this many parts per job (the pool's claim word counts parts in 16 bits). */
const MAX_PARTS = 4096;

export function fusedUpdateWasm(rt: WasmRuntime, kind: FusedUpdateKind, records: readonly FusedRecord[],
  scalars: readonly number[], flags: number): void {
  if (records.length === 0) return;
  const where = `fusedUpdate(${kind})`;
  const words = 3 + records[0].state.length;
  // validated before the table exists: a bad view throws with nothing written
  let rows = records.map((r) => [sizeOf(r.param.shape), viewPtr(r.param, where, rt), viewPtr(r.grad, where, rt),
    ...r.state.map((v) => (v === null ? 0 : viewPtr(v, where, rt)))]);
  const total = rows.reduce((s, r) => s + r[0], 0);
  const threaded = total >= minUpdate.value && poolThreads() > 1;
  if (threaded) rows = chunked(rows, Math.max(UPDATE_CHUNK, Math.ceil(total / MAX_PARTS / 16) * 16));
  withBlocks(rt, [rows.length * words * 4], ([table]) => {
    const rec = rt.views.i32(table, rows.length * words);
    rows.forEach((row, i) => rec.set(row, i * words));
    const kernel = POOL_KERNEL_NAMES.indexOf(UPDATE_KERNELS[kind]);
    if (threaded && runUpdateOnPool(rt, kernel, table, rows.length, words * 4, scalars, flags)) return;
    (rt.exports[UPDATE_KERNELS[kind]] as MultiKernel)(rows.length, table, ...scalars, flags);
  });
}

/** The records cut into pieces of at most `chunk` elements (addresses advanced; 0 stays 0). */
function chunked(rows: number[][], chunk: number): number[][] {
  return rows.flatMap((row) => {
    const pieces: number[][] = [];
    for (let off = 0; off < row[0]; off += chunk) {
      pieces.push([Math.min(chunk, row[0] - off), ...row.slice(1).map((ptr) => (ptr === 0 ? 0 : ptr + off * 4))]);
    }
    return pieces;
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
