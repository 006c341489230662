// Broadcasting and its adjoint, in one module because each is the other's gradient: expand's VJP
// sums back (sumTo), sum's VJP expands. Also the reduction machinery every reduction shares, so
// that elementwise and shape ops reach sumTo without importing reduce.ts (no import cycle).

import { inF32IfAutocast } from '../amp/autocast.js';
import type { ReduceOp, View } from '../backend/backend.js';
import { computeDType } from '../dtype.js';
import { attach } from '../autograd/tape.js';
import { check, checkOptions, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { reshape, viewOf } from './shape.js';
import { assertTensor, describe, empty, inCompute, normAxes } from './util.js';

export type Axes = number | readonly number[] | null | undefined;
export interface ReduceOptions { keepdim?: boolean }

export function keptShape(shape: readonly number[], axes: number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((n, i) => (axes.includes(i) ? 1 : n)) : shape.filter((_, i) => !axes.includes(i));
}

export function reduceForward(op: ReduceOp, x: Tensor, axes: number[], keepdim: boolean): Tensor {
  const nReduced = axes.reduce((a, i) => a * x.shape[i], 1);
  check(nReduced > 0 || op === 'sum' || op === 'prod', 'SHAPE_MISMATCH',
    () => `${op}: cannot reduce over a zero-size dimension of a tensor of shape ${fmtShape(x.shape)} (no identity)`);
  const order = [...x.shape.map((_, i) => i).filter((i) => !axes.includes(i)), ...axes];
  const isArg = op === 'argmax' || op === 'argmin';
  return inCompute(x.dtype, [x], ([cx]) => {
    const out = empty(keptShape(x.shape, axes, keepdim), isArg ? 'i32' : computeDType(x.dtype), x.device);
    const moved: View = {
      storage: cx.storage, offset: cx.offset,
      shape: order.map((i) => cx.shape[i]), strides: order.map((i) => cx.strides[i]),
    };
    x.backend.reduce(op, moved, axes.length, out);
    return out;
  });
}

export function parse(where: string, x: Tensor, axes: Axes, opts: ReduceOptions | undefined): [number[], boolean] {
  assertTensor(x, where);
  return [normAxes(axes, x.ndim, where), keepdimOf(where, opts)];
}

export function keepdimOf(where: string, opts: ReduceOptions | undefined): boolean {
  checkOptions(where, opts, ['keepdim']);
  const keepdim = opts?.keepdim ?? false;
  check(typeof keepdim === 'boolean', 'BAD_OPTION', () => `${where}: keepdim must be a boolean, got ${describe(keepdim)}`);
  return keepdim;
}

/** g broadcast back over the reduced axes of `shape`. */
export function unreduce(g: Tensor, shape: readonly number[], axes: number[], keepdim: boolean): Tensor {
  const kd = keepdim ? g : reshape(g, keptShape(shape, axes, true));
  return expand(kd, shape);
}

/** Sum over `axes` (all when omitted). */
export function sum(x: Tensor, axes?: Axes, opts?: ReduceOptions): Tensor {
  const inF32 = inF32IfAutocast(sum, [x, axes, opts]);
  if (inF32 !== null) return inF32;
  const [ax, keepdim] = parse('sum', x, axes, opts);
  const y = reduceForward('sum', x, ax, keepdim);
  return attach(y, [x], (g) => [unreduce(g, x.shape, ax, keepdim)], 'sum');
}


const KEEPDIM: ReduceOptions = Object.freeze({ keepdim: true });

/** Sums `g` down to `shape` (undoing broadcasting); returns g itself when shapes agree. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  // every VJP of a broadcasting op runs this (a bias gradient sums the batch): plain loops
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  if (lead === 0 && axes.length === 0) return g; // the shapes agree
  const s = sum(g, axes, KEEPDIM);
  return lead === 0 ? s : reshape(s, shape);
}

/** Broadcasts to `shape` (-1 keeps a dim) without copying. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  assertTensor(x, 'expand');
  check(Array.isArray(shape) && shape.length >= x.ndim, 'SHAPE_MISMATCH',
    () => `expand: cannot expand shape ${fmtShape(x.shape)} to ${describe(shape)}`);
  const lead = shape.length - x.ndim;
  const target = shape.map((n, i) => (n === -1 && i >= lead ? x.shape[i - lead] : n));
  const strides = target.map((n, i) => {
    const src = i - lead;
    check(Number.isInteger(n) && n >= 0 && (src < 0 || x.shape[src] === n || x.shape[src] === 1), 'SHAPE_MISMATCH',
      () => `expand: cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
    return src < 0 || (x.shape[src] === 1 && n !== 1) ? 0 : x.strides[src];
  });
  return attach(viewOf(x, target, strides), [x], (g) => [sumTo(g, x.shape)], 'expand');
}
