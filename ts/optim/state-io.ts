// JSON encoding of optimizer state: tensors become {dtype, shape, data} with non-finite values
// spelled as strings (JSON has no NaN/Infinity). Every finite double, and so every f32/f16/bf16
// value, survives JSON.stringify/parse exactly, which is what makes a save/load round trip resume
// bit-identically.

import { DescentError, check } from '../errors.js';
import type { Device } from '../backend/backend.js';
import { type DType, isDType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import type { ParamState, StateValue } from './transform.js';

export interface EncodedTensor { dtype: DType; shape: number[]; data: (number | string)[] }
export type EncodedValue = number | null | { tensor: EncodedTensor } | EncodedState;
export interface EncodedState { [key: string]: EncodedValue }

const encodeNumber = (x: number): number | string => (Number.isFinite(x) ? x : String(x));
const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
/** A JSON number, or the string spelling of a non-finite one; anything else ('abc', '', null, true) is an error. */
function decodeNumber(x: unknown, at: string): number {
  const n = typeof x === 'number' ? x : typeof x === 'string' ? SPECIAL[x] : undefined;
  if (n === undefined) throw new DescentError('BAD_ARGUMENT', `${at}: expected a number (or "NaN", "Infinity", "-Infinity"), got ${JSON.stringify(x)}`);
  return n;
}

export function encodeState(s: ParamState): EncodedState {
  const out: EncodedState = {};
  for (const [k, v] of Object.entries(s)) out[k] = encodeValue(v);
  return out;
}

function encodeValue(v: StateValue): EncodedValue {
  if (v === null || typeof v === 'number') return v;
  if (v instanceof Tensor) {
    return { tensor: { dtype: v.dtype, shape: [...v.shape], data: Array.from(v.dataSync(), encodeNumber) } };
  }
  return encodeState(v);
}

/** Rebuilds state tensors on `device` (the parameter's), checking dtypes and element counts. */
export function decodeState(e: unknown, device: Device, where: string): ParamState {
  check(e !== null && typeof e === 'object' && !Array.isArray(e), 'BAD_ARGUMENT',
    () => `${where}: expected a state object, got ${JSON.stringify(e)?.slice(0, 60)}`);
  const out: ParamState = {};
  try {
    for (const [k, v] of Object.entries(e as Record<string, unknown>)) out[k] = decodeValue(v, device, `${where}.${k}`);
  } catch (err) {
    for (const t of tensorsIn(out)) t.dispose(); // a bad later value frees the tensors decoded before it
    throw err;
  }
  return out;
}

function decodeValue(v: unknown, device: Device, where: string): StateValue {
  if (v === null || typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'tensor' in v) {
    const t = (v as { tensor: EncodedTensor }).tensor;
    check(isDType(t?.dtype) && Array.isArray(t.shape) && Array.isArray(t.data)
      && t.data.length === t.shape.reduce((a, b) => a * b, 1), 'BAD_ARGUMENT',
    () => `${where}: expected an encoded tensor {dtype, shape, data} with matching size`);
    const values = Float64Array.from(t.data, (x, i) => decodeNumber(x, `${where}.data[${i}]`));
    const data = t.dtype === 'f64' ? values : t.dtype === 'i32' ? Int32Array.from(values) : Float32Array.from(values);
    return t.dtype === 'f64' || t.dtype === 'f32' || t.dtype === 'i32'
      ? tensor(data, { shape: t.shape, device })
      : tensor(data, { shape: t.shape, device, dtype: t.dtype });
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return decodeState(v, device, where);
  throw new DescentError('BAD_ARGUMENT', `${where}: expected a number, null, a tensor or a nested state, got ${JSON.stringify(v)}`);
}

/** Every tensor reachable from a state (for freeing what an update replaced). */
export function tensorsIn(s: StateValue, into: Set<Tensor> = new Set()): Set<Tensor> {
  if (s instanceof Tensor) into.add(s);
  else if (s !== null && typeof s === 'object') for (const v of Object.values(s)) tensorsIn(v, into);
  return into;
}
