// TensorDataset (rows of equal-length tensors) and DataLoader (mini-batches, optionally shuffled).
// The shuffle is a Fisher–Yates permutation driven by Philox4x32-10 keyed by the loader's seed with
// the epoch in the counter, so epoch e's order is the same on every device and thread count, and
// does not touch the global generator (dropout and init draw from that one).

import { DescentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { philox4x32Into } from '../ops/random.js';
import { indexSelect } from '../ops/indexing.js';
import { profileRegion } from '../profile.js';

/** Tensors sharing their first dimension; row i of the dataset is row i of each tensor. */
export class TensorDataset {
  readonly tensors: readonly Tensor[];
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new DescentError('BAD_ARGUMENT', 'TensorDataset: expected at least one tensor, got none');
    for (const [i, t] of tensors.entries()) {
      if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || t.ndim === 0 || t.isDisposed) {
        throw new DescentError('BAD_ARGUMENT', `TensorDataset: argument ${i} must be a live tensor with at least one dimension`);
      }
      if (t.shape[0] !== tensors[0].shape[0]) {
        throw new DescentError('SHAPE_MISMATCH', `TensorDataset: every tensor needs ${tensors[0].shape[0]} rows (the first's), tensor ${i} has ${t.shape[0]}`);
      }
    }
    this.tensors = tensors;
  }

  get length(): number { return this.tensors[0].shape[0]; }

  /** The rows `indices` of every tensor, as new tensors the caller owns. */
  rows(indices: readonly number[] | Int32Array): Tensor[] {
    // host indices: indexSelect checks them on the host, with no read back from the device
    return this.tensors.map((t) => indexSelect(t, 0, indices));
  }

  /** A dataset of the rows `indices` (copies), e.g. one side of a train/validation split. */
  subset(indices: readonly number[] | Int32Array): TensorDataset {
    return new TensorDataset(...this.rows(indices));
  }

  /** Frees the dataset's tensors. */
  dispose(): void {
    for (const t of this.tensors) t.dispose();
  }
}

/** A permutation of 0..n-1, from (seed, stream): Fisher–Yates on Philox words (bias < n / 2^32). */
export function permutation(n: number, seed: number, stream: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const k0 = seed >>> 0, k1 = Math.floor(seed / 2 ** 32) >>> 0;
  const words = new Uint32Array(4);
  // each block's words are used last to first, as popped off a list
  for (let i = n - 1, block = 0, left = 0; i > 0; i--) {
    if (left === 0) {
      philox4x32Into(words, block++, stream >>> 0, Math.floor(stream / 2 ** 32) >>> 0, 0, k0, k1);
      left = 4;
    }
    const j = Math.floor((words[--left] * (i + 1)) / 4294967296);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/**
 * Splits a dataset into random disjoint parts of the given sizes (row counts, or fractions summing
 * to 1: floors, then the remainder one row each from the first part on, as torch.utils.data.random_split).
 * @example const [train, val] = randomSplit(ds, [0.9, 0.1], 0);
 */
export function randomSplit(ds: TensorDataset, lengths: number[], seed = 0): TensorDataset[] {
  const where = 'randomSplit';
  if (!(ds instanceof TensorDataset)) throw new DescentError('BAD_ARGUMENT', `${where}: expected a TensorDataset`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new DescentError('BAD_ARGUMENT', `${where}: seed must be a non-negative safe integer, got ${String(seed)}`);
  const n = ds.length;
  const ok = Array.isArray(lengths) && lengths.length > 0 && lengths.every((l) => typeof l === 'number' && l >= 0);
  const fractions = ok && Math.abs(lengths.reduce((a, b) => a + b, 0) - 1) < 1e-9 && lengths.some((l) => !Number.isInteger(l));
  let sizes = ok ? lengths : [];
  if (fractions) {
    sizes = lengths.map((f) => Math.floor(f * n));
    for (let i = 0, left = n - sizes.reduce((a, b) => a + b, 0); left > 0; i = (i + 1) % sizes.length, left--) sizes[i]++;
  }
  if (!ok || !sizes.every(Number.isInteger) || sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new DescentError('BAD_ARGUMENT', `${where}: expected row counts summing to ${n} or fractions summing to 1, got ${JSON.stringify(lengths)}`);
  }
  const order = permutation(n, seed, 0);
  let at = 0;
  return sizes.map((k) => ds.subset(order.subarray(at, (at += k))));
}

export interface DataLoaderOptions { batchSize: number; shuffle?: boolean; seed?: number; dropLast?: boolean }

/**
 * Iterates a TensorDataset in mini-batches; each batch is an array of new tensors (one per
 * dataset tensor) that the consumer disposes. Each iteration is one epoch: the epoch counter
 * (setEpoch) picks the shuffle order and advances after a full pass.
 * @example for (const [x, y] of new DataLoader(ds, { batchSize: 64, shuffle: true, seed: 0 })) { ...; x.dispose(); y.dispose(); }
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  epoch = 0;

  constructor(readonly dataset: TensorDataset, o: DataLoaderOptions) {
    const where = 'DataLoader';
    if (!(dataset instanceof TensorDataset)) throw new DescentError('BAD_ARGUMENT', `${where}: expected a TensorDataset, got ${typeof dataset}`);
    if (o === null || typeof o !== 'object') throw new DescentError('BAD_OPTION', `${where}: expected options {batchSize, shuffle?, seed?, dropLast?}`);
    for (const k of Object.keys(o)) {
      if (!['batchSize', 'shuffle', 'seed', 'dropLast'].includes(k)) throw new DescentError('BAD_OPTION', `${where}: unknown option '${k}'; expected batchSize, shuffle, seed, dropLast`);
    }
    const { batchSize, shuffle = false, seed = 0, dropLast = false } = o;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new DescentError('BAD_OPTION', `${where}: batchSize must be a positive integer, got ${String(batchSize)}`);
    if (typeof shuffle !== 'boolean') throw new DescentError('BAD_OPTION', `${where}: shuffle must be a boolean, got ${String(shuffle)}`);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new DescentError('BAD_OPTION', `${where}: seed must be a non-negative safe integer, got ${String(seed)}`);
    if (typeof dropLast !== 'boolean') throw new DescentError('BAD_OPTION', `${where}: dropLast must be a boolean, got ${String(dropLast)}`);
    if (dropLast && dataset.length < batchSize) {
      throw new DescentError('BAD_OPTION', `${where}: dropLast with batchSize ${batchSize} over ${dataset.length} rows leaves no batch`);
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** Sets the epoch whose order the next iteration uses (fit sets it, so a resumed run replays it). */
  setEpoch(epoch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new DescentError('BAD_ARGUMENT', `DataLoader.setEpoch: expected a non-negative integer, got ${String(epoch)}`);
    this.epoch = epoch;
  }

  /** The row order of the current epoch. */
  order(): Int32Array {
    const n = this.dataset.length;
    return this.shuffle ? permutation(n, this.seed, this.epoch) : Int32Array.from({ length: n }, (_, i) => i);
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const order = this.order();
    for (let b = 0; b < this.length; b++) {
      const rows = order.subarray(b * this.batchSize, (b + 1) * this.batchSize);
      yield profileRegion('data', true, () => this.dataset.rows(rows));
    }
    this.epoch++;
  }
}
