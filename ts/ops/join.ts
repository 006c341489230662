// Joining and splitting: cat writes each input into a slice of one output (strided copies, no
// temporaries); stack is cat of unsqueezed views; split/chunk return views.

import { promote } from '../dtype.js';
import { attach } from '../autograd/tape.js';
import { check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import { narrow, unsqueeze } from './shape.js';
import { assertTensor, castTo, checkSameDevice, describe, empty, normAxis, scoped } from './util.js';

function checkList(where: string, tensors: readonly Tensor[]): void {
  check(Array.isArray(tensors) && tensors.length > 0, 'BAD_ARGUMENT', () => `${where}: expected a non-empty array of tensors, got ${describe(tensors)}`);
  tensors.forEach((t, i) => assertTensor(t, where, `tensors[${i}]`));
  checkSameDevice(where, ...tensors);
}

/** A 1-D tensor of size 0 joins any cat and adds nothing (PyTorch's legacy rule: cat([torch.tensor([]), x])). */
const isLegacyEmpty = (t: Tensor): boolean => t.ndim === 1 && t.shape[0] === 0;

/** Concatenates along `dim`; all other dims must agree (1-D empty tensors are skipped, as torch). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('cat', tensors);
  tensors.forEach((t, i) => check(t.ndim > 0, 'SHAPE_MISMATCH',
    () => `cat: expected tensors of at least 1 dim, got a 0-d tensor at position ${i} (use stack)`));
  const kept = tensors.some((t) => !isLegacyEmpty(t)) ? tensors.filter((t) => !isLegacyEmpty(t)) : [tensors[0]];
  const first = kept[0];
  const d = normAxis(dim, first.ndim, 'cat');
  for (const t of kept) {
    check(t.ndim === first.ndim && t.shape.every((n, i) => i === d || n === first.shape[i]), 'SHAPE_MISMATCH',
      () => `cat: shapes ${fmtShape(first.shape)} and ${fmtShape(t.shape)} differ outside dim ${d}`);
  }
  const dtype = tensors.map((t) => t.dtype).reduce(promote);
  const shape = first.shape.map((n, i) => (i === d ? kept.reduce((a, t) => a + t.shape[d], 0) : n));
  return scoped(() => catInto(empty(shape, dtype, first.device), tensors, kept, d));
}

/** Copies the inputs into `out` along d (in a scope: a failing copy frees out and the casts). */
function catInto(out: Tensor, tensors: readonly Tensor[], kept: readonly Tensor[], d: number): Tensor {
  const dtype = out.dtype;
  // Where each input starts along d, by position (one tensor may be passed twice); undefined if skipped.
  const starts: (number | undefined)[] = [];
  let at = 0;
  for (const t of tensors) {
    if (kept.length !== tensors.length && isLegacyEmpty(t)) {
      starts.push(undefined);
      continue;
    }
    const src = t.dtype === dtype ? t : castTo(t, dtype);
    out.backend.copy(src, { storage: out.storage, offset: at * out.strides[d], shape: t.shape, strides: out.strides });
    if (src !== t) src.dispose();
    starts.push(at);
    at += t.shape[d];
  }
  return attach(out, tensors, (g) => tensors.map((t, i) => {
    const s = starts[i];
    return s === undefined ? zeros(t.shape, { dtype: g.dtype, device: g.device }) : narrow(g, d, s, t.shape[d]);
  }), 'cat');
}

/** Stacks equal-shaped tensors along a new `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('stack', tensors);
  const nd = tensors[0].ndim;
  for (const t of tensors) {
    check(t.shape.length === nd && t.shape.every((n, i) => n === tensors[0].shape[i]), 'SHAPE_MISMATCH',
      () => `stack: expected equal shapes, got ${fmtShape(tensors[0].shape)} and ${fmtShape(t.shape)}`);
  }
  const d = normAxis(dim, nd + 1, 'stack');
  // scoped: the views go on success and when cat throws (a graph node holds them until released)
  return scoped(() => cat(tensors.map((t) => unsqueeze(t, d)), d));
}

/** Views of size `sizes` along `dim` (a number = equal chunks of that size, the last may be smaller). */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  assertTensor(x, 'split');
  check(x.ndim > 0, 'BAD_AXIS', () => 'split: cannot split a 0-d tensor (expected at least 1 dim)');
  const d = normAxis(dim, x.ndim, 'split');
  const n = x.shape[d];
  let parts: number[];
  if (typeof sizes === 'number') {
    check(Number.isInteger(sizes) && sizes > 0, 'BAD_ARGUMENT', () => `split: expected a positive chunk size, got ${sizes}`);
    parts = Array.from({ length: Math.max(1, Math.ceil(n / sizes)) }, (_, i) => Math.min(sizes, n - i * sizes));
  } else {
    check(Array.isArray(sizes) && sizes.every((s) => Number.isInteger(s) && s >= 0) && sizes.reduce((a, b) => a + b, 0) === n,
      'BAD_ARGUMENT', () => `split: sizes [${String(sizes)}] must be non-negative integers summing to ${n} (dim ${d})`);
    parts = [...sizes];
  }
  let at = 0;
  return parts.map((len) => narrow(x, d, (at += len) - len, len));
}

/** `chunks` nearly equal views along `dim` (torch.chunk: size ceil(n/chunks)). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  assertTensor(x, 'chunk');
  check(Number.isInteger(chunks) && chunks > 0, 'BAD_ARGUMENT', () => `chunk: expected a positive number of chunks, got ${chunks}`);
  check(x.ndim > 0, 'BAD_AXIS', () => 'chunk: cannot chunk a 0-d tensor (expected at least 1 dim)');
  const d = normAxis(dim, x.ndim, 'chunk');
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}
