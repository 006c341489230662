// Raw GEMM entry points on typed arrays (BLAS-style, row-major): kernels.sgemm / kernels.dgemm.
// Operands are copied into the wasm memory, multiplied by the packed SIMD driver
// (ts/backend/wasm/gemm.ts, threaded when a pool runs) and C is copied back. Every argument is
// validated here: bad sizes, leading dimensions, array lengths or option names are DescentErrors.
// Needs `await init()` (the wasm runtime).

import { DescentError, check, checkOptions } from '../errors.js';
import { KERNEL_F64, OPERAND_SAME, f32Kernel, gemm, wasmRuntime, withBlocks, type GemmRuntime } from '../backend/wasm/raw.js';
import { describe } from '../ops/util.js';

export interface GemmOptions<T> {
  /** A is stored transposed (k×m, row-major). Default false. */
  transA?: boolean;
  /** B is stored transposed (n×k, row-major). Default false. */
  transB?: boolean;
  /** Default 1. */
  alpha?: number;
  /** Default 0; nonzero needs `c`. C is then read (beta·C) and never read when beta = 0. */
  beta?: number;
  /** Output (and input for beta ≠ 0), m×n with row stride ldc; updated in place and returned. */
  c?: T;
  /** Row strides in elements; defaults are the stored row lengths. */
  lda?: number;
  ldb?: number;
  ldc?: number;
}

const OPTIONS = ['transA', 'transB', 'alpha', 'beta', 'c', 'lda', 'ldb', 'ldc'];

type Arr = Float32Array | Float64Array;

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

function checkMatrix(where: string, name: string, arr: unknown, Ctor: typeof Float32Array | typeof Float64Array,
                     rows: number, cols: number, ld: unknown): number {
  check(arr instanceof Ctor, 'BAD_ARGUMENT',
    () => `${where}: expected ${name} to be a ${Ctor.name}, got ${arr === null ? 'null' : typeof arr === 'object' ? arr.constructor?.name : typeof arr}`);
  const l = ld ?? Math.max(1, cols);
  check(isCount(l) && l >= Math.max(1, cols), 'BAD_ARGUMENT',
    () => `${where}: expected ld${name.toLowerCase()} to be an integer ≥ ${Math.max(1, cols)} (the stored row length), got ${describe(l)}`);
  const need = rows === 0 || cols === 0 ? 0 : (rows - 1) * l + cols;
  check(arr.length >= need, 'BAD_ARGUMENT',
    () => `${where}: ${name} (${rows}×${cols}, row stride ${l}) needs at least ${need} elements, got ${arr.length}`);
  return l;
}

