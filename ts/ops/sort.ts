// Ordering along a dim: sort (stable, values and indices), argsort and topk. No backend has a sort
// primitive, so the order is found on the host from one read of the data (ts/ops/lines.ts; NaN
// sorts as the largest value, as torch); the values are then gathered on the device, which gives
// sort and topk gather's gradient (scattered back into place), as in torch.

import { check, checkOptions } from '../errors.js';
import { tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { gather } from './indexing.js';
import { alongLines } from './lines.js';
import { orderLine } from './order-keys.js';
import { reshape } from './shape.js';
import { assertTensor, describe, normAxis } from './util.js';

export interface SortOptions { descending?: boolean }
export interface TopkOptions { largest?: boolean; sorted?: boolean }
export interface Sorted { values: Tensor; indices: Tensor }

function flag(where: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  check(typeof v === 'boolean', 'BAD_OPTION', () => `${where}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/**
 * i32 indices of the first k entries along `d` in sorted order (contiguous; k long along d);
 * with `byIndex` those k indices are listed in index order instead.
 */
function order(x: Tensor, d: number, descending: boolean, k = x.ndim === 0 ? 1 : x.shape[d], byIndex = false): Tensor {
  return alongLines([x], d, 'i32', k, ([v], base, n, out, outBase) => {
    orderLine(v, base, n, k, descending, out, outBase);
    if (byIndex) out.subarray(outBase, outBase + k).sort();
  });
}

/** sort's arguments checked: the dim along which to sort and `descending`. */
function sortArgs(x: Tensor, dim: number, opts: SortOptions | undefined): [number, boolean] {
  assertTensor(x, 'sort');
  checkOptions('sort', opts, ['descending']);
  const descending = flag('sort', 'descending', opts?.descending, false);
  return [normAxis(dim, x.ndim, 'sort'), descending];
}

/** A 0-d x is sorted as a 1-element vector and given back its 0-d shape (as torch). */
function onVector(x: Tensor, run: (v: Tensor) => Sorted): Sorted {
  if (x.ndim > 0) return run(x);
  return tidy(() => {
    const r = run(reshape(x, [1]));
    return { values: reshape(r.values, []), indices: reshape(r.indices, []) };
  });
}

/**
 * Sorts along `dim` (default last), ascending unless `descending`; stable: equal values keep their
 * order. Returns `{ values, indices }` (indices are i32); values carry the gradient.
 * @example const { values, indices } = d.sort(d.tensor([3, 1, 2]));  // [1, 2, 3], [1, 2, 0]
 */
export function sort(x: Tensor, dim = -1, opts?: SortOptions): Sorted {
  const [d, descending] = sortArgs(x, dim, opts);
  return onVector(x, (v) => tidy(() => {
    const indices = order(v, d, descending);
    return { values: gather(v, d, indices), indices };
  }));
}

/** The i32 indices that sort x along `dim` (stable; see sort). Nothing is gathered. */
export function argsort(x: Tensor, dim = -1, opts?: SortOptions): Tensor {
  const [d, descending] = sortArgs(x, dim, opts);
  return order(x, d, descending);
}

/**
 * The k largest (or, with `largest: false`, smallest) entries along `dim`, as `{ values, indices }`.
 * `sorted` (default true) orders them best first; `sorted: false` keeps them in index order.
 * Ties go to the lower index.
 */
export function topk(x: Tensor, k: number, dim = -1, opts?: TopkOptions): Sorted {
  assertTensor(x, 'topk');
  checkOptions('topk', opts, ['largest', 'sorted']);
  const largest = flag('topk', 'largest', opts?.largest, true);
  const sorted = flag('topk', 'sorted', opts?.sorted, true);
  const d = normAxis(dim, x.ndim, 'topk');
  const n = x.ndim === 0 ? 1 : x.shape[d];
  check(Number.isInteger(k) && k >= 0 && k <= n, 'BAD_ARGUMENT',
    () => `topk: expected an integer k in 0..${n} (the size of dim ${dim}), got ${describe(k)}`);
  return onVector(x, (v) => tidy(() => {
    const indices = order(v, d, largest, k, !sorted);
    return { values: gather(v, d, indices), indices };
  }));
}
