// Fluent methods on Tensor (`x.matmul(w).add(b).relu()`), each forwarding to its op function.
// Declared here by module augmentation so tensor.ts stays free of op imports.

import type { DType } from './dtype.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type Device, type UnaryOp } from './backend/backend.js';
import { Tensor } from './tensor.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as sh from './ops/shape.js';
import { expand } from './ops/broadcast.js';
import * as ix from './ops/indexing.js';
import { matmul } from './ops/linalg.js';
import { split, chunk } from './ops/join.js';
import * as everyday from './ops/everyday.js';
import type { TensorLike } from './ops/util.js';
import type { Axes, ReduceOptions, VarOptions } from './ops/reduce.js';
import { type BackwardOptions, backward, requiresGrad_, retainGrad } from './autograd/backward.js';

type Unary = () => Tensor;
type Binary = (other: TensorLike) => Tensor;

// One method per primitive of the op table (backend.ts), typed from it.
type OpMethods = { [K in UnaryOp]: Unary } & { [K in BinaryOp]: Binary };

declare module './tensor.js' {
  interface Tensor extends OpMethods {
    clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    clip(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    sum(axes?: Axes, opts?: ReduceOptions): Tensor;
    prod(axes?: Axes, opts?: ReduceOptions): Tensor;
    mean(axes?: Axes, opts?: ReduceOptions): Tensor;
    max(axes?: Axes, opts?: ReduceOptions): Tensor;
    min(axes?: Axes, opts?: ReduceOptions): Tensor;
    argmax(axis?: number | null, opts?: ReduceOptions): Tensor;
    argmin(axis?: number | null, opts?: ReduceOptions): Tensor;
    var(axes?: Axes, opts?: VarOptions): Tensor;
    std(axes?: Axes, opts?: VarOptions): Tensor;
    norm(p?: number, axes?: Axes, opts?: ReduceOptions): Tensor;
    logsumexp(axes?: Axes, opts?: ReduceOptions): Tensor;
    reshape(shape: readonly number[]): Tensor;
    view(shape: readonly number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    squeeze(axes?: number | readonly number[]): Tensor;
    unsqueeze(axis: number): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    permute(dims: readonly number[]): Tensor;
    slice(dim: number, start?: number, end?: number | null, step?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    expand(shape: readonly number[]): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    to(target: DType | Device): Tensor;
    /** Casts to f16 / bf16 / f32 (round-to-nearest-even), like torch's .half() / .bfloat16() / .float(). */
    half(): Tensor; bfloat16(): Tensor; float(): Tensor;
    matmul(other: Tensor): Tensor;
    gather(dim: number, index: Tensor | readonly number[]): Tensor;
    indexSelect(dim: number, index: Tensor | readonly number[]): Tensor;
    scatterAdd(dim: number, index: Tensor | readonly number[], src: Tensor): Tensor;
    split(sizes: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    sort(dim?: number, opts?: everyday.SortOptions): everyday.Sorted;
    argsort(dim?: number, opts?: everyday.SortOptions): Tensor;
    topk(k: number, dim?: number, opts?: everyday.TopkOptions): everyday.Sorted;
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
    softplus(opts?: everyday.SoftplusOptions): Tensor;
    logSigmoid(): Tensor;
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    diag(diagonal?: number): Tensor;
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    outer(other: Tensor): Tensor;
    backward(gradient?: Tensor | null, opts?: BackwardOptions): void;
    requiresGrad_(on?: boolean): Tensor;
    retainGrad(): Tensor;
  }
}


const proto = Tensor.prototype as unknown as Record<string, (this: Tensor, ...args: never[]) => unknown>;
for (const name of UNARY_OPS) proto[name] = function (this: Tensor) { return ew[name](this); };
for (const name of BINARY_OPS) proto[name] = function (this: Tensor, other: TensorLike) { return ew[name](this, other); };

Object.assign(Tensor.prototype, {
  clamp(this: Tensor, lo?: TensorLike | null, hi?: TensorLike | null) { return ew.clamp(this, lo ?? null, hi ?? null); },
  clip(this: Tensor, lo?: TensorLike | null, hi?: TensorLike | null) { return ew.clamp(this, lo ?? null, hi ?? null); },
  sum(this: Tensor, a?: Axes, o?: ReduceOptions) { return red.sum(this, a, o); },
  prod(this: Tensor, a?: Axes, o?: ReduceOptions) { return red.prod(this, a, o); },
  mean(this: Tensor, a?: Axes, o?: ReduceOptions) { return red.mean(this, a, o); },
  max(this: Tensor, a?: Axes, o?: ReduceOptions) { return red.max(this, a, o); },
  min(this: Tensor, a?: Axes, o?: ReduceOptions) { return red.min(this, a, o); },
  argmax(this: Tensor, a?: number | null, o?: ReduceOptions) { return red.argmax(this, a, o); },
  argmin(this: Tensor, a?: number | null, o?: ReduceOptions) { return red.argmin(this, a, o); },
  var(this: Tensor, a?: Axes, o?: VarOptions) { return red.variance(this, a, o); },
  std(this: Tensor, a?: Axes, o?: VarOptions) { return red.std(this, a, o); },
  norm(this: Tensor, p?: number, a?: Axes, o?: ReduceOptions) { return red.norm(this, p, a, o); },
  logsumexp(this: Tensor, a?: Axes, o?: ReduceOptions) { return red.logsumexp(this, a, o); },
  reshape(this: Tensor, s: readonly number[]) { return sh.reshape(this, s); },
  view(this: Tensor, s: readonly number[]) { return sh.view(this, s); },
  flatten(this: Tensor, a?: number, b?: number) { return sh.flatten(this, a, b); },
  squeeze(this: Tensor, a?: number | readonly number[]) { return sh.squeeze(this, a); },
  unsqueeze(this: Tensor, a: number) { return sh.unsqueeze(this, a); },
  transpose(this: Tensor, a?: number, b?: number) { return sh.transpose(this, a, b); },
  permute(this: Tensor, d: readonly number[]) { return sh.permute(this, d); },
  slice(this: Tensor, d: number, s?: number, e?: number | null, st?: number) { return sh.slice(this, d, s, e, st); },
  narrow(this: Tensor, d: number, s: number, l: number) { return sh.narrow(this, d, s, l); },
  expand(this: Tensor, s: readonly number[]) { return expand(this, s); },
  contiguous(this: Tensor) { return sh.contiguous(this); },
  clone(this: Tensor) { return sh.clone(this); },
  detach(this: Tensor) { return sh.detach(this); },
  to(this: Tensor, t: DType | Device) { return sh.to(this, t); },
  half(this: Tensor) { return sh.to(this, 'f16'); },
  bfloat16(this: Tensor) { return sh.to(this, 'bf16'); },
  float(this: Tensor) { return sh.to(this, 'f32'); },
  matmul(this: Tensor, o: Tensor) { return matmul(this, o); },
  gather(this: Tensor, d: number, i: Tensor | readonly number[]) { return ix.gather(this, d, i); },
  indexSelect(this: Tensor, d: number, i: Tensor | readonly number[]) { return ix.indexSelect(this, d, i); },
  scatterAdd(this: Tensor, d: number, i: Tensor | readonly number[], s: Tensor) { return ix.scatterAdd(this, d, i, s); },
  split(this: Tensor, s: number | readonly number[], d?: number) { return split(this, s, d); },
  chunk(this: Tensor, c: number, d?: number) { return chunk(this, c, d); },
  sort(this: Tensor, d?: number, o?: everyday.SortOptions) { return everyday.sort(this, d, o); },
  argsort(this: Tensor, d?: number, o?: everyday.SortOptions) { return everyday.argsort(this, d, o); },
  topk(this: Tensor, k: number, d?: number, o?: everyday.TopkOptions) { return everyday.topk(this, k, d, o); },
  cumsum(this: Tensor, d: number) { return everyday.cumsum(this, d); },
  cumprod(this: Tensor, d: number) { return everyday.cumprod(this, d); },
  softplus(this: Tensor, o?: everyday.SoftplusOptions) { return everyday.softplus(this, o); },
  logSigmoid(this: Tensor) { return everyday.logSigmoid(this); },
  maskedFill(this: Tensor, m: Tensor, v: number | Tensor) { return everyday.maskedFill(this, m, v); },
  tril(this: Tensor, k?: number) { return everyday.tril(this, k); },
  triu(this: Tensor, k?: number) { return everyday.triu(this, k); },
  diag(this: Tensor, k?: number) { return everyday.diag(this, k); },
  diagonal(this: Tensor, o?: number, a?: number, b?: number) { return everyday.diagonal(this, o, a, b); },
  outer(this: Tensor, o: Tensor) { return everyday.outer(this, o); },
  backward(this: Tensor, g?: Tensor | null, o?: BackwardOptions) { backward(this, g, o); },
  requiresGrad_(this: Tensor, on?: boolean) { return requiresGrad_(this, on); },
  retainGrad(this: Tensor) { return retainGrad(this); },
});
