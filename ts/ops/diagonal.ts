// Diagonals: `diagonal` is a strided view of the (dim1, dim2) planes (stride s1 + s2, no copy);
// its adjoint `diagonalScatter` writes a vector onto the diagonal of zeros. Each is the other's
// VJP. `diag` is torch.diag: vector → matrix (scatter) and matrix → vector (view).

import type { View } from '../backend/backend.js';
import { attach } from '../autograd/tape.js';
import { check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import { clone } from './shape.js';
import { assertTensor, describe, normAxis, scoped } from './util.js';

/** Where the diagonal at `offset` of dims (a, b) of a layout lives, as a view with the diagonal last. */
function diagonalLayout(v: View, offset: number, a: number, b: number): View {
  const len = Math.max(0, offset >= 0 ? Math.min(v.shape[a], v.shape[b] - offset) : Math.min(v.shape[a] + offset, v.shape[b]));
  const start = len === 0 ? 0 : offset >= 0 ? offset * v.strides[b] : -offset * v.strides[a];
  const rest = v.shape.map((_, i) => i).filter((i) => i !== a && i !== b);
  return {
    storage: v.storage, offset: v.offset + start,
    shape: [...rest.map((i) => v.shape[i]), len], strides: [...rest.map((i) => v.strides[i]), v.strides[a] + v.strides[b]],
  };
}

function diagonalView(x: Tensor, offset: number, a: number, b: number): Tensor {
  const l = diagonalLayout(x, offset, a, b);
  const y = new Tensor(x.storage, l.shape, l.strides, l.offset);
  return attach(y, [x], (g) => [diagonalScatter(g, x.shape, offset, a, b)], 'diagonal');
}

/** Zeros of `shape` with g (shaped as diagonalView's result) written on the diagonal. */
function diagonalScatter(g: Tensor, shape: readonly number[], offset: number, a: number, b: number): Tensor {
  const out = zeros(shape, { dtype: g.dtype, device: g.device });
  out.backend.copy(g, diagonalLayout(out, offset, a, b));
  return attach(out, [g], (gg) => [diagonalView(gg, offset, a, b)], 'diagonalScatter');
}

function checkOffset(where: string, offset: number): void {
  check(Number.isInteger(offset), 'BAD_ARGUMENT', () => `${where}: expected an integer diagonal offset, got ${describe(offset)}`);
}

/**
 * The diagonal at `offset` (> 0 above, < 0 below) of the planes spanned by dims dim1 and dim2,
 * as a new last dim (torch.diagonal); a view.
 * @example d.diagonal(d.eye(3).mul(2))  // [2, 2, 2]
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  assertTensor(x, 'diagonal');
  checkOffset('diagonal', offset);
  check(x.ndim >= 2, 'SHAPE_MISMATCH', () => `diagonal: expected at least 2 dims, got shape ${fmtShape(x.shape)}`);
  const a = normAxis(dim1, x.ndim, 'diagonal');
  const b = normAxis(dim2, x.ndim, 'diagonal');
  check(a !== b, 'BAD_AXIS', () => `diagonal: dim1 and dim2 must differ, got ${dim1} and ${dim2}`);
  return diagonalView(x, offset, a, b);
}

/**
 * torch.diag: a vector becomes a square matrix with it on diagonal `offset`; a matrix gives a
 * copy of its diagonal `offset` as a vector (`diagonal` is the view).
 * @example d.diag(d.tensor([1, 2]), 1)  // [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
 */
export function diag(x: Tensor, offset = 0): Tensor {
  assertTensor(x, 'diag');
  checkOffset('diag', offset);
  check(x.ndim === 1 || x.ndim === 2, 'SHAPE_MISMATCH', () => `diag: expected a vector or a matrix, got shape ${fmtShape(x.shape)}`);
  if (x.ndim === 2) return scoped(() => clone(diagonalView(x, offset, 0, 1)));
  const n = x.shape[0] + Math.abs(offset);
  return diagonalScatter(x, [n, n], offset, 0, 1);
}
