// Shape arithmetic of views, shared by tensors, the op layer and every device.

import type { View } from './backend.js';

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, n) => p * n, 1);

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
