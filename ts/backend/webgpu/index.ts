// The webgpu device: storage in pooled GPU buffers, every Backend primitive one WGSL dispatch
// recorded into a batched command stream (queue.ts). Reads are asynchronous (`readAsync`); the
// synchronous `read` is served only from a host mirror: values written from JS, or read back once,
// stay known on the host until a kernel writes the storage. f64 has no WGSL type: allocating it
// is a BAD_DTYPE error naming the alternatives.

import {
  INT_UNARY_OPS, type Backend, type BinaryOp, type FusedRecord, type FusedUpdateKind, type NewtonSchulzSpec, type ReduceOp, type Storage, type UnaryOp, type View,
} from '../backend.js';
import { BYTES, f32ToBf16, f32ToF16, storageArray, type DType, type StorageArray } from '../../dtype.js';
import { DescentError, check } from '../../errors.js';
import { viewOffsets } from '../reference/index.js';
import type { GpuContext } from './adapter.js';
import * as ew from './elementwise.js';
import { gather, scatterAdd } from './indexing.js';
import { matmul } from './matmul.js';
import { GpuQueue } from './queue.js';
import { reduce } from './reduce.js';
import { onHost } from './mirror.js';
import { newtonSchulz } from './newton-schulz.js';
import { softmaxCrossEntropy } from './softmaxce.js';
import { fusedUpdate } from './fused.js';
import { roundToMinifloat } from './round.js';
import { joinMaster, splitMaster } from './master-halves.js';
import type { Minifloat } from '../../minifloat.js';
import { contiguousStrides, isContiguous, sizeOf } from '../view.js';

/** Storages up to this size keep a host copy of values written from JS (see the header). */
const MIRROR_BYTES = 4 << 20;

interface GpuStorage extends Storage {
  buffer: GPUBuffer | null;
  queue: GpuQueue;
  /** Host copy of the values, or null when a kernel wrote them since. */
  host: StorageArray | null;
  /** Bumped by every GPU write, so a read that raced a kernel does not install a stale mirror. */
  version: number;
}

const roundUp4 = (n: number): number => Math.ceil(n / 4) * 4;

function storageBits(dtype: DType, value: number): number {
  switch (dtype) {
    case 'f16': { const h = f32ToF16(value); return (h | (h << 16)) >>> 0; }
    case 'bf16': { const h = f32ToBf16(value); return (h | (h << 16)) >>> 0; }
    case 'i32': return Number.isNaN(value) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.trunc(value))) >>> 0;
    default: return new Uint32Array(Float32Array.of(value).buffer)[0];
  }
}

export class WebGpuBackend implements Backend {
  readonly device = 'webgpu' as const;
  readonly q: GpuQueue;

  constructor(readonly ctx: GpuContext) {
    this.q = new GpuQueue(ctx.device);
  }

  /** The GPU buffer behind a view (or storage), checked to belong to this (live) device. */
  private buf = (v: Pick<View, 'storage'>): GPUBuffer => {
    const s = v.storage as GpuStorage;
    if (s.queue !== this.q || s.buffer === null) {
      throw new DescentError('DEVICE_LOST', 'webgpu: this tensor lived on a device that was lost or replaced; recreate it after init()');
    }
    return s.buffer;
  };

  /** Marks `v`'s storage as written by a kernel. */
  private written(v: Pick<View, 'storage'>): void {
    const s = v.storage as GpuStorage;
    s.host = null;
    s.version++;
  }

  alloc(dtype: DType, size: number): Storage {
    check(dtype !== 'f64', 'BAD_DTYPE', () => 'webgpu: f64 has no WGSL type; use f32 (or the wasm/reference device for f64)');
    check(Number.isInteger(size) && size >= 0, 'BAD_ARGUMENT', () => `alloc: expected a size (integer ≥ 0), got ${size}`);
    this.q.check();
    const bytes = size * BYTES[dtype];
    const max = Math.min(this.ctx.device.limits.maxBufferSize, this.ctx.device.limits.maxStorageBufferBindingSize);
    check(bytes <= max, 'OUT_OF_MEMORY', () => `webgpu: ${bytes} bytes exceed the adapter's largest buffer (${max} bytes)`);
    const s: GpuStorage = { device: 'webgpu', dtype, size, bytes, refs: 0, buffer: this.q.pool.acquire(roundUp4(bytes)), queue: this.q, host: null, version: 0 };
    return s;
  }

