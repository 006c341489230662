// Shape arithmetic of views, shared by tensors, the op layer and every device.

import type { View } from './backend.js';

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d];
  return n;
}

/** Row-major strides (in elements) of a contiguous view of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) { st[d] = s; s *= shape[d]; }
  return st;
}

/** Whether a view's elements are laid out row-major without gaps (dims of size ≤ 1 take any stride). */
export function isContiguous(v: Pick<View, 'shape' | 'strides'>): boolean {
  let acc = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    if (v.shape[d] > 1 && v.strides[d] !== acc) return false;
    acc *= v.shape[d];
  }
  return true;
}

export interface Strided {
  shape: number[];
  /** strides[k][d]: operand k's stride along dim d, in elements. */
  strides: number[][];
}

/**
 * Drops size-1 dims and merges neighbours that are contiguous for every operand
 * (stride[d-1] = stride[d]·shape[d]), so a contiguous or simply broadcast tensor becomes one long
 * row. Always returns at least one dim; a 0 anywhere in shape becomes shape [0].
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Strided {
  const nops = strides.length;
  const outStrides: number[][] = [];
  for (let k = 0; k < nops; k++) outStrides.push([]);
  if (shape.includes(0)) {
    for (const s of outStrides) s.push(0);
    return { shape: [0], strides: outStrides };
  }
  const outShape: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    for (let k = 0; k < nops && merge; k++) merge = outStrides[k][last] === strides[k][d] * shape[d];
    if (merge) {
      outShape[last] *= shape[d];
      for (let k = 0; k < nops; k++) outStrides[k][last] = strides[k][d];
    } else {
      outShape.push(shape[d]);
      for (let k = 0; k < nops; k++) outStrides[k].push(strides[k][d]);
    }
  }
  if (outShape.length === 0) {
    for (const s of outStrides) s.push(0);
    return { shape: [1], strides: outStrides };
  }
  return { shape: outShape, strides: outStrides };
}
