// Tensor creation: from JS data, constant fills, ranges, identity and seeded random tensors.
// Defaults: dtype f32 (arange: i32 when every argument is an integer, as torch.arange), device =
// the default device chosen by init().

import type { Device } from '../backend/backend.js';
import { DEVICES } from '../backend/backend.js';
import { BYTES, type DType, checkDType, encode } from '../dtype.js';
import { getBackend, getDefaultDevice } from '../engine.js';
import { DescentError, check, checkOptions } from '../errors.js';
import { type NestedArray, Tensor } from '../tensor.js';
import { integers, normals, uniforms } from './random.js';
import { assertTensor, checkShape, describe, sizeOf } from './util.js';

export interface CreateOptions { dtype?: DType; device?: Device; requiresGrad?: boolean }
const CREATE_KEYS = ['dtype', 'device', 'requiresGrad'];

function resolve(where: string, opts: CreateOptions | undefined, defaultDType: DType = 'f32', extra: string[] = []) {
  checkOptions(where, opts, [...CREATE_KEYS, ...extra]);
  const dtype = opts?.dtype === undefined ? defaultDType : checkDType(opts.dtype, where);
  const device = opts?.device ?? getDefaultDevice();
  check((DEVICES as readonly string[]).includes(device), 'BAD_OPTION',
    () => `${where}: unknown device '${String(device)}'; expected one of ${DEVICES.join(', ')}`);
  const requiresGrad = opts?.requiresGrad ?? false;
  check(typeof requiresGrad === 'boolean', 'BAD_OPTION', () => `${where}: requiresGrad must be a boolean, got ${describe(requiresGrad)}`);
  check(!requiresGrad || dtype !== 'i32', 'BAD_DTYPE', () => `${where}: only floating-point tensors can require gradients, got dtype i32`);
  return { dtype, device, requiresGrad };
}

/** i32 storage takes finite values whose truncation fits 32 bits (torch: 'cannot be converted without overflow'). */
function checkInt32(where: string, values: ArrayLike<number>): void {
  if (values instanceof Int32Array) return;
  for (let i = 0; i < values.length; i++) {
    const v = Math.trunc(values[i]);
    check(v >= -2147483648 && v <= 2147483647, 'INVALID_DATA',
      () => `${where}: value ${values[i]} at flat position ${i} does not fit dtype i32 (expected a finite number in [-2^31, 2^31 - 1])`);
  }
}

/** Largest tensor a device can hold: wasm32 addresses 4 GiB; host typed arrays stop near 2^32 elements. */
const MAX_BYTES = 2 ** 32;

/**
 * Builds `n` host values (or a tensor of n elements) with `build`, turning sizes no device can hold
 * and the engine's own RangeError (a typed array too long to allocate) into OUT_OF_MEMORY, checked
 * before any value is generated.
 */
function sized<T>(where: string, n: number, dtype: DType, build: () => T): T {
  const tooBig = (): DescentError => new DescentError('OUT_OF_MEMORY',
    `${where}: ${n} elements of ${dtype} (${n * BYTES[dtype]} bytes) do not fit in memory (at most ${MAX_BYTES} bytes per tensor)`);
  if (n * BYTES[dtype] > MAX_BYTES) throw tooBig();
  try {
    return build();
  } catch (e) {
    if (e instanceof RangeError) throw tooBig();
    throw e;
  }
}

function make(where: string, shape: readonly number[], values: ArrayLike<number>, o: ReturnType<typeof resolve>): Tensor {
  if (o.dtype === 'i32') checkInt32(where, values);
  const b = getBackend(o.device);
  const t = new Tensor(b.alloc(o.dtype, values.length), shape);
  b.write(t.storage, encode(o.dtype, values));
  t.requiresGrad = o.requiresGrad;
  return t;
}

