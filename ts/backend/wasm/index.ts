// The wasm device: tensor storage lives in the runtime's memory and every Backend primitive is one
// kernel call (assembly/, exports typed in kernels.ts). This file validates views, collapses
// shapes into META (meta.ts), picks the kernel for the dtype and calls it; semantics are those of
// ts/backend/backend.ts. matmul goes through matmul.ts to the GEMM driver (gemm.ts).

import {
  BINARY_OPS, COMPARE_OPS, INT_UNARY_OPS, REDUCE_OPS, UNARY_OPS,
  type Backend, type Bf16StateKind, type BinaryOp, type FusedRecord, type FusedUpdateKind, type NewtonSchulzSpec, type ReduceOp,
  type Storage, type UnaryOp, type View, type MatmulAct,
} from '../backend.js';
import { BYTES, DTYPES, f32ToBf16, f32ToF16, type DType, type StorageArray } from '../../dtype.js';
import { DescentError, check, fmtShape } from '../../errors.js';
import { ACT_GELU, ACT_NONE, ACT_RELU } from './gemm.js';
import { matmul as gemmMatmul, matmulEpilogue, matmulRowSums } from './matmul.js';
import { MetaScratch } from './meta.js';
import type { WasmRuntime } from './runtime.js';
import { asWasm, checkDType, checkShapes, viewPtr, type WasmStorage } from './storage.js';
import { collapse, contiguousStrides, isContiguous, sizeOf } from '../view.js';
import { softmaxCrossEntropyWasm } from './softmaxce.js';
import { fusedUpdateBf16StateWasm, fusedUpdateWasm } from './fused.js';
import { newtonSchulzPtr } from './newton-schulz.js';
import { ELEMENTWISE_KERNELS as EW } from './elementwise-part.js';
import { runElementwise } from './elementwise.js';

const CODE: Record<DType, number> = Object.fromEntries(DTYPES.map((d, i) => [d, i])) as Record<DType, number>;
const COMPUTE: readonly DType[] = ['f32', 'f64', 'i32'];
const ACT_CODES: Record<MatmulAct, number> = { none: ACT_NONE, relu: ACT_RELU, gelu: ACT_GELU };
type K = WasmRuntime['exports'];
const SCATTER_KERNEL = { f32: 'f32_scatteradd_scalar', f64: 'f64_scatteradd_scalar', i32: 's32_scatteradd_scalar' } as const;

/** A value converted to a dtype's storage bits, as Backend.copy converts. */
function storageBits(dtype: DType, value: number): number {
  switch (dtype) {
    case 'f16': return f32ToF16(value);
    case 'bf16': return f32ToBf16(value);
    case 'i32': return Number.isNaN(value) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.trunc(value)));
    default: return value;
  }
}

export class WasmBackend implements Backend {
  readonly device = 'wasm' as const;
  private readonly meta: MetaScratch;

  constructor(readonly rt: WasmRuntime) {
    this.meta = new MetaScratch(rt);
  }

  /** The kernels, read through the runtime each call (a profile swaps in timed copies). */
  private get k(): K {
    return this.rt.exports;
  }

  alloc(dtype: DType, size: number): Storage {
    check(Number.isInteger(size) && size >= 0, 'BAD_ARGUMENT', () => `alloc: expected a size (integer ≥ 0), got ${size}`);
    const bytes = size * BYTES[dtype];
    const s: WasmStorage = { device: 'wasm', dtype, size, bytes, refs: 0, ptr: this.rt.malloc(bytes), owner: this.rt };
    return s;
  }

  free(s: Storage): void {
    // a storage of an earlier runtime (init() re-initialised the device) is given back to that
    // runtime's allocator: disposing it, or leaving a tidy() that made it, must still work
    const w = asWasm(s, 'free');
    ((w.owner as WasmRuntime | undefined) ?? this.rt).release(w.ptr);
    w.ptr = -1;
  }

  /** Validates a view (live, in this runtime, in bounds) and returns its element-0 byte address. */
  private ptr(v: View, where: string): number {
    return viewPtr(v, where, this.rt);
  }

  /** A typed view of `n` elements of `dtype` at byte address `ptr` (fresh: memory may have grown). */
  private typed(dtype: DType, ptr: number, n: number): StorageArray {
    const v = this.rt.views;
    return dtype === 'f64' ? v.f64(ptr, n) : dtype === 'f32' ? v.f32(ptr, n) : dtype === 'i32' ? v.i32(ptr, n) : v.u16(ptr, n);
  }

