// Wasm storages (a block of the runtime's memory) and the checks that keep every pointer handed to
// a kernel inside a live block: a bad view becomes a DescentError here, never a wasm trap.

import type { Storage, View } from '../backend.js';
import { BYTES, type DType } from '../../dtype.js';
import { DescentError, fmtShape } from '../../errors.js';

export interface WasmStorage extends Storage {
  readonly device: 'wasm';
  /** Byte address of element 0; -1 once freed. */
  ptr: number;
  /** The runtime whose memory holds it (a storage is meaningless in another runtime's memory). */
  readonly owner?: object;
}

/** Checks a storage is a live wasm block (of runtime `owner`, when given). */
export function asWasm(s: Storage, where: string, owner?: object): WasmStorage {
  if (s.device !== 'wasm') throw new DescentError('DEVICE_MISMATCH', `${where}: expected a 'wasm' storage, got '${s.device}'`);
  const w = s as WasmStorage;
  if (w.ptr < 0) throw new DescentError('DISPOSED', `${where}: the storage was freed`);
  if (owner !== undefined && w.owner !== undefined && w.owner !== owner) throw new DescentError('DEVICE_MISMATCH',
    `${where}: this tensor lives in the memory of another wasm runtime (init({ build }) replaced the one it was made in), `
      + 'so it can only be disposed now. Re-create it after init, or keep values across a re-init by moving them with '
      + ".to('reference') before it and back with .to('wasm') after");
  return w;
}

/**
 * Validates a view against its storage; returns the byte address of its element 0. Runs for every
 * operand of every kernel call, so it throws directly instead of building message closures.
 */
export function viewPtr(v: View, where: string, owner?: object): number {
  const s = asWasm(v.storage, where, owner);
  const { shape, strides, offset } = v;
  if (shape.length !== strides.length) {
    throw new DescentError('BAD_ARGUMENT', `${where}: shape ${fmtShape(shape)} and strides ${fmtShape(strides)} differ in rank`);
  }
  let last = offset;
  let empty = false;
  for (let d = 0; d < shape.length; d++) {
    if (!(Number.isInteger(shape[d]) && shape[d] >= 0 && Number.isInteger(strides[d]) && strides[d] >= 0)) {
      throw new DescentError('BAD_ARGUMENT', `${where}: expected non-negative integer shape/strides, got ${fmtShape(shape)} / ${fmtShape(strides)}`);
    }
    if (shape[d] === 0) empty = true;
    else last += (shape[d] - 1) * strides[d];
  }
  if (!(Number.isInteger(offset) && offset >= 0 && (empty || last < s.size))) throw new DescentError('INDEX_OUT_OF_RANGE',
    `${where}: view (offset ${offset}, shape ${fmtShape(shape)}, strides ${fmtShape(strides)}) reaches element ${last}, storage has ${s.size}`);
  return s.ptr + offset * BYTES[s.dtype];
}

export function checkDType(got: DType, want: DType | readonly DType[], where: string, what: string): void {
  const ok = typeof want === 'string' ? got === want : want.includes(got);
  if (!ok) throw new DescentError('BAD_DTYPE', `${where}: expected ${what} of dtype ${String(want)}, got ${got}`);
}

export function checkShapes(a: readonly number[], b: readonly number[], where: string): void {
  let same = a.length === b.length;
  for (let i = 0; same && i < a.length; i++) same = a[i] === b[i];
  if (!same) throw new DescentError('SHAPE_MISMATCH', `${where}: expected shape ${fmtShape(b)}, got ${fmtShape(a)}`);
}
