// Index ops: gather, indexSelect (gather with a broadcast index view) and scatterAdd. Indices are
// validated on the host (integer, finite, in range) before any kernel runs, so no kernel can
// read or write out of bounds.

import { attach } from '../autograd/tape.js';
import { check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { tensor, zerosLike } from './creation.js';
import { narrow, reshape } from './shape.js';
import { sizeOf } from '../backend/view.js';
import { assertTensor, castTo, checkSameDevice, describe, empty, inCompute, normAxis, scoped } from './util.js';

type IndexLike = Tensor | readonly number[] | Int32Array;

/**
 * An i32 tensor of indices checked to lie in [0, n); one made here belongs to the caller's scope.
 * Host indices (an array, an Int32Array) are checked before they are written; a tensor's are read
 * back first, so host indices spare a device sync (a DataLoader batch passes its rows so).
 */
function checkedIndex(index: IndexLike, n: number, device: Tensor['device'], where: string): Tensor {
  if (!(index instanceof Tensor)) {
    check(Array.isArray(index) || index instanceof Int32Array, 'BAD_ARGUMENT',
      () => `${where}: expected index to be a Tensor, an Int32Array or an array of integers, got ${describe(index)}`);
    checkValues(index, n, where);
    return tensor(index instanceof Int32Array ? index : [...index], { dtype: 'i32', device });
  }
  assertTensor(index, where, 'index');
  checkValues(index.dataSync(), n, where);
  return index.dtype === 'i32' ? index : castTo(index, 'i32');
}

function checkValues(values: ArrayLike<unknown>, n: number, where: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    check(typeof v === 'number' && Number.isFinite(v) && Number.isInteger(v), 'INVALID_DATA',
      () => `${where}: indices must be finite integers, got ${describe(v)} at flat position ${i}`);
    check(v >= 0 && v < n, 'INDEX_OUT_OF_RANGE', () => `${where}: index ${v} is out of range for a dimension of size ${n} (expected 0..${n - 1})`);
  }
}

/** out[i][j] = x[index[i][j]][j] for dim 0 (torch.gather); index has x's rank, shape ≤ x's off `dim`. */
export function gather(x: Tensor, dim: number, index: IndexLike): Tensor {
  assertTensor(x, 'gather');
  check(x.ndim > 0, 'BAD_AXIS', () => 'gather: expected a tensor of at least 1 dim, got a 0-d tensor');
  const d = normAxis(dim, x.ndim, 'gather');
  return scoped(() => {
    const idx = checkedIndex(index, x.shape[d], x.device, 'gather');
    checkSameDevice('gather', x, idx);
    check(idx.ndim === x.ndim && idx.shape.every((n, i) => i === d || n <= x.shape[i]), 'SHAPE_MISMATCH',
      () => `gather: index shape ${fmtShape(idx.shape)} must have x's rank with sizes ≤ x's ${fmtShape(x.shape)} outside dim ${d}`);
    return gatherChecked(x, d, idx);
  });
}

/** Gather with a validated index; the graph node holds idx, so the caller may dispose it. */
function gatherChecked(x: Tensor, d: number, idx: Tensor): Tensor {
  const out = inCompute(x.dtype, [x], ([cx], cdt) => {
    const o = empty(idx.shape, cdt, x.device);
    x.backend.gather(cx, d, idx, o);
    return o;
  });
  return attach(out, [x], (g) => [scatterAddChecked(zerosLike(x), d, idx, g)], 'gather', [idx]);
}

/** Rows (or slices along `dim`) of x picked by a 1-D index (torch.index_select). */
export function indexSelect(x: Tensor, dim: number, index: IndexLike): Tensor {
  assertTensor(x, 'indexSelect');
  check(x.ndim > 0, 'BAD_AXIS', () => 'indexSelect: expected a tensor of at least 1 dim, got a 0-d tensor');
  const d = normAxis(dim, x.ndim, 'indexSelect');
  return scoped(() => {
    const idx = checkedIndex(index, x.shape[d], x.device, 'indexSelect');
    check(idx.ndim === 1, 'SHAPE_MISMATCH', () => `indexSelect: expected a 1-D index, got shape ${fmtShape(idx.shape)}`);
    checkSameDevice('indexSelect', x, idx);
    const shape = x.shape.map((n, i) => (i === d ? idx.shape[0] : n));
    // The dims after `dim` of a contiguous x are gathered as one: whole rows, which the
    // kernel moves with one bulk copy each (a DataLoader batch of images).
    const rowLen = sizeOf(x.shape.slice(d + 1));
    const rows = d + 2 < x.ndim && x.isContiguous();
    const src = rows ? reshape(x, [...x.shape.slice(0, d + 1), rowLen]) : x;
    // The 1-D index seen as a gather index of the output's shape: stride 0 off `dim`.
    const gshape = src.shape.map((n, i) => (i === d ? idx.shape[0] : n));
    const wide = new Tensor(idx.storage, gshape, gshape.map((_, i) => (i === d ? idx.strides[0] : 0)), idx.offset);
    const out = gatherChecked(src, d, wide);
    return rows ? reshape(out, shape) : out;
  });
}

/** A copy of x with src added at index along `dim` (torch.scatter_add); index and src share a shape. */
export function scatterAdd(x: Tensor, dim: number, index: IndexLike, src: Tensor): Tensor {
  assertTensor(x, 'scatterAdd');
  assertTensor(src, 'scatterAdd', 'src');
  check(x.ndim > 0, 'BAD_AXIS', () => 'scatterAdd: expected a tensor of at least 1 dim, got a 0-d tensor');
  const d = normAxis(dim, x.ndim, 'scatterAdd');
  check(src.dtype === x.dtype, 'BAD_DTYPE', () => `scatterAdd: src dtype ${src.dtype} must equal x's ${x.dtype}`);
  return scoped(() => {
    const idx = checkedIndex(index, x.shape[d], x.device, 'scatterAdd');
    checkSameDevice('scatterAdd', x, idx, src);
    check(idx.ndim === x.ndim && src.ndim === idx.ndim && idx.shape.every((n, i) => n <= src.shape[i] && (i === d || n <= x.shape[i])),
      'SHAPE_MISMATCH', () => `scatterAdd: index ${fmtShape(idx.shape)} must have x's rank with sizes ≤ src's ${fmtShape(src.shape)} and ≤ x's ${fmtShape(x.shape)} outside dim ${d}`);
    // As torch, only src's leading index-shaped block is scattered (a view; its gradient is sliceScatter).
    const used = idx.shape.reduce((s, n, i) => (s.shape[i] === n ? s : narrow(s, i, 0, n)), src);
    return scatterAddChecked(x, d, idx, used);
  });
}

function scatterAddChecked(x: Tensor, d: number, idx: Tensor, src: Tensor): Tensor {
  const out = inCompute(x.dtype, [x, src], ([cx, cs], cdt) => {
    const o = empty(x.shape, cdt, x.device);
    x.backend.copy(cx, o);
    x.backend.scatterAdd(o, d, idx, cs);
    return o;
  });
  return attach(out, [x, src], (g) => [g, gatherChecked(g, d, idx)], 'scatterAdd', [idx]);
}