  write(s: Storage, data: StorageArray, offset = 0): void {
    const w = asWasm(s, 'write', this.rt);
    check(Number.isInteger(offset) && offset >= 0 && offset + data.length <= w.size, 'INDEX_OUT_OF_RANGE',
      () => `write: ${data.length} elements at offset ${offset} do not fit a storage of ${w.size}`);
    this.typed(w.dtype, w.ptr + offset * BYTES[w.dtype], data.length).set(data);
  }

  read(v: View): StorageArray {
    const ptr = this.ptr(v, 'read');
    const dtype = v.storage.dtype;
    const n = sizeOf(v.shape);
    // an empty view's address is never dereferenced (and may lie past the memory's end)
    if (n === 0) return this.typed(dtype, 0, 0);
    if (isContiguous(v)) return this.typed(dtype, ptr, n).slice();
    const tmp = this.rt.malloc(n * BYTES[dtype]);
    try {
      this.copyRaw(v, ptr, { dtype, shape: v.shape, strides: contiguousStrides(v.shape) }, tmp);
      return this.typed(dtype, tmp, n).slice();
    } finally {
      this.rt.release(tmp);
    }
  }

  fill(s: Storage, value: number): void {
    const w = asWasm(s, 'fill', this.rt);
    (this.typed(w.dtype, w.ptr, w.size) as Float64Array).fill(storageBits(w.dtype, value));
  }

  copy(src: View, dst: View): void {
    checkShapes(src.shape, dst.shape, 'copy');
    const ps = this.ptr(src, 'copy');
    const pd = this.ptr(dst, 'copy');
    const d = { dtype: dst.storage.dtype, shape: dst.shape, strides: dst.strides };
    if (src.storage !== dst.storage) return this.copyRaw(src, ps, d, pd);
    // Same storage: stage through a contiguous temporary so overlapping ranges stay correct.
    const dtype = src.storage.dtype;
    const tmp = this.rt.malloc(sizeOf(src.shape) * BYTES[dtype]);
    try {
      const t = { dtype, shape: src.shape, strides: contiguousStrides(src.shape) };
      this.copyRaw(src, ps, t, tmp);
      this.copyRaw({ ...t, offset: 0, storage: src.storage }, tmp, d, pd);
    } finally {
      this.rt.release(tmp);
    }
  }

  /** Strided convert-copy between already validated addresses. */
  private copyRaw(src: View, ps: number, dst: { dtype: DType; shape: readonly number[]; strides: readonly number[] }, pd: number): void {
    const c = collapse(src.shape, [src.strides, dst.strides]);
    if (c.shape[0] === 0) return;
    this.k.xx_vcopy_wasmsimd(CODE[src.storage.dtype], CODE[dst.dtype], this.meta.write(c), ps, pd);
  }

  unary(op: UnaryOp, x: View, out: View): void {
    const dtype = x.storage.dtype;
    checkDType(dtype, COMPUTE, 'unary', 'x');
    checkDType(out.storage.dtype, dtype, 'unary', 'out');
    checkShapes(x.shape, out.shape, 'unary');
    const code = UNARY_OPS.indexOf(op);
    check(code >= 0 && (dtype !== 'i32' || INT_UNARY_OPS.includes(op)), 'BAD_ARGUMENT',
      () => `unary: op '${op}' is not defined for ${dtype} (expected one of ${(dtype === 'i32' ? INT_UNARY_OPS : UNARY_OPS).join(', ')})`);
    const px = this.ptr(x, 'unary');
    const po = this.ptr(out, 'unary');
    const c = collapse(out.shape, [x.strides, out.strides]);
    if (c.shape[0] === 0) return;
    const n = BYTES[dtype];
    runElementwise(this.rt, this.meta, { kernel: EW.unary[dtype as 'f32'], scalars: [code], meta: c, ptrs: [px, po], bytes: [n, n] });
  }

