// The reference device: every kernel in the plainest TypeScript, computing in float64 and rounding
// once into the output's storage dtype. It is the oracle the wasm and webgpu kernels are tested
// against, and a public device for users who want the slow, exact answer.

import type { Backend, BinaryOp, ReduceOp, Storage, UnaryOp, View } from '../backend.js';
import { BYTES, type DType, type StorageArray, encode, f16ToF32, bf16ToF32, storageArray } from '../../dtype.js';
import { erf, roundHalfEven } from '../../math/special.js';
import { softmaxCrossEntropyRef } from './softmaxce.js';
import { sizeOf } from '../view.js';

interface RefStorage extends Storage { data: StorageArray }

/** Element offsets of a view in row-major order of its shape. */
export function viewOffsets(v: View): Int32Array | number[] {
  const n = sizeOf(v.shape);
  const out = new Array<number>(n);
  const nd = v.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let off = v.offset;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off += v.strides[d];
      if (idx[d] < v.shape[d]) break;
      off -= v.strides[d] * v.shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

const data = (v: View | Storage): StorageArray => ('storage' in v ? (v.storage as RefStorage) : (v as RefStorage)).data;

function reader(dtype: DType, arr: StorageArray): (o: number) => number {
  if (dtype === 'f16') return (o) => f16ToF32(arr[o]);
  if (dtype === 'bf16') return (o) => bf16ToF32(arr[o]);
  return (o) => arr[o];
}

function writer(dtype: DType, arr: StorageArray): (o: number, x: number) => void {
  if (dtype === 'f16' || dtype === 'bf16') return (o, x) => { arr[o] = encode(dtype, [x])[0]; };
  if (dtype === 'i32') return (o, x) => { arr[o] = Number.isNaN(x) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.trunc(x))); };
  return (o, x) => { arr[o] = x; };
}

const valuesOf = (v: View): number[] => {
  const r = reader(v.storage.dtype, data(v));
  return Array.from(viewOffsets(v), r);
};

const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x, abs: Math.abs, exp: Math.exp, log: Math.log, log1p: Math.log1p, expm1: Math.expm1,
  sqrt: Math.sqrt, rsqrt: (x) => 1 / Math.sqrt(x), sin: Math.sin, cos: Math.cos, tanh: Math.tanh,
  sigmoid, relu: (x) => (x < 0 ? 0 : x) /* NaN and -0 pass through, as torch */, gelu, silu: (x) => x * sigmoid(x),
  sign: (x) => +(x > 0) - +(x < 0), square: (x) => x * x, reciprocal: (x) => 1 / x,
  floor: Math.floor, ceil: Math.ceil, round: roundHalfEven, erf,
};

/** C99 / torch pow: 1 when b = 0 or a = 1 (NaN in the other operand too), and (−1)^±∞ = 1 (JS's Math.pow gives NaN). */
function floatPow(a: number, b: number): number {
  return b === 0 || a === 1 || (a === -1 && Math.abs(b) === Infinity) ? 1 : Math.pow(a, b);
}

function intPow(a: number, b: number): number {
  let r = 1;
  for (let i = 0; i < b; i++) r = Math.imul(r, a);
  return r;
}

function binaryFn(op: BinaryOp, int: boolean): (a: number, b: number) => number {
  switch (op) {
    case 'add': return int ? (a, b) => (a + b) | 0 : (a, b) => a + b;
    case 'sub': return int ? (a, b) => (a - b) | 0 : (a, b) => a - b;
    case 'mul': return int ? Math.imul : (a, b) => a * b;
    case 'div': return (a, b) => a / b;
    case 'pow': return int ? intPow : floatPow;
    case 'maximum': return (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
    case 'minimum': return (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));
    case 'eq': return (a, b) => +(a === b);
    case 'ne': return (a, b) => +(a !== b);
    case 'lt': return (a, b) => +(a < b);
    case 'le': return (a, b) => +(a <= b);
    case 'gt': return (a, b) => +(a > b);
    case 'ge': return (a, b) => +(a >= b);
  }
}

function reduceBlock(op: ReduceOp, xs: number[], int: boolean): number {
  switch (op) {
    case 'sum': return xs.reduce((a, b) => (int ? (a + b) | 0 : a + b), 0);
    case 'prod': return xs.reduce((a, b) => (int ? Math.imul(a, b) : a * b), 1);
    // A loop, not Math.max(...xs): spreading a large block overflows the call stack.
    case 'max': return xs.reduce((a, b) => (a > b || Number.isNaN(a) ? a : b), -Infinity);
    case 'min': return xs.reduce((a, b) => (a < b || Number.isNaN(a) ? a : b), Infinity);
    case 'argmax': case 'argmin': {
      let best = 0;
      for (let i = 1; i < xs.length && !Number.isNaN(xs[best]); i++) {
        if (Number.isNaN(xs[i]) || (op === 'argmax' ? xs[i] > xs[best] : xs[i] < xs[best])) best = i;
      }
      return best;
    }
  }
}

