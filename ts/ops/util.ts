// Shared helpers of the op layer: argument checks, broadcasting, axis normalization, dtype
// casting around kernels and result allocation. Kernels themselves never see user input.

import type { Device, View } from '../backend/backend.js';
import { contiguousStrides, sizeOf } from '../backend/view.js';
import { type DType, computeDType, encode } from '../dtype.js';
import { getBackend, mismatchCause, popScope, pushScope } from '../engine.js';
import { DescentError, check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';

export type TensorLike = Tensor | number;

export function assertTensor(x: unknown, where: string, name = 'argument'): Tensor {
  check(x instanceof Tensor, 'BAD_ARGUMENT', () => `${where}: expected ${name} to be a Tensor, got ${describe(x)}`);
  x.storage; // throws DISPOSED if disposed
  return x;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (x instanceof Tensor) return `Tensor(${fmtShape(x.shape)}, ${x.isDisposed ? 'disposed' : `${x.dtype}, ${x.device}`})`;
  return typeof x === 'object' ? (x.constructor?.name ?? 'object') : `${typeof x} ${String(x)}`;
}

/** A fresh contiguous tensor of `shape` on `device` (contents unspecified). */
export function empty(shape: readonly number[], dtype: DType, device: Device): Tensor {
  return new Tensor(getBackend(device).alloc(dtype, sizeOf(shape)), shape);
}

/** 0-d tensor holding `v`, used to lift JS numbers into binary ops. */
export function scalar(v: number, dtype: DType, device: Device): Tensor {
  const t = empty([], dtype, device);
  getBackend(device).write(t.storage, encode(dtype, [v]));
  return t;
}

/** Lifts numbers next to a tensor operand: a number takes the tensor's dtype unless it is a
 * fractional value next to an i32 tensor (then f32), as PyTorch does with Python scalars. The
 * lifted 0-d tensors belong to the caller's scope (see `scoped`). */
export function liftPair(a: TensorLike, b: TensorLike, where: string): [Tensor, Tensor] {
  const lift = (x: TensorLike, other: TensorLike, name: string): Tensor => {
    if (x instanceof Tensor) return assertTensor(x, where, name);
    check(typeof x === 'number' || typeof x === 'boolean', 'BAD_ARGUMENT',
      () => `${where}: expected ${name} to be a Tensor or a number, got ${describe(x)}`);
    check(other instanceof Tensor, 'BAD_ARGUMENT', () => `${where}: at least one operand must be a Tensor`);
    const o = assertTensor(other, where);
    const v = Number(x);
    const dt: DType = o.dtype === 'i32' && !Number.isInteger(v) ? 'f32' : o.dtype;
    return scalar(v, dt, o.device);
  };
  return [lift(a, b, 'first operand'), lift(b, a, 'second operand')];
}

export function checkSameDevice(where: string, ...ts: Tensor[]): Device {
  const d = ts[0].device;
  for (const t of ts) {
    check(t.device === d, 'DEVICE_MISMATCH',
      () => `${where}: all tensors must be on one device, got '${d}' and '${t.device}'${mismatchCause(ts[0], t)}; move one with .to()`);
  }
  return d;
}

export function broadcastShapes(where: string, ...shapes: (readonly number[])[]): number[] {
  let nd = 0;
  for (const s of shapes) nd = Math.max(nd, s.length);
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = nd - s.length + i;
      if (s[i] === out[j] || s[i] === 1) continue;
      if (out[j] !== 1) {
        throw new DescentError('SHAPE_MISMATCH',
          `${where}: shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together (dim ${j - nd}: ${out[j]} vs ${s[i]})`);
      }
      out[j] = s[i];
    }
  }
  return out;
}

/** The view of `t` broadcast to `shape` (stride 0 on new or size-1 dims); no copy. */
export function broadcastView(t: View, shape: readonly number[]): View {
  const nd = shape.length;
  const lead = nd - t.shape.length;
  const strides = new Array<number>(nd);
  for (let j = 0; j < nd; j++) strides[j] = j < lead || (t.shape[j - lead] === 1 && shape[j] !== 1) ? 0 : t.strides[j - lead];
  return { storage: t.storage, offset: t.offset, shape, strides };
}

export function normAxis(axis: number, ndim: number, where: string): number {
  check(Number.isInteger(axis), 'BAD_AXIS', () => `${where}: expected an integer axis, got ${String(axis)}`);
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  check(axis >= lo && axis <= hi, 'BAD_AXIS',
    () => `${where}: axis ${axis} is out of range for a ${ndim}-d tensor (expected ${lo}..${hi})`);
  return axis < 0 ? axis + Math.max(ndim, 1) : axis;
}

/** Normalized, sorted, de-duplicated axes; undefined means all axes. */
export function normAxes(axes: number | readonly number[] | undefined | null, ndim: number, where: string): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  check(Array.isArray(list), 'BAD_AXIS', () => `${where}: expected an axis or an array of axes, got ${describe(axes)}`);
  const out = list.map((a) => normAxis(a, ndim, where));
  check(new Set(out).size === out.length, 'BAD_AXIS', () => `${where}: axis repeated in [${list.join(', ')}]`);
  return ndim === 0 ? [] : out.sort((a, b) => a - b);
}

export function checkShape(shape: unknown, where: string): number[] {
  check(Array.isArray(shape) && shape.every((n) => Number.isInteger(n) && n >= 0), 'BAD_ARGUMENT',
    () => `${where}: expected a shape (array of non-negative integers), got ${Array.isArray(shape) ? fmtShape(shape as number[]) : describe(shape)}`);
  return [...(shape as number[])];
}

/** A contiguous tensor with `dtype` holding t's values (t itself when nothing needs doing). */
export function castTo(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype && t.isContiguous()) return t;
  const out = empty(t.shape, dtype, t.device);
  t.backend.copy(t, out);
  return out;
}

/**
 * Runs a kernel in the compute dtype of `dtype`: converts `inputs` when they are halves or of
 * another dtype, and rounds the result back to `dtype`. Temporaries are freed here, also when
 * the kernel throws.
 */
export function inCompute(dtype: DType, inputs: Tensor[], run: (xs: Tensor[], cdt: DType) => Tensor): Tensor {
  return scoped(() => {
    const cdt = computeDType(dtype);
    const r = run(inputs.map((x) => (x.dtype === cdt ? x : castTo(x, cdt))), cdt);
    return r.dtype === dtype || r.dtype === 'i32' ? r : castTo(r, dtype);
  });
}

/**
 * Runs an op body in its own tidy scope: temporaries it makes (lifted scalars, casts, the inner
 * steps of a composed op) are freed, on success and when it throws, and only the result survives.
 * Graph nodes hold what a backward needs, so freeing here cannot break autograd.
 */
export function scoped<T extends Tensor>(fn: () => T): T {
  pushScope();
  let r: T;
  try {
    r = fn();
  } catch (e) {
    popScope();
    throw e;
  }
  popScope(r);
  return r;
}

export { contiguousStrides, sizeOf };