  binary(op: BinaryOp, a: View, b: View, out: View): void {
    const dtype = a.storage.dtype;
    checkDType(dtype, COMPUTE, 'binary', 'a');
    checkDType(b.storage.dtype, dtype, 'binary', 'b');
    checkDType(out.storage.dtype, COMPARE_OPS.includes(op) ? 'i32' : dtype, 'binary', 'out');
    checkShapes(a.shape, out.shape, 'binary');
    checkShapes(b.shape, out.shape, 'binary');
    const code = BINARY_OPS.indexOf(op);
    check(code >= 0, 'BAD_ARGUMENT', () => `binary: unknown op '${op}'; expected one of ${BINARY_OPS.join(', ')}`);
    const pa = this.ptr(a, 'binary'), pb = this.ptr(b, 'binary'), po = this.ptr(out, 'binary');
    const c = collapse(out.shape, [a.strides, b.strides, out.strides]);
    if (c.shape[0] === 0) return;
    const n = BYTES[dtype];
    runElementwise(this.rt, this.meta, { kernel: EW.binary[dtype as 'f32'], scalars: [code], meta: c, ptrs: [pa, pb, po], bytes: [n, n, BYTES[out.storage.dtype]] });
  }

  where(cond: View, a: View, b: View, out: View): void {
    const dtype = a.storage.dtype;
    checkDType(cond.storage.dtype, 'i32', 'where', 'cond');
    checkDType(b.storage.dtype, dtype, 'where', 'b');
    checkDType(out.storage.dtype, dtype, 'where', 'out');
    check(BYTES[dtype] >= 4, 'BAD_DTYPE', () => `where: expected a compute dtype (f32, f64, i32), got ${dtype}`);
    for (const v of [cond, a, b]) checkShapes(v.shape, out.shape, 'where');
    const pc = this.ptr(cond, 'where'), pa = this.ptr(a, 'where'), pb = this.ptr(b, 'where'), po = this.ptr(out, 'where');
    const c = collapse(out.shape, [cond.strides, a.strides, b.strides, out.strides]);
    if (c.shape[0] === 0) return;
    const n = BYTES[dtype];
    runElementwise(this.rt, this.meta, { kernel: EW.where[dtype as 'f32'], scalars: [], meta: c, ptrs: [pc, pa, pb, po], bytes: [4, n, n, n] });
  }

  reduce(op: ReduceOp, x: View, nReduce: number, out: View): void {
    const dtype = x.storage.dtype;
    checkDType(dtype, COMPUTE, 'reduce', 'x');
    const code = REDUCE_OPS.indexOf(op);
    check(code >= 0, 'BAD_ARGUMENT', () => `reduce: unknown op '${op}'; expected one of ${REDUCE_OPS.join(', ')}`);
    const r = x.shape.length;
    check(Number.isInteger(nReduce) && nReduce >= 0 && nReduce <= r, 'BAD_AXIS',
      () => `reduce: expected 0 ≤ nReduce ≤ ${r}, got ${nReduce}`);
    const outer = x.shape.slice(0, r - nReduce);
    check(sizeOf(out.shape) === sizeOf(outer) && isContiguous(out), 'SHAPE_MISMATCH',
      () => `reduce: expected a contiguous out of ${sizeOf(outer)} elements, got shape [${out.shape.join(', ')}]`);
    const want: DType = op === 'argmax' || op === 'argmin' ? 'i32' : dtype;
    const po = this.ptr(out, 'reduce');
    if (out.storage.dtype !== want) {
      // e.g. an f32 sum of an i32 tensor: reduce in the input's dtype, then convert
      const tmp = this.alloc(want, sizeOf(outer));
      try {
        const tv: View = { storage: tmp, offset: 0, shape: out.shape, strides: contiguousStrides(out.shape) };
        this.reduce(op, x, nReduce, tv);
        this.copy(tv, out);
      } finally {
        this.free(tmp);
      }
      return;
    }
    this.reduceInto(code, x, nReduce, po);
  }

  private reduceInto(code: number, x: View, nReduce: number, po: number): void {
    const dtype = x.storage.dtype as 'f32';
    const r = x.shape.length;
    const red = collapse(x.shape.slice(r - nReduce), [x.strides.slice(r - nReduce)]);
    if (red.shape.length > 1) {
      // the reduced block is not one strided run: gather it contiguous first (same dtype)
      const tmp = this.alloc(dtype, sizeOf(x.shape));
      try {
        const tv: View = { storage: tmp, offset: 0, shape: x.shape, strides: contiguousStrides(x.shape) };
        this.copy(x, tv);
        this.reduceInto(code, tv, nReduce, po);
      } finally {
        this.free(tmp);
      }
      return;
    }
    const outer = collapse(x.shape.slice(0, r - nReduce), [x.strides.slice(0, r - nReduce)]);
    if (outer.shape[0] === 0) return;
    const n = sizeOf(x.shape.slice(r - nReduce));
    const shape = outer.shape[0] === 1 && outer.shape.length === 1 ? [n] : [...outer.shape, n];
    const strides = shape.length === 1 ? [[red.strides[0][0]]] : [[...outer.strides[0], red.strides[0][0]]];
    const px = this.ptr(x, 'reduce');
    const outBytes = REDUCE_OPS[code] === 'argmax' || REDUCE_OPS[code] === 'argmin' ? 4 : BYTES[dtype];
    runElementwise(this.rt, this.meta, { kernel: EW.reduce[dtype], scalars: [code], meta: { shape, strides }, ptrs: [px, po], bytes: [BYTES[dtype], outBytes], reduction: true });
  }