function filled(where: string, shape: unknown, value: number, opts: CreateOptions | undefined): Tensor {
  const s = checkShape(shape, where);
  const o = resolve(where, opts);
  if (o.dtype === 'i32') checkInt32(where, [value]);
  const b = getBackend(o.device);
  const t = new Tensor(sized(where, sizeOf(s), o.dtype, () => b.alloc(o.dtype, sizeOf(s))), s);
  b.fill(t.storage, value);
  t.requiresGrad = o.requiresGrad;
  return t;
}

type TypedInput = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array | Uint8ClampedArray;

function flattenNested(data: NestedArray, where: string): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  for (let d: NestedArray = data; Array.isArray(d); d = d[0]) {
    shape.push(d.length);
    if (d.length === 0) break;
  }
  const values: number[] = [];
  const walk = (x: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      check(typeof x === 'number' || typeof x === 'boolean', 'INVALID_DATA',
        () => `${where}: expected a number at ${path || 'the top level'}, got ${describe(x)}${Array.isArray(x) ? ' (ragged nesting)' : ''}`);
      values.push(Number(x));
      return;
    }
    check(Array.isArray(x) && x.length === shape[dim], 'INVALID_DATA',
      () => `${where}: ragged nested array: expected length ${shape[dim]} at ${path || 'the top level'}, got ${Array.isArray(x) ? `length ${x.length}` : describe(x)}`);
    (x as NestedArray[]).forEach((e, i) => walk(e, dim + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  return { shape, values };
}

/**
 * A tensor from a number, a nested array or a typed array.
 * @example d.tensor([[1, 2], [3, 4]], { dtype: 'f64', requiresGrad: true })
 */
export function tensor(data: NestedArray | TypedInput, opts?: CreateOptions & { shape?: number[] }): Tensor {
  if (ArrayBuffer.isView(data)) {
    const inferred: DType = data instanceof Float64Array ? 'f64' : data instanceof Int32Array ? 'i32' : 'f32';
    const o = resolve('tensor', opts, inferred, ['shape']);
    const shape = opts?.shape === undefined ? [data.length] : checkShape(opts.shape, 'tensor');
    check(sizeOf(shape) === data.length, 'SHAPE_MISMATCH', () => `tensor: shape [${shape.join(', ')}] needs ${sizeOf(shape)} values, got ${data.length}`);
    return make('tensor', shape, data as ArrayLike<number>, o);
  }
  check(typeof data === 'number' || typeof data === 'boolean' || Array.isArray(data), 'INVALID_DATA',
    () => `tensor: expected a number, a nested array or a typed array, got ${describe(data)}`);
  const o = resolve('tensor', opts, 'f32', ['shape']);
  check(opts?.shape === undefined, 'BAD_OPTION', () => 'tensor: the shape option applies to typed arrays only; nested arrays carry their shape');
  const { shape, values } = flattenNested(data, 'tensor');
  return make('tensor', shape, values, o);
}

export const zeros = (shape: readonly number[], opts?: CreateOptions): Tensor => filled('zeros', shape, 0, opts);
export const ones = (shape: readonly number[], opts?: CreateOptions): Tensor => filled('ones', shape, 1, opts);
export function full(shape: readonly number[], value: number, opts?: CreateOptions): Tensor {
  check(typeof value === 'number', 'BAD_ARGUMENT', () => `full: expected a number fill value, got ${describe(value)}`);
  return filled('full', shape, value, opts);
}

/** x's shape and x's dtype and device under `opts` (checked first, so a non-tensor x is a DescentError). */
function like(where: string, x: Tensor, opts?: CreateOptions): [readonly number[], CreateOptions] {
  assertTensor(x, where);
  return [x.shape, { dtype: x.dtype, device: x.device, ...opts }];
}
export const zerosLike = (x: Tensor, opts?: CreateOptions): Tensor => zeros(...like('zerosLike', x, opts));
export const onesLike = (x: Tensor, opts?: CreateOptions): Tensor => ones(...like('onesLike', x, opts));
export function fullLike(x: Tensor, value: number, opts?: CreateOptions): Tensor {
  const [shape, o] = like('fullLike', x, opts);
  return full(shape, value, o);
}

/** Values start, start+step, ... below end (torch.arange); `arange(n)` is 0..n-1. */
export function arange(start: number, end?: number, step = 1, opts?: CreateOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  for (const v of [start, end, step]) {
    check(typeof v === 'number' && Number.isFinite(v), 'BAD_ARGUMENT', () => `arange: expected finite numbers, got ${describe(v)}`);
  }
  check(step !== 0, 'BAD_ARGUMENT', () => 'arange: step must be nonzero');
  check((end - start) * step >= 0, 'BAD_ARGUMENT', () => `arange: step ${step} moves away from end (${start} → ${end})`);
  const allInt = [start, end, step].every(Number.isInteger);
  const o = resolve('arange', opts, allInt ? 'i32' : 'f32');
  const n = Math.ceil((end - start) / step);
  return make('arange', [n], sized('arange', n, o.dtype, () => Array.from({ length: n }, (_, i) => start + i * step)), o);
}

/** `steps` evenly spaced values from start to end inclusive, computed symmetrically as torch does. */
export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  check(Number.isInteger(steps) && steps >= 0, 'BAD_ARGUMENT', () => `linspace: steps must be a non-negative integer, got ${describe(steps)}`);
  const o = resolve('linspace', opts);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // torch fills the first half from start and the rest from end; one step is [start], as torch gives
  const half = steps === 1 ? 1 : Math.floor(steps / 2);
  return make('linspace', [steps],
    sized('linspace', steps, o.dtype, () => Array.from({ length: steps }, (_, i) => (i < half ? start + i * step : end - (steps - 1 - i) * step))), o);
}

