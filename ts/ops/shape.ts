// Shape and layout ops. reshape/view/transpose/permute/slice/expand/squeeze/unsqueeze are views
// sharing storage (no copy); contiguous/clone/to copy. sliceScatter is slice's adjoint.

import type { Device } from '../backend/backend.js';
import { type DType, checkDType, isFloat } from '../dtype.js';
import { DEVICES } from '../backend/backend.js';
import { attach } from '../autograd/tape.js';
import { getBackend } from '../engine.js';
import { check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import { assertTensor, castTo, checkShape, contiguousStrides, describe, empty, normAxes, normAxis, scoped, sizeOf } from './util.js';

/** A view of x's storage (internal: shape and strides already validated). */
export const viewOf = (x: Tensor, shape: readonly number[], strides: readonly number[], offset = x.offset): Tensor =>
  new Tensor(x.storage, shape, strides, offset);

/** Strides that let `shape` view x's elements in row-major order, or null when only a copy can. */
function viewStrides(x: Tensor, shape: readonly number[]): number[] | null {
  if (x.isContiguous() || x.size === 0) return contiguousStrides(shape);
  // Split x's dims into chunks that are contiguous with each other, then map each chunk onto a run
  // of the new dims (PyTorch's computeStride).
  const out = new Array<number>(shape.length);
  let vd = shape.length - 1;
  let base = x.strides[x.ndim - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let td = x.ndim - 1; td >= 0; td--) {
    tensorNumel *= x.shape[td];
    if (td === 0 || (x.shape[td - 1] !== 1 && x.strides[td - 1] !== tensorNumel * base)) {
      while (vd >= 0 && (viewNumel < tensorNumel || shape[vd] === 1)) {
        out[vd] = viewNumel * base;
        viewNumel *= shape[vd];
        vd--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (td > 0) {
        base = x.strides[td - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return vd === -1 ? out : null;
}

function resolveShape(shape: readonly number[], size: number, where: string): number[] {
  check(Array.isArray(shape) && shape.every((n) => Number.isInteger(n) && n >= -1), 'BAD_ARGUMENT',
    () => `${where}: expected a shape of integers (one may be -1), got ${describe(shape)}`);
  const infer = shape.indexOf(-1);
  check(shape.lastIndexOf(-1) === infer, 'BAD_ARGUMENT', () => `${where}: only one dimension can be -1, got ${fmtShape(shape)}`);
  const known = shape.reduce((a, n) => (n === -1 ? a : a * n), 1);
  const out = [...shape];
  if (infer >= 0) {
    check(known > 0 && size % known === 0, 'SHAPE_MISMATCH', () => `${where}: cannot infer -1 in ${fmtShape(shape)} for ${size} elements`);
    out[infer] = size / known;
  }
  check(sizeOf(out) === size, 'SHAPE_MISMATCH', () => `${where}: shape ${fmtShape(shape)} is invalid for a tensor of ${size} elements`);
  return out;
}

/** Same elements in a new shape (one dim may be -1); a view when the layout allows, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  assertTensor(x, 'reshape');
  const s = resolveShape(shape, x.size, 'reshape');
  const st = viewStrides(x, s);
  let y: Tensor;
  if (st) y = viewOf(x, s, st);
  else {
    const c = contiguous(x);
    y = viewOf(c, s, viewStrides(c, s)!);
    c.dispose();
  }
  return attach(y, [x], (g) => [reshape(g, x.shape)], 'reshape');
}

/** Like reshape but never copies: a DescentError when the layout cannot be viewed. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  assertTensor(x, 'view');
  const s = resolveShape(shape, x.size, 'view');
  const st = viewStrides(x, s);
  check(st !== null, 'SHAPE_MISMATCH',
    () => `view: shape ${fmtShape(s)} is not compatible with the strides [${x.strides.join(', ')}] of this tensor; use reshape()`);
  return attach(viewOf(x, s, st), [x], (g) => [reshape(g, x.shape)], 'view');
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  assertTensor(x, 'flatten');
  const a = normAxis(startDim, x.ndim, 'flatten'); // a 0-d tensor takes dims 0 and -1 (torch)
  const b = normAxis(endDim, x.ndim, 'flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  check(a <= b, 'BAD_AXIS', () => `flatten: startDim (${startDim}) must not come after endDim (${endDim})`);
  return reshape(x, [...x.shape.slice(0, a), sizeOf(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)]);
}

/** Drops size-1 dims (all of them, or those in `axes`; a listed dim of size ≠ 1 is kept, as torch). */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  assertTensor(x, 'squeeze');
  const ax = normAxes(axes, x.ndim, 'squeeze');
  return reshape(x, x.shape.filter((n, i) => !(n === 1 && ax.includes(i))));
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  assertTensor(x, 'unsqueeze');
  check(Number.isInteger(axis) && axis >= -(x.ndim + 1) && axis <= x.ndim, 'BAD_AXIS',
    () => `unsqueeze: axis ${String(axis)} is out of range for a ${x.ndim}-d tensor (expected ${-(x.ndim + 1)}..${x.ndim})`);
  const a = axis < 0 ? axis + x.ndim + 1 : axis;
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  assertTensor(x, 'permute');
  check(Array.isArray(dims) && dims.length === x.ndim, 'BAD_AXIS',
    () => `permute: expected ${x.ndim} dims for a tensor of shape ${fmtShape(x.shape)}, got ${describe(dims)}`);
  const p = dims.map((d) => normAxis(d, x.ndim, 'permute'));
  check(new Set(p).size === p.length, 'BAD_AXIS', () => `permute: dims [${dims.join(', ')}] repeat an axis`);
  const y = viewOf(x, p.map((i) => x.shape[i]), p.map((i) => x.strides[i]));
  const inverse = p.map((_, i) => p.indexOf(i));
  return attach(y, [x], (g) => [permute(g, inverse)], 'permute');
}

/** Swaps two dims; with no dims given, a tensor of < 2 dims is returned as a view (torch's t()). */
export function transpose(x: Tensor, dim0?: number, dim1?: number): Tensor {
  assertTensor(x, 'transpose');
  const p = x.shape.map((_, i) => i);
  if (x.ndim < 2 && dim0 === undefined && dim1 === undefined) return permute(x, p);
  const a = normAxis(dim0 ?? 0, x.ndim, 'transpose');
  const b = normAxis(dim1 ?? 1, x.ndim, 'transpose');
  if (x.ndim > 0) [p[a], p[b]] = [p[b], p[a]]; // a 0-d tensor accepts dims -1 and 0, as torch
  return permute(x, p);
}

function sliceRange(x: Tensor, dim: number, start: number, end: number | null | undefined, step: number, where: string) {
  check(x.ndim > 0, 'BAD_AXIS', () => `${where}: cannot slice a 0-d tensor (expected at least 1 dim)`);
  const d = normAxis(dim, x.ndim, where);
  check(Number.isInteger(step) && step > 0, 'BAD_ARGUMENT', () => `${where}: step must be a positive integer, got ${String(step)}`);
  check(Number.isInteger(start) && (end === null || end === undefined || Number.isInteger(end)), 'BAD_ARGUMENT',
    () => `${where}: start and end must be integers, got ${String(start)} and ${String(end)}`);
  const n = x.shape[d];
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = end === null || end === undefined ? n : clampIdx(end);
  return { d, s, len: Math.max(0, Math.ceil((e - s) / step)) };
}

/** x[..., start:end:step, ...] along `dim` (Python slice semantics, negative indices allowed); a view. */
export function slice(x: Tensor, dim: number, start = 0, end?: number | null, step = 1): Tensor {
  assertTensor(x, 'slice');
  const { d, s, len } = sliceRange(x, dim, start, end, step, 'slice');
  const shape = x.shape.map((n, i) => (i === d ? len : n));
  const strides = x.strides.map((st, i) => (i === d ? st * step : st));
  const y = viewOf(x, shape, strides, x.offset + s * x.strides[d]);
  return attach(y, [x], (g) => [sliceScatter(g, x.shape, d, s, step)], 'slice');
}

/** `length` elements along `dim` from `start` (torch.narrow); a view. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  assertTensor(x, 'narrow');
  check(x.ndim > 0, 'BAD_AXIS', () => 'narrow: cannot narrow a 0-d tensor (expected at least 1 dim)');
  const d = normAxis(dim, x.ndim, 'narrow');
  const s = start < 0 ? start + x.shape[d] : start;
  check(Number.isInteger(start) && Number.isInteger(length) && length >= 0 && s >= 0 && s + length <= x.shape[d], 'BAD_ARGUMENT',
    () => `narrow: range start ${start} length ${length} is outside dim ${dim} of size ${x.shape[d]}`);
  return slice(x, d, s, s + length);
}

/** Zeros of `shape` with `g` written into the slice [start::step] of `dim` (slice's adjoint). */
export function sliceScatter(g: Tensor, shape: readonly number[], dim: number, start: number, step = 1): Tensor {
  assertTensor(g, 'sliceScatter', 'src');
  const full = checkShape(shape, 'sliceScatter');
  check(g.ndim > 0 && full.length === g.ndim, 'SHAPE_MISMATCH',
    () => `sliceScatter: expected shape ${fmtShape(full)} to have src's rank ${g.ndim} (at least 1)`);
  dim = normAxis(dim, g.ndim, 'sliceScatter');
  const n = full[dim];
  const len = g.shape[dim];
  check(Number.isInteger(start) && Number.isInteger(step) && start >= 0 && step > 0, 'BAD_ARGUMENT',
    () => `sliceScatter: expected an integer start ≥ 0 and step > 0, got ${String(start)} and ${String(step)}`);
  check(g.shape.every((m, i) => i === dim || m === full[i]) && (len === 0 || start + (len - 1) * step < n), 'SHAPE_MISMATCH',
    () => `sliceScatter: src ${fmtShape(g.shape)} does not fit the slice [${start}::${step}] of dim ${dim} in ${fmtShape(full)}`);
  const out = zeros(full, { dtype: g.dtype, device: g.device });
  const strides = out.strides.map((st, i) => (i === dim ? st * step : st));
  out.backend.copy(g, { storage: out.storage, offset: start * out.strides[dim], shape: g.shape, strides });
  return attach(out, [g], (gg) => [slice(gg, dim, start, start + g.shape[dim] * step, step)], 'sliceScatter');
}


/** x itself when already contiguous, else a contiguous copy (check `isContiguous()` before disposing). */
export function contiguous(x: Tensor): Tensor {
  assertTensor(x, 'contiguous');
  return x.isContiguous() ? x : clone(x);
}

/** A contiguous copy with its own storage. */
export function clone(x: Tensor): Tensor {
  assertTensor(x, 'clone');
  return scoped(() => {
    const out = empty(x.shape, x.dtype, x.device);
    x.backend.copy(x, out); // a failing copy frees out with the scope
    return attach(out, [x], (g) => [g], 'clone');
  });
}

/** A new handle on the same storage that is cut from the graph. */
export function detach(x: Tensor): Tensor {
  assertTensor(x, 'detach');
  return viewOf(x, x.shape, x.strides);
}

/** Converts to a dtype or moves to a device (returns x itself when nothing changes). */
export function to(x: Tensor, target: DType | Device): Tensor {
  assertTensor(x, 'to');
  if ((DEVICES as readonly string[]).includes(target)) return toDevice(x, target as Device);
  const dt = checkDType(target, 'to');
  if (dt === x.dtype) return x;
  const y = castTo(x, dt);
  return isFloat(dt) && isFloat(x.dtype) ? attach(y, [x], (g) => [to(g, x.dtype)], 'cast') : y;
}

function toDevice(x: Tensor, device: Device): Tensor {
  if (device === x.device) return x;
  const dst = getBackend(device);
  const out = new Tensor(dst.alloc(x.dtype, x.size), x.shape);
  dst.write(out.storage, x.backend.read(x));
  return attach(out, [x], (g) => [toDevice(g, x.device)], 'toDevice');
}