  matmul(a: View, b: View, out: View): void {
    this.checkMatmul(a, b, out, 'matmul');
    gemmMatmul(this.rt, a, b, out);
  }

  matmulBiasAct(a: View, b: View, bias: View | null, act: MatmulAct, out: View, pre: View | null = null): void {
    this.checkMatmul(a, b, out, 'matmulBiasAct');
    checkDType(out.storage.dtype, 'f32', 'matmulBiasAct', 'out');
    const n = out.shape[out.shape.length - 1];
    check(isContiguous(out), 'BAD_ARGUMENT', () => `matmulBiasAct: expected a contiguous out, got strides [${out.strides.join(', ')}]`);
    if (bias !== null) {
      checkDType(bias.storage.dtype, 'f32', 'matmulBiasAct', 'bias');
      check(bias.shape.length === 1 && bias.shape[0] === n && (n <= 1 || bias.strides[0] === 1), 'SHAPE_MISMATCH',
        () => `matmulBiasAct: expected a contiguous bias [${n}], got ${fmtShape(bias.shape)}`);
      this.ptr(bias, 'matmulBiasAct');
    }
    if (pre !== null) {
      checkDType(pre.storage.dtype, 'f32', 'matmulBiasAct', 'pre');
      checkShapes(pre.shape, out.shape, 'matmulBiasAct (pre)');
      check(isContiguous(pre), 'BAD_ARGUMENT', () => `matmulBiasAct: expected a contiguous pre, got strides [${pre.strides.join(', ')}]`);
      this.ptr(pre, 'matmulBiasAct');
    }
    check(Object.hasOwn(ACT_CODES, act), 'BAD_ARGUMENT', () => `matmulBiasAct: expected act 'none', 'relu' or 'gelu', got ${String(act)}`);
    matmulEpilogue(this.rt, a, b, bias, ACT_CODES[act], out, pre);
  }

  matmulRowSums(a: View, b: View, out: View, sums: View): void {
    this.checkMatmul(a, b, out, 'matmulRowSums');
    for (const [v, name] of [[a, 'a'], [b, 'b'], [out, 'out'], [sums, 'sums']] as const) {
      checkDType(v.storage.dtype, 'f32', 'matmulRowSums', name);
    }
    check(out.shape.length === 2 && a.shape.length === 2 && b.shape.length === 2, 'SHAPE_MISMATCH',
      () => `matmulRowSums: expected 2-d operands, got ${fmtShape(a.shape)} · ${fmtShape(b.shape)} → ${fmtShape(out.shape)}`);
    check(isContiguous(out), 'BAD_ARGUMENT', () => `matmulRowSums: expected a contiguous out, got strides [${out.strides.join(', ')}]`);
    check(sums.shape.length === 1 && sums.shape[0] === out.shape[0] && isContiguous(sums), 'SHAPE_MISMATCH',
      () => `matmulRowSums: expected contiguous sums [${out.shape[0]}], got ${fmtShape(sums.shape)}`);
    this.ptr(sums, 'matmulRowSums');
    matmulRowSums(this.rt, a, b, out, sums);
  }

  reluGrad(x: View, g: View, out: View): void {
    for (const [v, name] of [[x, 'x'], [g, 'g'], [out, 'out']] as const) {
      checkDType(v.storage.dtype, 'f32', 'reluGrad', name);
      checkShapes(v.shape, out.shape, `reluGrad (${name})`);
      check(isContiguous(v), 'BAD_ARGUMENT', () => `reluGrad: expected a contiguous ${name}, got strides [${v.strides.join(', ')}]`);
    }
    this.k.f32_relugrad_wasmsimd(sizeOf(out.shape), this.ptr(x, 'reluGrad'), this.ptr(g, 'reluGrad'), this.ptr(out, 'reluGrad'));
  }

