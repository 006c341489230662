// The one seam between the engine and a device. Ops, autograd, nn and optim only call these
// primitives; a new device is one folder implementing this interface.
//
// Conventions for every kernel:
// - A View addresses elements (not bytes): element (i0..in) lives at offset + Σ ik·strides[k].
//   Strides may be 0 (broadcast) or any positive step (slices, transposes); never negative.
// - `out` views are freshly allocated and contiguous unless a kernel says otherwise; inputs are
//   never written. Kernels never allocate tensors and never throw on valid input: the op layer
//   validates shapes, dtypes and index ranges before calling.
// - Compute dtypes are f32, f64 and i32; halves (f16/bf16) are converted by `copy` before and after.

import type { DType, StorageArray } from '../dtype.js';
import type { Minifloat } from '../minifloat.js';

export type Device = 'wasm' | 'reference' | 'webgpu';
export const DEVICES: readonly Device[] = ['wasm', 'reference', 'webgpu'];

/** A block of device memory holding `size` elements of `dtype`, shared by views via `refs`. */
export interface Storage {
  readonly device: Device;
  readonly dtype: DType;
  readonly size: number;
  readonly bytes: number;
  refs: number;
}

export interface View {
  readonly storage: Storage;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

// The op table: the ONE list of primitive elementwise and reduction ops. Codes are indices here;
// scripts/asbuild.mjs generates the kernels' constants (assembly/_lib/ops.ts) from these arrays, and
// the Tensor methods (tensor-methods.ts) and the wasm dispatch read them. A new unary op is: its
// entry here, its kernel (assembly/_lib/unary.ts), its reference (reference/index.ts), its VJP
// (ops/elementwise.ts) and its test.
export const UNARY_OPS = [
  'neg', 'abs', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh',
  'sigmoid', 'relu', 'gelu', 'silu', 'sign', 'square', 'reciprocal', 'floor', 'ceil', 'round', 'erf'] as const;
export type UnaryOp = typeof UNARY_OPS[number];
/** Unary ops defined on i32 (kept i32); the op layer computes the others on i32 input in f32, as PyTorch. */
export const INT_UNARY_OPS: readonly UnaryOp[] = ['neg', 'abs', 'sign', 'square', 'relu'];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export type BinaryOp = typeof BINARY_OPS[number];
export const COMPARE_OPS: readonly BinaryOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];

export const REDUCE_OPS = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'] as const;
export type ReduceOp = typeof REDUCE_OPS[number];

export interface Backend {
  readonly device: Device;

  /** New storage of `size` elements, contents unspecified. */
  alloc(dtype: DType, size: number): Storage;
  /** Returns the memory; called once when `refs` reaches 0. */
  free(s: Storage): void;
  /** Copies storage bits (halves as Uint16 bits) into `s` starting at element `offset`. */
  write(s: Storage, data: StorageArray, offset?: number): void;
  /** Contiguous copy of a view in its storage representation. */
  read(v: View): StorageArray;
  /** Optional asynchronous read, for devices whose memory the host cannot map synchronously (webgpu). */
  readAsync?(v: View): Promise<StorageArray>;
  /** Sets every element of `s` to `value` (converted to s.dtype as `copy` would). */
  fill(s: Storage, value: number): void;

  /**
   * dst ← src elementwise; shapes equal; dst may be strided (cat writes into slices).
   * Converts dtypes: float→half round-to-nearest-even (f64→half may round through f32),
   * float→i32 truncates toward zero saturating at the i32 range (NaN → 0, like wasm's
   * i32.trunc_sat), i32→float rounds to nearest.
   */
  copy(src: View, dst: View): void;

  /** out ← op(x); x and out share a compute dtype (f32, f64 or i32). */
  unary(op: UnaryOp, x: View, out: View): void;

  /**
   * out ← a op b; a and b are views broadcast to out.shape (stride 0 on broadcast dims) and share a
   * compute dtype; out has that dtype, except comparisons, whose out is i32 holding 0 or 1.
   * pow on i32 is integer power with exponent ≥ 0 (checked by the op layer).
   */
  binary(op: BinaryOp, a: View, b: View, out: View): void;

  /** out ← cond ≠ 0 ? a : b; cond is i32; all broadcast to out.shape; a, b, out share a dtype. */
  where(cond: View, a: View, b: View, out: View): void;

  /**
   * Reduces the last `nReduce` dims of x (the op layer permutes reduced axes to the end).
   * out is contiguous with out.size = product of the leading dims. argmax/argmin write i32
   * indices into the flattened reduced block (first occurrence on ties; NaN wins, as in PyTorch).
   * max/min propagate NaN. Reduction order is fixed, so results do not depend on threads.
   */
  reduce(op: ReduceOp, x: View, nReduce: number, out: View): void;

  /**
   * Batched matrix product out[..., m, n] = a[..., m, k] · b[..., k, n]; batch dims of a and b
   * are broadcast (stride 0) to out's; dtypes f32 or f64, all equal.
   */
  matmul(a: View, b: View, out: View): void;

  /** out[..i..] = x[..index[..i..] on `dim`..]; index is i32, in range, broadcast to out.shape. */
  gather(x: View, dim: number, index: View, out: View): void;

  /** target[..index[..i..] on `dim`..] += src[..i..], in index order; target is contiguous, written in place. */
  scatterAdd(target: View, dim: number, index: View, src: View): void;

  // Optional fast paths. The op layer asks `backend.<capability> !== undefined` and otherwise
  // runs the same computation composed from the primitives above (that composed path is the
  // capability's reference implementation and its test oracle).

