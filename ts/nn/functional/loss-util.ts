// Shared argument handling of the losses: the reduction option, target checks whose messages
// name the loss, expected and received, and class-index validation (host side, before any
// gather can read out of range).

import { check, checkOptions, fmtShape } from '../../errors.js';
import { div, eq, mul, where } from '../../ops/elementwise.js';
import { mean, sum } from '../../ops/reduce.js';
import { assertTensor, describe } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';

export type Reduction = 'none' | 'mean' | 'sum';
export interface ReductionOptions { reduction?: Reduction }

const REDUCTIONS: readonly string[] = ['none', 'mean', 'sum'];

/** Validates option names and the reduction; returns the reduction (default 'mean'). */
export function lossOptions(where: string, opts: object | undefined, allowed: readonly string[], extra: readonly string[] = []): string {
  checkOptions(where, opts, ['reduction', ...allowed]);
  const r = (opts as ReductionOptions | undefined)?.reduction ?? 'mean';
  check(REDUCTIONS.includes(r) || extra.includes(r), 'BAD_OPTION',
    () => `${where}: reduction must be one of ${[...REDUCTIONS, ...extra].map((x) => `'${x}'`).join(', ')}, got ${describe(r)}`);
  return r;
}

/** 'none' → loss itself, 'sum' → Σ, 'mean' → Σ / size. */
export function reduce(loss: Tensor, reduction: string): Tensor {
  if (reduction === 'sum') return sum(loss);
  if (reduction === 'mean') return mean(loss);
  return loss;
}

/**
 * Σ loss / Σ weights (PyTorch's weighted mean). When every target is ignored (Σ weights = 0) the
 * loss is NaN and the gradient 0, as torch: the 0/0 branch is cut off by where(), so its ∞·0 = NaN
 * slope never reaches the input.
 */
export function weightedMean(loss: Tensor, weights: Tensor): Tensor {
  const total = sum(weights);
  const none = eq(total, 0);
  return where(none, NaN, div(sum(loss), where(none, 1, total)));
}

export function floatInput(where: string, x: unknown, name = 'input'): Tensor {
  const t = assertTensor(x, where, name);
  check(t.dtype !== 'i32', 'BAD_DTYPE', () => `${where}: expected ${name} to be a floating tensor, got dtype i32`);
  return t;
}

/** A floating target with exactly the input's shape. */
export function sameShapeTarget(where: string, input: Tensor, target: unknown): Tensor {
  const t = floatInput(where, target, 'target');
  check(t.shape.length === input.shape.length && t.shape.every((n, i) => n === input.shape[i]), 'SHAPE_MISMATCH',
    () => `${where}: target shape ${fmtShape(t.shape)} must equal input shape ${fmtShape(input.shape)}`);
  return t;
}

/** An optional per-class (or broadcastable) weight tensor, floating, with `n` elements on its last dim. */
export function optionalWeight(where: string, name: string, w: unknown, n: number | null): Tensor | null {
  if (w === undefined || w === null) return null;
  const t = floatInput(where, w, name);
  if (n !== null) {
    check(t.ndim === 1 && t.shape[0] === n, 'SHAPE_MISMATCH',
      () => `${where}: ${name} must be a 1-D tensor of ${n} elements (one per class), got shape ${fmtShape(t.shape)}`);
  }
  return t;
}

export function numberOption(where: string, name: string, v: unknown, dflt: number, ok: (x: number) => boolean, want: string): number {
  if (v === undefined) return dflt;
  check(typeof v === 'number' && ok(v), 'BAD_OPTION', () => `${where}: ${name} must be ${want}, got ${describe(v)}`);
  return v;
}

/**
 * Integer class targets of `shape` with values in [0, classes) or equal to ignoreIndex; the
 * values are read on the host so a bad label is an error, never an out-of-range gather.
 */
export function classTarget(where: string, target: unknown, shape: readonly number[], classes: number, ignoreIndex: number | null): Tensor {
  const t = assertTensor(target, where, 'target');
  classValues(where, t, shape, classes, ignoreIndex);
  return t;
}

/** classTarget's check, returning the values it read (the fused cross-entropy needs them once). */
export function classValues(where: string, t: Tensor, shape: readonly number[], classes: number, ignoreIndex: number | null): ArrayLike<number> {
  check(t.dtype === 'i32', 'BAD_DTYPE', () => `${where}: expected class indices of dtype i32 as target, got ${t.dtype}`);
  check(t.shape.length === shape.length && t.shape.every((n, i) => n === shape[i]), 'SHAPE_MISMATCH',
    () => `${where}: target shape ${fmtShape(t.shape)} must be ${fmtShape(shape)} for this input`);
  const v = t.dataSync();
  for (let i = 0; i < v.length; i++) {
    if (v[i] === ignoreIndex) continue;
    check(v[i] >= 0 && v[i] < classes, 'INDEX_OUT_OF_RANGE', () => `${where}: target ${v[i]} at flat position ${i} is out of range ` +
      `for ${classes} classes (expected 0..${classes - 1}${ignoreIndex === null ? '' : ` or ignoreIndex ${ignoreIndex}`})`);
  }
  return v;
}

/** weight·x where a weight is given, else x. */
export const weighted = (x: Tensor, w: Tensor | null): Tensor => (w === null ? x : mul(x, w));
