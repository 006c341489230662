// Tensor: shape, strides, offset, dtype and device over a reference-counted Storage. Views
// (reshape, transpose, slice, expand) share storage; ops never modify their inputs. Methods are
// attached by ts/tensor-methods.ts so this file owns only identity, lifetime and reads.

import type { Backend, Device, Storage, View } from './backend/backend.js';
import { contiguousStrides, isContiguous, sizeOf } from './backend/view.js';
import { type DType, decode } from './dtype.js';
import { countTensor, getBackend, releaseStorage, retainStorage, trackInScope } from './engine.js';
import { DescentError, fmtShape } from './errors.js';
import type { GradNode } from './autograd/node.js';
import { onTensorFreed, savedAccess } from './autograd/tape.js';

export type NestedArray = number | boolean | NestedArray[];

// A handle dropped without dispose(): the GC gives back its share of the storage and its count
// in memory(), as dispose() would.
const registry = new FinalizationRegistry<Storage>((s) => {
  countTensor(s.device, -1);
  releaseStorage(s);
});

export { contiguousStrides, sizeOf };

let nextId = 1;

export class Tensor implements View {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  /** Autograd: set on leaves by the user, propagated to op outputs by the tape. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf (assignable, as in PyTorch). */
  grad: Tensor | null = null;
  /** The graph node that produced this tensor (null for leaves and untracked results). */
  gradFn: GradNode | null = null;
  #storage: Storage | null;
  // Autograd holds: graph nodes that saved this tensor for their VJP. dispose() while held only
  // marks the handle disposed; the storage goes when the last hold is released (ts/autograd/).
  #holds = 0;
  #disposeRequested = false;

  /** Internal: wraps storage as a view. Use the creation functions instead. */
  constructor(storage: Storage, shape: readonly number[], strides?: readonly number[], offset = 0) {
    this.#storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    retainStorage(storage);
    countTensor(storage.device, 1);
    registry.register(this, storage, this);
    trackInScope(this);
  }

  get storage(): Storage {
    if (this.#storage === null || (this.#disposeRequested && !savedAccess())) {
      throw new DescentError('DISPOSED', `tensor #${this.id} (shape ${fmtShape(this.shape)}) was used after dispose()`);
    }
    return this.#storage;
  }

  get dtype(): DType { return this.storage.dtype; }
  get device(): Device { return this.storage.device; }
  get ndim(): number { return this.shape.length; }
  get size(): number { return sizeOf(this.shape); }
  get isDisposed(): boolean { return this.#storage === null || this.#disposeRequested; }
  get backend(): Backend { return getBackend(this.device); }

  isContiguous(): boolean {
    return isContiguous(this);
  }

  /** Frees this handle; storage goes when the last view of it is disposed. Idempotent. */
  dispose(): void {
    if (this.#storage === null || this.#disposeRequested) return;
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
    const s = this.#storage;
    if (s === null) return;
    this.#storage = null;
    this.#disposeRequested = false;
    registry.unregister(this);
    countTensor(s.device, -1);
    releaseStorage(s);
    onTensorFreed(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Values as a flat typed array (a copy; halves widened to Float32Array). CPU devices only. */
  dataSync(): Float64Array | Float32Array | Int32Array {
    if (this.device === 'webgpu') {
      throw new DescentError('UNSUPPORTED', 'dataSync() cannot read a webgpu tensor synchronously; use `await t.data()`');
    }
    return decode(this.dtype, this.backend.read(this));
  }

  /** Values as a flat typed array, on every device. */
  async data(): Promise<Float64Array | Float32Array | Int32Array> {
    return this.dataSync();
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

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.isDisposed ? 'disposed' : `${this.dtype}, ${this.device}`})`;
  }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