  /**
   * Fused softmax cross-entropy (contract: assembly/f32-softmaxce/scalar.ts): logits
   * [rows, cols] contiguous; labels [rows] i32, a label outside [0, cols) ignores its row;
   * loss [rows] ← logsumexp(row) − row[label]; dlogits [rows, cols] (or null: skipped) ←
   * scale·(softmax(row) − onehot(label)). Same float dtype for logits, loss and dlogits.
   */
  softmaxCrossEntropy?(logits: View, labels: View, loss: View, dlogits: View | null, scale: number): void;

  /**
   * Multi-tensor optimizer update of one param group, in place (contract: assembly/f32-<kind>/
   * scalar.ts, whose scalars and flags it takes verbatim). Every view is f32 and contiguous; each
   * record's state views are the kind's state tensors in the kernel's order, null where unused.
   */
  fusedUpdate?(kind: FusedUpdateKind, records: readonly FusedRecord[], scalars: readonly number[], flags: number): void;

  /**
   * fusedUpdate with the kind's state in bf16, written back with stochastic rounding (contract:
   * assembly/f32-<kind>-bf16state/scalar.ts). param and grad are f32, the state bf16, all
   * contiguous; `blocks[i][j]` is the first Philox block of record i's state j under `key`
   * (reserved by the host as the composed path would draw them, so both give the same bits).
   */
  fusedUpdateBf16State?(kind: Bf16StateKind, records: readonly FusedRecord[], blocks: readonly (readonly number[])[],
    key: readonly [number, number], scalars: readonly number[], flags: number): void;

  /**
   * out ← x rounded to a minifloat format's values, in f32 (contract: assembly/_lib/minifloat.ts,
   * narrowBits then widenBits, bit for bit; ts/minifloat.ts is its host twin). x and out are
   * contiguous f32; `words` (contiguous i32 holding one u32 Philox word per element) switches on
   * stochastic rounding, null rounds to nearest even. For devices without synchronous reads.
   */
  roundToMinifloat?(x: View, words: View | null, format: Minifloat, saturate: boolean, out: View): void;

  /**
   * masterWeights 'remainder' (contract: ts/optim/master-weights.ts joinMaster and split, bit for
   * bit): master (f32) ← param's bf16 bits joined with the remainder's 16-bit halves. param bf16,
   * remainder i32 (the halves packed two per word), master f32, all contiguous.
   */
  joinMaster?(param: View, remainder: View, master: View): void;
  /** The inverse: param and remainder ← master's halves; param has an even offset (two halves a word). */
  splitMaster?(master: View, param: View, remainder: View): void;

  /**
   * Newton–Schulz orthogonalization as ts/optim/newton-schulz.ts defines it (its composed form is
   * the reference): x and out are contiguous f32 [rows, cols]; out ← NS(x) under `spec`.
   */
  newtonSchulz?(x: View, out: View, spec: NewtonSchulzSpec): void;

  /**
   * out ← act(a·b + bias) as matmul, then add of bias [n] along out's last dim, then the unary
   * `act` define it (bit-identical: the same sums, then the same adds and activation). f32 only;
   * out contiguous; bias null for none; `pre` (contiguous, out's shape), when given, receives
   * a·b + bias before the activation (what gelu's backward needs).
   */
  matmulBiasAct?(a: View, b: View, bias: View | null, act: MatmulAct, out: View, pre?: View | null): void;

  /**
   * out ← a·b and sums ← Σ over a's last dim (the bias gradient Σ_batch g next to dW = gᵀ·x, from
   * one GEMM) as matmul and reduce sum define them. f32, 2-D; out and sums contiguous. Same bits
   * as the reduce when it walks a's rows as columns (a's last dim strided, ≥ 2 rows: a = gᵀ).
   */
  matmulRowSums?(a: View, b: View, out: View, sums: View): void;

  /**
   * relu's VJP in one pass: out ← x ≤ 0 ? 0 : g, as where(le(x, 0), 0, g) defines it (contract:
   * assembly/f32-relugrad/scalar.ts). f32; x, g and out contiguous, of one shape.
   */
  reluGrad?(x: View, g: View, out: View): void;
}

/** Activation a fused matmul epilogue applies after the bias add. */
export type MatmulAct = 'none' | 'relu' | 'gelu';

export const FUSED_UPDATE_KINDS = ['sgd', 'adam', 'lion', 'adagrad', 'rmsprop'] as const;
export type FusedUpdateKind = typeof FUSED_UPDATE_KINDS[number];
export const BF16_STATE_KINDS = ['sgd', 'adam', 'lion'] as const;
export type Bf16StateKind = typeof BF16_STATE_KINDS[number];

/** One parameter of a fused update: the parameter and its gradient, and the state it owns. */
export interface FusedRecord {
  readonly param: View;
  readonly grad: View;
  readonly state: readonly (View | null)[];
}

/** Resolved Newton–Schulz options: X₀ = G/(‖G‖+eps) ('add') or G/max(‖G‖, eps) ('clamp'), then
 * `steps` times X ← aX + (bA + cA²)X with A = XXᵀ and (a, b, c) = coefficients. */
export interface NewtonSchulzSpec {
  readonly steps: number;
  readonly coefficients: readonly [number, number, number];
  readonly eps: number;
  readonly normalize: 'add' | 'clamp';
}

/** The factor X₀ = factor·G of a spec, given ‖G‖_F. */
export const newtonSchulzScale = (norm: number, spec: NewtonSchulzSpec): number =>
  1 / (spec.normalize === 'add' ? norm + spec.eps : Math.max(norm, spec.eps));