/** n×m identity (m defaults to n). */
export function eye(n: number, m = n, opts?: CreateOptions): Tensor {
  check(Number.isInteger(n) && n >= 0 && Number.isInteger(m) && m >= 0, 'BAD_ARGUMENT', () => `eye: expected non-negative integer sizes, got ${n} and ${m}`);
  const o = resolve('eye', opts);
  const v = sized('eye', n * m, o.dtype, () => new Float64Array(n * m));
  for (let i = 0; i < Math.min(n, m); i++) v[i * m + i] = 1;
  return make('eye', [n, m], v, o);
}

function randomTensor(where: string, shape: readonly number[], opts: CreateOptions | undefined, gen: (n: number, f64: boolean) => Float64Array): Tensor {
  const s = checkShape(shape, where);
  const o = resolve(where, opts);
  check(o.dtype !== 'i32', 'BAD_DTYPE', () => `${where}: expected a floating dtype, got i32 (use randint)`);
  return make(where, s, sized(where, sizeOf(s), o.dtype, () => gen(sizeOf(s), o.dtype === 'f64')), o);
}

/** Uniform [0, 1) from the seeded Philox stream (see manualSeed). */
export const rand = (shape: readonly number[], opts?: CreateOptions): Tensor => randomTensor('rand', shape, opts, uniforms);
/** Standard normal from the seeded Philox stream. */
export const randn = (shape: readonly number[], opts?: CreateOptions): Tensor => randomTensor('randn', shape, opts, normals);
export const randLike = (x: Tensor, opts?: CreateOptions): Tensor => rand(...like('randLike', x, opts));
export const randnLike = (x: Tensor, opts?: CreateOptions): Tensor => randn(...like('randnLike', x, opts));

/** Integers uniform in [low, high); dtype i32 unless asked otherwise. */
export function randint(low: number, high: number, shape: readonly number[], opts?: CreateOptions): Tensor {
  check(Number.isInteger(low) && Number.isInteger(high) && high > low, 'BAD_ARGUMENT',
    () => `randint: expected integers low < high, got ${describe(low)} and ${describe(high)}`);
  const s = checkShape(shape, 'randint');
  const o = resolve('randint', opts, 'i32');
  return make('randint', s, sized('randint', sizeOf(s), o.dtype, () => integers(sizeOf(s), low, high)), o);
}
