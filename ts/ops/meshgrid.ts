// meshgrid: coordinate grids from vectors, as broadcast views (no copies); the gradient of each
// grid sums back onto its vector through expand's VJP.

import { check, checkOptions, fmtShape } from '../errors.js';
import { tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './shape.js';
import { assertTensor, checkSameDevice, describe } from './util.js';

export interface MeshgridOptions { indexing?: 'ij' | 'xy' }

/**
 * Grids of the given vectors (0-d or 1-d), one per input, each of shape [n0, n1, ...]. With
 * indexing 'ij' (default) input i varies along dim i; 'xy' (Cartesian) swaps the first two dims.
 * @example const [xs, ys] = d.meshgrid([d.arange(3), d.arange(2)], { indexing: 'xy' })  // shapes [2, 3]
 */
export function meshgrid(tensors: readonly Tensor[], opts?: MeshgridOptions): Tensor[] {
  check(Array.isArray(tensors) && tensors.length > 0, 'BAD_ARGUMENT', () => `meshgrid: expected a non-empty array of tensors, got ${describe(tensors)}`);
  tensors.forEach((t, i) => {
    assertTensor(t, 'meshgrid', `tensors[${i}]`);
    check(t.ndim <= 1, 'SHAPE_MISMATCH', () => `meshgrid: expected 0-d or 1-d tensors, got shape ${fmtShape(t.shape)} at position ${i}`);
    check(t.dtype === tensors[0].dtype, 'BAD_DTYPE', () => `meshgrid: expected one dtype, got ${tensors[0].dtype} and ${t.dtype} (position ${i})`);
  });
  checkSameDevice('meshgrid', ...tensors);
  checkOptions('meshgrid', opts, ['indexing']);
  const indexing = opts?.indexing ?? 'ij';
  check(indexing === 'ij' || indexing === 'xy', 'BAD_OPTION', () => `meshgrid: indexing must be 'ij' or 'xy', got ${describe(indexing)}`);
  const sizes = tensors.map((t) => t.size);
  const dimOf = (i: number): number => (indexing === 'xy' && tensors.length > 1 && i < 2 ? 1 - i : i);
  const shape = sizes.map((_, k) => sizes[tensors.findIndex((_t, i) => dimOf(i) === k)]);
  return tidy(() => tensors.map((t, i) => reshape(t, shape.map((n, k) => (k === dimOf(i) ? n : 1))).expand(shape)));
}