  free(s: Storage): void {
    const g = s as GpuStorage;
    if (g.buffer && g.queue === this.q && this.q.lost === null) this.q.pool.release(g.buffer);
    g.buffer = null;
    g.host = null;
  }

  write(s: Storage, data: StorageArray, offset = 0): void {
    const g = s as GpuStorage;
    check(Number.isInteger(offset) && offset >= 0 && offset + data.length <= g.size, 'INDEX_OUT_OF_RANGE',
      () => `write: ${data.length} elements at offset ${offset} do not fit a storage of ${g.size}`);
    const buffer = this.buf({ storage: g });
    if (this.q.uses(buffer)) this.q.flush(); // recorded commands must see the old values
    const B = BYTES[g.dtype];
    if ((offset * B) % 4 === 0 && (data.length * B) % 4 === 0) {
      this.q.device.queue.writeBuffer(buffer, offset * B, data.buffer, data.byteOffset, data.byteLength);
    } else {
      this.writeHalves(g, data as Uint16Array, offset);
    }
    g.version++;
    if (offset === 0 && data.length === g.size && g.bytes <= MIRROR_BYTES) g.host = data.slice();
    else if (g.host) g.host.set(data, offset);
  }

  /** Halves at an odd offset or count: staged word-aligned, then moved by the copy kernel. */
  private writeHalves(g: GpuStorage, data: Uint16Array, offset: number): void {
    const lead = offset & 1;
    const staged = new Uint16Array((data.length + lead + 1) & ~1); // whole u32 words
    staged.set(data, lead);
    const tmp = this.alloc(g.dtype, staged.length) as GpuStorage;
    this.q.device.queue.writeBuffer(tmp.buffer!, 0, staged.buffer, 0, staged.byteLength);
    ew.copy(this.q, this.buf, { storage: tmp, offset: lead, shape: [data.length], strides: [1] },
      { storage: g, offset, shape: [data.length], strides: [1] });
    this.free(tmp);
  }

  /** Synchronous read: only from the host mirror (see the header). */
  read(v: View): StorageArray {
    const s = v.storage as GpuStorage;
    if (s.host === null) {
      throw new DescentError('UNSUPPORTED', 'webgpu: these values are only on the GPU, so they cannot be read synchronously ' +
        '(dataSync, item, toArray, or an op that inspects values such as index checks); use `await t.data()` first');
    }
    const out = storageArray(s.dtype, sizeOf(v.shape));
    const o = viewOffsets(v);
    for (let i = 0; i < o.length; i++) out[i] = s.host[o[i]];
    return out;
  }

  async readAsync(v: View): Promise<StorageArray> {
    const s = v.storage as GpuStorage;
    const n = sizeOf(v.shape);
    if (s.host !== null) return this.read(v);
    const B = BYTES[s.dtype];
    const contiguous = isContiguous(v) && (v.offset * B) % 4 === 0;
    const src = contiguous ? null : (this.alloc(s.dtype, n) as GpuStorage);
    if (src) ew.copy(this.q, this.buf, v, { storage: src, offset: 0, shape: v.shape, strides: contiguousStrides(v.shape) });
    const version = s.version;
    try {
      const bytes = await this.q.read(src ? src.buffer! : this.buf(v), src ? 0 : v.offset * B, roundUp4(n * B));
      const out = storageArray(s.dtype, n);
      out.set(new (out.constructor as new (b: ArrayBuffer, o: number, n: number) => StorageArray)(bytes, 0, n));
      if (!src && v.offset === 0 && n === s.size && s.version === version && s.bytes <= MIRROR_BYTES) s.host = out.slice();
      return out;
    } finally {
      if (src) this.free(src);
    }
  }

  fill(s: Storage, value: number): void {
    const g = s as GpuStorage;
    const bits = storageBits(g.dtype, value);
    ew.fillWords(this.q, this.buf({ storage: g }), Math.ceil(g.bytes / 4), bits);
    this.written({ storage: g });
    if (g.bytes <= MIRROR_BYTES) { // the values are known: ones, zeros and full stay readable
      g.host = storageArray(g.dtype, g.size);
      g.host.fill(g.dtype === 'f32' ? value : g.dtype === 'i32' ? bits | 0 : bits & 0xffff);
    }
  }