export class ReferenceBackend implements Backend {
  readonly device = 'reference' as const;

  alloc(dtype: DType, size: number): Storage {
    const s: RefStorage = { device: 'reference', dtype, size, bytes: size * BYTES[dtype], refs: 0, data: storageArray(dtype, size) };
    return s;
  }

  free(s: Storage): void {
    (s as RefStorage).data = storageArray(s.dtype, 0);
  }

  write(s: Storage, src: StorageArray, offset = 0): void {
    data(s).set(src, offset);
  }

  read(v: View): StorageArray {
    const arr = data(v);
    const out = storageArray(v.storage.dtype, 0).constructor as new (n: number) => StorageArray;
    const o = viewOffsets(v);
    const res = new out(o.length);
    for (let i = 0; i < o.length; i++) res[i] = arr[o[i]];
    return res;
  }

  fill(s: Storage, value: number): void {
    const w = writer(s.dtype, data(s));
    for (let i = 0; i < s.size; i++) w(i, value);
  }

  copy(src: View, dst: View): void {
    const xs = valuesOf(src);
    const w = writer(dst.storage.dtype, data(dst));
    viewOffsets(dst).forEach((o, i) => w(o, xs[i]));
  }

  unary(op: UnaryOp, x: View, out: View): void {
    const vals = valuesOf(x);
    const o = viewOffsets(out);
    if (x.storage.dtype === 'i32') {
      // Integer results wrap modulo 2^32 like two's-complement hardware.
      const f = op === 'square' ? (v: number) => Math.imul(v, v) : UNARY[op];
      const arr = data(out);
      for (let i = 0; i < o.length; i++) arr[o[i]] = f(vals[i]) | 0;
      return;
    }
    const w = writer(out.storage.dtype, data(out));
    for (let i = 0; i < o.length; i++) w(o[i], UNARY[op](vals[i]));
  }

  binary(op: BinaryOp, a: View, b: View, out: View): void {
    const f = binaryFn(op, a.storage.dtype === 'i32');
    const av = valuesOf(a);
    const bv = valuesOf(b);
    const w = writer(out.storage.dtype, data(out));
    viewOffsets(out).forEach((o, i) => w(o, f(av[i], bv[i])));
  }

  where(cond: View, a: View, b: View, out: View): void {
    const c = valuesOf(cond);
    const av = valuesOf(a);
    const bv = valuesOf(b);
    const w = writer(out.storage.dtype, data(out));
    viewOffsets(out).forEach((o, i) => w(o, c[i] !== 0 ? av[i] : bv[i]));
  }

  reduce(op: ReduceOp, x: View, nReduce: number, out: View): void {
    const xs = valuesOf(x);
    const block = x.shape.slice(x.shape.length - nReduce).reduce((p, q) => p * q, 1);
    const w = writer(out.storage.dtype, data(out));
    const int = x.storage.dtype === 'i32';
    viewOffsets(out).forEach((o, i) => w(o, reduceBlock(op, xs.slice(i * block, (i + 1) * block), int)));
  }

  matmul(a: View, b: View, out: View): void {
    const nd = out.shape.length;
    const [m, n] = out.shape.slice(nd - 2);
    const k = a.shape[nd - 1];
    const av = valuesOf(a);
    const bv = valuesOf(b);
    const w = writer(out.storage.dtype, data(out));
    const offs = viewOffsets(out);
    const batches = offs.length / Math.max(1, m * n);
    for (let bt = 0; bt < batches; bt++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let p = 0; p < k; p++) acc += av[bt * m * k + i * k + p] * bv[bt * k * n + p * n + j];
          w(offs[bt * m * n + i * n + j], acc);
        }
      }
    }
  }

  gather(x: View, dim: number, index: View, out: View): void {
    const idx = valuesOf(index);
    const r = reader(x.storage.dtype, data(x));
    const w = writer(out.storage.dtype, data(out));
    const outOffs = viewOffsets(out);
    forEachCoord(out.shape, (coord, i) => {
      let o = x.offset;
      coord.forEach((c, d) => { o += (d === dim ? idx[i] : c) * x.strides[d]; });
      w(outOffs[i], r(o));
    });
  }

  scatterAdd(target: View, dim: number, index: View, src: View): void {
    const idx = valuesOf(index);
    const sv = valuesOf(src);
    const arr = data(target);
    const r = reader(target.storage.dtype, arr);
    const w = writer(target.storage.dtype, arr);
    forEachCoord(index.shape, (coord, i) => {
      let o = target.offset;
      coord.forEach((c, d) => { o += (d === dim ? idx[i] : c) * target.strides[d]; });
      w(o, r(o) + sv[i]);
    });
  }

  softmaxCrossEntropy(logits: View, labels: View, loss: View, dlogits: View | null, scale: number): void {
    softmaxCrossEntropyRef(this, logits, labels, loss, dlogits, scale);
  }
}

function forEachCoord(shape: readonly number[], fn: (coord: number[], flat: number) => void): void {
  const n = sizeOf(shape);
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    fn(coord, i);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
}