function run<T extends Arr>(where: string, rt: GemmRuntime, Ctor: { new (n: number): T; name: string; BYTES_PER_ELEMENT: number },
                            m: number, n: number, k: number, a: T, b: T, opts: GemmOptions<T> = {}): T {
  checkOptions(where, opts, OPTIONS);
  check(isCount(m) && isCount(n) && isCount(k), 'BAD_ARGUMENT',
    () => `${where}: expected m, n, k to be integers ≥ 0, got m ${String(m)}, n ${String(n)}, k ${String(k)}`);
  const { transA = false, transB = false, alpha = 1, beta = 0, c } = opts;
  for (const [name, v] of [['transA', transA], ['transB', transB]] as const) {
    check(typeof v === 'boolean', 'BAD_OPTION', () => `${where}: expected ${name} to be a boolean, got ${typeof v}`);
  }
  for (const [name, v] of [['alpha', alpha], ['beta', beta]] as const) {
    check(typeof v === 'number', 'BAD_OPTION', () => `${where}: expected ${name} to be a number, got ${typeof v}`);
  }
  const C = Ctor as unknown as typeof Float32Array;
  const lda = checkMatrix(where, 'A', a, C, transA ? k : m, transA ? m : k, opts.lda);
  const ldb = checkMatrix(where, 'B', b, C, transB ? n : k, transB ? k : n, opts.ldb);
  if (beta !== 0 && c === undefined) {
    throw new DescentError('BAD_ARGUMENT', `${where}: beta = ${beta} reads C, but no c was given`);
  }
  const ldcGiven = opts.ldc ?? n;
  const lenC = m === 0 || n === 0 ? 0 : (m - 1) * (isCount(ldcGiven) ? ldcGiven : n) + n;
  check(c !== undefined || lenC * Ctor.BYTES_PER_ELEMENT <= 2 ** 32, 'OUT_OF_MEMORY',
    () => `${where}: C (${m}×${n}, row stride ${ldcGiven}) needs ${lenC} elements, more than the 4 GiB a wasm memory can hold`);
  const out = c ?? new Ctor(lenC);
  const ldc = checkMatrix(where, 'C', out, C, m, n, opts.ldc);
  const es = Ctor.BYTES_PER_ELEMENT;
  // copy only the elements the strides reach (a caller's array may be a larger workspace)
  const span = (rows: number, cols: number, ld: number) => (rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols);
  const lenA = span(transA ? k : m, transA ? m : k, lda), lenB = span(transB ? n : k, transB ? k : n, ldb);
  return withBlocks(rt, [lenA * es, lenB * es, lenC * es], ([pa, pb, pc]) => {
    const View = Ctor as unknown as new (buf: ArrayBufferLike, p: number, len: number) => T;
    const mem = (p: number, len: number): T => new View(rt.memory.buffer, p, len);
    mem(pa, lenA).set(a.subarray(0, lenA));
    mem(pb, lenB).set(b.subarray(0, lenB));
    if (beta !== 0) mem(pc, lenC).set(out.subarray(0, lenC));
    gemm(rt, {
      kernel: es === 8 ? KERNEL_F64 : f32Kernel(rt), m, n, k, alpha, beta,
      a: pa, aRs: transA ? 1 : lda, aCs: transA ? lda : 1, aKind: OPERAND_SAME,
      b: pb, bRs: transB ? 1 : ldb, bCs: transB ? ldb : 1, bKind: OPERAND_SAME,
      c: pc, ldc,
    });
    // copy back row by row: elements between rows (ldc > n) are the caller's and stay untouched
    const res = mem(pc, lenC);
    if (ldc === n) out.set(res);
    else for (let i = 0; i < m; i++) out.set(res.subarray(i * ldc, i * ldc + n), i * ldc);
    return out;
  });
}

/**
 * Single-precision GEMM, row-major: C ← alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n.
 * @example const c = d.kernels.sgemm(2, 2, 3, a, b, { transB: true }); // a 2×3, b 2×3 → a·bᵀ
 */
export function sgemm(m: number, n: number, k: number, a: Float32Array, b: Float32Array,
                      opts?: GemmOptions<Float32Array>): Float32Array {
  return sgemmOn(wasmRuntime('kernels.sgemm'), m, n, k, a, b, opts);
}

/** Double-precision GEMM with the same contract as sgemm (f64x2 kernels). */
export function dgemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array,
                      opts?: GemmOptions<Float64Array>): Float64Array {
  return dgemmOn(wasmRuntime('kernels.dgemm'), m, n, k, a, b, opts);
}

/** sgemm on an explicit runtime (tests, benchmarks). */
export function sgemmOn(rt: GemmRuntime, m: number, n: number, k: number, a: Float32Array, b: Float32Array,
                        opts?: GemmOptions<Float32Array>): Float32Array {
  return run('kernels.sgemm', rt, Float32Array, m, n, k, a, b, opts);
}

/** dgemm on an explicit runtime (tests, benchmarks). */
export function dgemmOn(rt: GemmRuntime, m: number, n: number, k: number, a: Float64Array, b: Float64Array,
                        opts?: GemmOptions<Float64Array>): Float64Array {
  return run('kernels.dgemm', rt, Float64Array, m, n, k, a, b, opts);
}