  /** Runs an i32 kernel on the host when its inputs are known there (mirror.ts); true if it did. */
  private hostRun(ins: View[], out: View, kernel: (b: Backend, ins: View[], out: View) => void): boolean {
    const data = onHost(ins, out, kernel);
    if (data === null) return false;
    this.write(out.storage, data);
    return true;
  }

  copy(src: View, dst: View): void {
    if (this.hostRun([src], dst, (b, [x], o) => b.copy(x, o))) return;
    ew.copy(this.q, this.buf, src, dst);
    this.written(dst);
  }

  unary(op: UnaryOp, x: View, out: View): void {
    check(x.storage.dtype !== 'i32' || INT_UNARY_OPS.includes(op), 'BAD_ARGUMENT',
      () => `unary: op '${op}' is not defined for i32 (expected one of ${INT_UNARY_OPS.join(', ')})`);
    if (this.hostRun([x], out, (b, [v], o) => b.unary(op, v, o))) return;
    ew.unary(this.q, this.buf, op, x, out);
    this.written(out);
  }

  binary(op: BinaryOp, a: View, b: View, out: View): void {
    if (this.hostRun([a, b], out, (r, [x, y], o) => r.binary(op, x, y, o))) return;
    ew.binary(this.q, this.buf, op, a, b, out);
    this.written(out);
  }

  where(cond: View, a: View, b: View, out: View): void {
    if (this.hostRun([cond, a, b], out, (r, [c, x, y], o) => r.where(c, x, y, o))) return;
    ew.where(this.q, this.buf, cond, a, b, out);
    this.written(out);
  }

  reduce(op: ReduceOp, x: View, nReduce: number, out: View): void {
    reduce(this.q, this.buf, op, x, nReduce, out);
    this.written(out);
  }

  matmul(a: View, b: View, out: View): void {
    matmul(this.q, this.buf, a, b, out);
    this.written(out);
  }

  gather(x: View, dim: number, index: View, out: View): void {
    if (this.hostRun([x, index], out, (r, [v, i], o) => r.gather(v, dim, i, o))) return;
    gather(this.q, this.buf, x, dim, index, out);
    this.written(out);
  }

  softmaxCrossEntropy(logits: View, labels: View, loss: View, dlogits: View | null, scale: number): void {
    softmaxCrossEntropy(this.q, this.buf, logits, labels, loss, dlogits, scale);
    this.written(loss);
    if (dlogits) this.written(dlogits);
  }

  /** Small buffers bound where a fused update has no such state (one per slot: no aliasing). */
  private readonly unused: GPUBuffer[] = [];
  private unusedSlot = (k: number): GPUBuffer => (this.unused[k] ??= this.q.pool.acquire(4));

  fusedUpdate(kind: FusedUpdateKind, records: readonly FusedRecord[], scalars: readonly number[], flags: number): void {
    fusedUpdate(this.q, this.buf, this.unusedSlot, kind, records, scalars, flags);
    for (const r of records) [r.param, ...r.state].forEach((v) => v && this.written(v));
  }

  roundToMinifloat(x: View, words: View | null, format: Minifloat, saturate: boolean, out: View): void {
    roundToMinifloat(this.q, this.buf, x, words, format, saturate, out);
    this.written(out);
  }

  joinMaster(param: View, remainder: View, master: View): void {
    joinMaster(this.q, this.buf, param, remainder, master);
    this.written(master);
  }

  splitMaster(master: View, param: View, remainder: View): void {
    splitMaster(this.q, this.buf, master, param, remainder);
    this.written(param);
    this.written(remainder);
  }

  newtonSchulz(x: View, out: View, spec: NewtonSchulzSpec): void {
    newtonSchulz(this, x, out, spec);
  }

  scatterAdd(target: View, dim: number, index: View, src: View): void {
    check(target.storage.dtype === 'f32' || target.storage.dtype === 'i32', 'BAD_DTYPE',
      () => `scatterAdd: webgpu targets are f32 or i32, got ${target.storage.dtype}`);
    scatterAdd(this.q, this.buf, target, dim, index, src);
    this.written(target);
  }
}
