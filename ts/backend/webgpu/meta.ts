// Host side of the uniform block (layout in wgsl.ts): shapes collapsed with the wasm device's
// rule (size-1 dims dropped, neighbours merged where every operand is contiguous across them),
// strides, offsets and kernel-specific words.

import type { View } from '../backend.js';
import { DescentError } from '../../errors.js';
import { collapse } from '../view.js';
import { MAX_RANK, W_COUNT, W_EXTRA, W_OFFSETS, W_RANK, W_SHAPE, W_STRIDE, W_STRIDES } from './wgsl.js';
import { MAX_GROUPS, WORKGROUP } from './queue.js';

export { sizeOf } from '../view.js';
import { sizeOf } from '../view.js';

/** Invocations a grid-stride kernel over `count` items launches: [workgroups, total threads]. */
export function grid(count: number, perGroup = WORKGROUP): [number, number] {
  const groups = Math.max(1, Math.min(MAX_GROUPS, Math.ceil(count / perGroup)));
  return [groups, groups * perGroup];
}

/** A uniform block for an N-d walk of `shape` over the operands' strides and offsets. */
export function ndWords(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[], count: number, threads: number): Uint32Array {
  const c = collapse(shape, strides);
  if (c.shape.length > MAX_RANK) {
    throw new DescentError('UNSUPPORTED', `webgpu: views of more than ${MAX_RANK} non-mergeable dims are not supported, got shape [${shape.join(', ')}]`);
  }
  const w = new Uint32Array(64);
  w[W_COUNT] = count;
  w[W_RANK] = c.shape.length;
  w[W_STRIDE] = threads;
  c.shape.forEach((n, d) => { w[W_SHAPE + d] = n; });
  c.strides.forEach((st, k) => st.forEach((s, d) => { w[W_STRIDES + 8 * k + d] = s; }));
  offsets.forEach((o, k) => { w[W_OFFSETS + k] = o; });
  return w;
}

/** Words for elementwise kernels: every operand walked over `shape` (out is the last operand). */
export function elementwiseWords(shape: readonly number[], views: readonly View[]): { words: Uint32Array; groups: number } {
  const n = sizeOf(shape);
  const [groups, threads] = grid(n);
  return { words: ndWords(shape, views.map((v) => v.strides), views.map((v) => v.offset), n, threads), groups };
}

/** Sets kernel-specific word `i` (0-based after W_EXTRA) as u32, i32 or f32 bits. */
export function setExtra(w: Uint32Array, i: number, value: number, as: 'u32' | 'i32' | 'f32' = 'u32'): void {
  if (as === 'f32') new Float32Array(w.buffer, (W_EXTRA + i) * 4, 1)[0] = value;
  else if (as === 'i32') new Int32Array(w.buffer, (W_EXTRA + i) * 4, 1)[0] = value;
  else w[W_EXTRA + i] = value;
}