  private checkMatmul(a: View, b: View, out: View, where: string): void {
    const od = out.storage.dtype;
    checkDType(od, ['f32', 'f64'], where, 'out');
    const operands: readonly DType[] = od === 'f64' ? ['f64'] : ['f32', 'bf16', 'f16'];
    checkDType(a.storage.dtype, operands, where, 'a');
    checkDType(b.storage.dtype, operands, where, 'b');
    // the driver reads k rows of b and m rows of a per batch entry, so shapes must agree exactly
    const r = out.shape.length, ra = a.shape.length, rb = b.shape.length;
    if (!(ra >= 2 && rb >= 2 && r >= 2 && a.shape[ra - 1] === b.shape[rb - 2] && out.shape[r - 2] === a.shape[ra - 2]
      && out.shape[r - 1] === b.shape[rb - 1] && batchFits(a.shape, out.shape) && batchFits(b.shape, out.shape))) {
      throw new DescentError('SHAPE_MISMATCH',
        `${where}: expected a [..., m, k], b [..., k, n] and out [..., m, n] with broadcastable batch dims, got a ${fmtShape(a.shape)}, b ${fmtShape(b.shape)}, out ${fmtShape(out.shape)}`);
    }
    this.ptr(a, where);
    this.ptr(b, where);
    this.ptr(out, where);
  }

  gather(x: View, dim: number, index: View, out: View): void {
    const dtype = x.storage.dtype;
    check(BYTES[dtype] >= 4, 'BAD_DTYPE', () => `gather: expected a compute dtype (f32, f64, i32), got ${dtype}`);
    checkDType(index.storage.dtype, 'i32', 'gather', 'index');
    checkDType(out.storage.dtype, dtype, 'gather', 'out');
    checkShapes(index.shape, out.shape, 'gather');
    this.checkDim(dim, x, out, 'gather');
    const px = this.ptr(x, 'gather'), pi = this.ptr(index, 'gather'), po = this.ptr(out, 'gather');
    if (sizeOf(out.shape) === 0) return;
    const xs = x.strides.map((s, d) => (d === dim ? 0 : s));
    // collapsed: an index_select of whole rows (a DataLoader batch) becomes one copy per row
    const c = collapse(out.shape, [xs, index.strides, out.strides]);
    // every index checked before any part writes: a bad one leaves out untouched
    this.checkIndex(this.k.x32_gather_check_scalar(x.shape[dim], this.meta.write(c), pi), index, dim, x.shape[dim], 'gather');
    const n = BYTES[dtype];
    runElementwise(this.rt, this.meta, { kernel: EW.gather[dtype as 'f32'], scalars: [x.strides[dim], x.shape[dim]], meta: c, ptrs: [px, pi, po], bytes: [n, 4, n] });
  }

  scatterAdd(target: View, dim: number, index: View, src: View): void {
    const dtype = target.storage.dtype;
    checkDType(dtype, COMPUTE, 'scatterAdd', 'target');
    checkDType(index.storage.dtype, 'i32', 'scatterAdd', 'index');
    checkDType(src.storage.dtype, dtype, 'scatterAdd', 'src');
    this.checkDim(dim, target, index, 'scatterAdd');
    check(src.shape.length === index.shape.length && index.shape.every((n, d) => n <= src.shape[d]), 'SHAPE_MISMATCH',
      () => `scatterAdd: expected src at least as large as index [${index.shape.join(', ')}], got [${src.shape.join(', ')}]`);
    const pt = this.ptr(target, 'scatterAdd'), pi = this.ptr(index, 'scatterAdd'), ps = this.ptr(src, 'scatterAdd');
    if (sizeOf(index.shape) === 0) return;
    const ts = target.strides.map((s, d) => (d === dim ? 0 : s));
    const meta = this.meta.write(this.rows(index.shape, [ts, index.strides, src.strides]));
    const bad = this.k[SCATTER_KERNEL[dtype as 'f32']](meta, target.strides[dim], target.shape[dim], pt, pi, ps);
    this.checkIndex(bad, index, dim, target.shape[dim], 'scatterAdd');
  }

