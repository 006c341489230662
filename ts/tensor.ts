// Tensor: shape, strides, offset, dtype and device over a reference-counted Storage. Views
// (reshape, transpose, slice, expand) share storage; ops never modify their inputs. Methods are
// attached by ts/tensor-methods.ts so this file owns only identity, lifetime and reads.

import type { Backend, Device, Storage, View } from './backend/backend.js';
import { contiguousStrides, isContiguous, sizeOf } from './backend/view.js';
import { type DType, type StorageArray, decode } from './dtype.js';
import { countTensor, getBackend, nextTensorId, noteUnparked, releaseStorage, retainStorage, trackInScope } from './engine.js';
import { DescentError, check, checkOptions, fmtShape } from './errors.js';
import { type PrintOptions, formatTensor } from './tensor-print.js';
import type { GradNode } from './autograd/node.js';
import { onTensorFreed, savedAccess } from './autograd/tape.js';

export type NestedArray = number | boolean | NestedArray[];
/** A tensor as JSON (Tensor.toJSON); non-finite values are spelled as strings. */
export interface JsonTensor { dtype: DType; shape: number[]; data: (number | string)[] }

// A handle dropped without dispose(): the GC gives back its share of the storage and its count
// in memory(), as dispose() would.
const registry = new FinalizationRegistry<Storage>((s) => {
  countTensor(s.device, -1);
  releaseStorage(s);
});

export class Tensor implements View {
  readonly id = nextTensorId();
  readonly shape: readonly number[];
  #strides: readonly number[];
  #offset: number;
  /** Autograd: set on leaves by the user, propagated to op outputs by the tape. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf (assignable, as in PyTorch). */
  grad: Tensor | null = null;
  /** The graph node that produced this tensor (null for leaves and untracked results). */
  gradFn: GradNode | null = null;
  #storage: Storage | null = null;
  // Parked by the step sweep (ts/lifetime.ts): the values in the JS heap, the device storage freed.
  // The first use that needs storage copies them back (contiguous), so a parked handle stays
  // readable and usable.
  #parked: { data: StorageArray; dtype: DType; device: Device } | null = null;
  #unparks = 0;
  // Autograd holds: graph nodes that saved this tensor for their VJP. dispose() while held only
  // marks the handle disposed; the storage goes when the last hold is released (ts/autograd/).
  #holds = 0;
  #disposeRequested = false;

  /** Internal: wraps storage as a view. Use the creation functions instead. */
  constructor(storage: Storage, shape: readonly number[], strides?: readonly number[], offset = 0) {
    this.#storage = storage;
    this.shape = Object.freeze([...shape]);
    this.#strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.#offset = offset;
    this.#adopt(storage);
    trackInScope(this);
  }