  /** Turns a kernel's "first bad index at position p" into a DescentError naming the value. */
  private checkIndex(bad: number, index: View, dim: number, size: number, where: string): void {
    if (bad < 0) return;
    const value = (this.read(index) as Int32Array)[bad];
    throw new DescentError('INDEX_OUT_OF_RANGE',
      `${where}: index ${value} at position ${bad} is out of range for dim ${dim} of size ${size} (expected 0 ≤ index < ${size})`);
  }

  softmaxCrossEntropy(logits: View, labels: View, loss: View, dlogits: View | null, scale: number): void {
    softmaxCrossEntropyWasm(this.rt, logits, labels, loss, dlogits, scale);
  }

  fusedUpdate(kind: FusedUpdateKind, records: readonly FusedRecord[], scalars: readonly number[], flags: number): void {
    for (const r of records) {
      for (const v of [r.param, r.grad, ...r.state]) if (v !== null) this.checkF32Contiguous(v, r.param.shape, 'fusedUpdate');
    }
    fusedUpdateWasm(this.rt, kind, records, scalars, flags);
  }

  fusedUpdateBf16State(kind: Bf16StateKind, records: readonly FusedRecord[], blocks: readonly (readonly number[])[],
    key: readonly [number, number], scalars: readonly number[], flags: number): void {
    const where = 'fusedUpdateBf16State';
    records.forEach((r, i) => {
      for (const v of [r.param, r.grad]) this.checkF32Contiguous(v, r.param.shape, where);
      for (const v of r.state) {
        check(v !== null && v.storage.dtype === 'bf16' && isContiguous(v), 'BAD_ARGUMENT', () => `${where}: expected contiguous bf16 state views`);
        checkShapes(v.shape, r.param.shape, where);
      }
      check(blocks[i]?.length === r.state.length, 'BAD_ARGUMENT', () => `${where}: expected a Philox block per state view`);
    });
    fusedUpdateBf16StateWasm(this.rt, kind, records, blocks, key, scalars, flags);
  }

  newtonSchulz(x: View, out: View, spec: NewtonSchulzSpec): void {
    check(x.shape.length === 2, 'SHAPE_MISMATCH', () => `newtonSchulz: expected a 2-D x, got ${fmtShape(x.shape)}`);
    this.checkF32Contiguous(x, x.shape, 'newtonSchulz');
    this.checkF32Contiguous(out, x.shape, 'newtonSchulz');
    newtonSchulzPtr(this.rt, this.ptr(x, 'newtonSchulz'), this.ptr(out, 'newtonSchulz'), x.shape[0], x.shape[1], spec);
  }

  private checkF32Contiguous(v: View, shape: readonly number[], where: string): void {
    checkDType(v.storage.dtype, 'f32', where, 'every view');
    checkShapes(v.shape, shape, where);
    check(isContiguous(v), 'BAD_ARGUMENT', () => `${where}: expected contiguous views, got strides ${fmtShape(v.strides)}`);
  }

  /** META for index kernels: no collapsing (dim must stay its own dim); a 0-d shape is one element. */
  private rows(shape: readonly number[], strides: (readonly number[])[]): { shape: number[]; strides: number[][] } {
    return shape.length === 0 ? { shape: [1], strides: strides.map(() => [0]) } : { shape: [...shape], strides: strides.map((s) => [...s]) };
  }

  private checkDim(dim: number, x: View, other: View, where: string): void {
    check(Number.isInteger(dim) && dim >= 0 && dim < Math.max(1, x.shape.length) && x.shape.length === other.shape.length,
      'BAD_AXIS', () => `${where}: expected dim in [0, ${x.shape.length}) and equal ranks, got dim ${dim}, ranks ${x.shape.length} and ${other.shape.length}`);
    // the kernels walk `other`'s shape through x's strides: a larger dim would leave x's view
    check(other.shape.every((n, d) => d === dim || n <= x.shape[d]), 'SHAPE_MISMATCH',
      () => `${where}: expected index ${fmtShape(other.shape)} to be ≤ ${fmtShape(x.shape)} outside dim ${dim}`);
  }
}

/** Whether an operand's batch dims (all but its last two) broadcast to out's: each is 1 or out's. */
function batchFits(x: readonly number[], out: readonly number[]): boolean {
  const rx = x.length, r = out.length;
  if (rx > r) return false;
  for (let i = 0; i < rx - 2; i++) if (x[i] !== 1 && x[i] !== out[r - rx + i]) return false;
  return true;
}