  #adopt(storage: Storage): void {
    this.#storage = storage;
    retainStorage(storage);
    countTensor(storage.device, 1);
    registry.register(this, storage, this);
  }

  get strides(): readonly number[] { return this.#strides; }
  get offset(): number { return this.#offset; }

  get storage(): Storage {
    if (this.#parked !== null) this.#unpark();
    if (this.#storage === null || (this.#disposeRequested && !savedAccess())) {
      throw new DescentError('DISPOSED', `tensor #${this.id} (shape ${fmtShape(this.shape)}) was used after dispose()`);
    }
    return this.#storage;
  }

  get dtype(): DType { return this.#parked?.dtype ?? this.storage.dtype; }
  get device(): Device { return this.#parked?.device ?? this.storage.device; }
  get ndim(): number { return this.shape.length; }
  get size(): number { return sizeOf(this.shape); }
  get isDisposed(): boolean { return (this.#storage === null && this.#parked === null) || this.#disposeRequested; }
  /** Whether the step sweep moved this tensor's values to the JS heap (see `park`). */
  get isParked(): boolean { return this.#parked !== null; }
  get backend(): Backend { return getBackend(this.device); }

  isContiguous(): boolean {
    return isContiguous(this);
  }

  /** Frees this handle; storage goes when the last view of it is disposed. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    if (this.#holds > 0) this.#disposeRequested = true;
    else this.#free();
  }

  /** Internal (autograd): a graph node saves this tensor; dispose() is deferred until released. */
  hold(): void {
    this.storage; // throws DISPOSED on a freed handle
    this.#holds++;
  }

  /** Internal (autograd): whether a graph node saved this tensor (so it must not change in place). */
  get isHeld(): boolean { return this.#holds > 0; }

  /** Internal (autograd): drops one hold; frees the handle if dispose() came meanwhile. */
  releaseHold(): void {
    if (--this.#holds === 0 && this.#disposeRequested) this.#free();
  }

  #free(): void {
    if (this.#storage === null && this.#parked === null) return;
    this.#parked = null;
    this.#release();
    this.#disposeRequested = false;
    onTensorFreed(this);
  }

  #release(): void {
    const s = this.#storage;
    if (s === null) return;
    this.#storage = null;
    registry.unregister(this);
    countTensor(s.device, -1);
    releaseStorage(s);
  }

  /**
   * Internal (step sweep): moves the values into the JS heap, where the garbage collector sees
   * them, and frees the device storage. Only for a tensor no graph holds and no other view shares.
   */
  park(): void {
    const s = this.storage;
    this.#parked = { data: this.backend.read(this), dtype: s.dtype, device: s.device };
    this.#release();
    this.#strides = Object.freeze(contiguousStrides(this.shape));
    this.#offset = 0;
  }

  #unpark(): void {
    const { data, dtype, device } = this.#parked!;
    const b = getBackend(device);
    const s = b.alloc(dtype, data.length);
    b.write(s, data);
    this.#parked = null;
    this.#adopt(s);
    // Copied back twice, a tensor is live across steps: it stays on its device from then on, so a
    // hand-set gradient or an evaluation set costs two round trips, not one per step.
    if (++this.#unparks < 2) noteUnparked(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Values as a flat typed array (a copy; halves widened to Float32Array). On webgpu only values
   * known on the host (written from JS, or read once with `await t.data()`) can be read this way.
   */
  dataSync(): Float64Array | Float32Array | Int32Array {
    if (this.#parked !== null) return decode(this.dtype, this.#parked.data.slice());
    return decode(this.dtype, this.backend.read(this));
  }

  /** Values as a flat typed array, on every device. */
  async data(): Promise<Float64Array | Float32Array | Int32Array> {
    const b = this.backend;
    return decode(this.dtype, b.readAsync ? await b.readAsync(this) : b.read(this));
  }

  /** Values as nested JS arrays (a number for 0-d tensors). */
  toArray(): NestedArray {
    const flat = this.dataSync();
    const build = (dim: number, off: number): NestedArray => {
      if (dim === this.shape.length) return flat[off];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new DescentError('SHAPE_MISMATCH', `item() expects a tensor with one element, got shape ${fmtShape(this.shape)}`);
    }
    return this.dataSync()[0];
  }

  /**
   * JSON form `{dtype, shape, data}` (non-finite values as 'NaN', 'Infinity', '-Infinity'), so
   * `JSON.stringify(model.stateDict())` keeps the values and loadStateDict reads them back.
   */
  toJSON(): JsonTensor {
    const data = Array.from(this.dataSync(), (v) => (Number.isFinite(v) ? v : String(v)));
    return { dtype: this.dtype, shape: [...this.shape], data };
  }

  /**
   * The values as PyTorch prints them: `tensor([[0.1000, 0.2000], ...], dtype=f32, device=wasm)`,
   * summarized past 1,000 elements; `{ read: false }` prints shape, dtype and device only.
   */
  toString(opts?: PrintOptions): string {
    checkOptions('toString', opts, ['read']);
    check(opts?.read === undefined || typeof opts.read === 'boolean', 'BAD_OPTION',
      () => `toString: option 'read' expected a boolean, got ${String(opts?.read)}`);
    return formatTensor(this, opts);
  }

  /** console.log and util.inspect print `toString()` (keyed by the symbol, so browsers need no node:util). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
