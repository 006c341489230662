// The GEMM's fused f32 epilogue (applied by the f32 macro-kernels as they store each tile of the
// last k block, assembly/_lib/gemm-store.ts; edge tiles and gelu through assembly/f32-biasact):
// act(a·b + bias) must give the bits of matmul, then the f32 bias add, then relu or the wasm unary
// gelu — on the plain and FMA kernels, on 1 and 2 threads, at awkward shapes; the optional
// pre-activation output must hold the bits before the activation. Each macro-kernel alone: with
// the epilogue = without it, then the scalar epilogue.
// The backward twin (matmulRowSums, assembly/f32-rowsum): dW = gᵀ·x with the bias gradient Σ_batch g
// summed from gᵀ's blocks as the driver packs them, in the bits of matmul and the f32 sum reduce.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { View } from '../ts/backend/backend.js';
import { loadRuntime, type WasmRuntime } from '../ts/backend/wasm/runtime.js';
import { ACT_GELU, ACT_NONE, ACT_RELU, setDeterministic } from '../ts/backend/wasm/gemm.js';
import { matmul, matmulEpilogue } from '../ts/backend/wasm/matmul.js';
import { WasmBackend } from '../ts/backend/wasm/index.js';
import { poolThreads, setPoolMinFlops, startPool, stopPool } from '../ts/backend/wasm/threads.js';
import { DescentError } from '../ts/errors.js';
import { expectSameBits, seeded } from './helpers/compare.js';

let rt: WasmRuntime, backend: WasmBackend;
beforeAll(async () => { rt = await loadRuntime(); backend = new WasmBackend(rt); });
afterAll(async () => { await stopPool(); setDeterministic(true); });

/** A contiguous f32 matrix in wasm memory holding `data`. */
function f32(shape: number[], data: Float32Array): { view: View; arr: () => Float32Array; free: () => void } {
  const n = data.length, ptr = rt.malloc(n * 4);
  const arr = () => new Float32Array(rt.memory.buffer, ptr, n);
  arr().set(data);
  const strides = shape.length === 1 ? [1] : [shape[1], 1];
  const view = { storage: { device: 'wasm', dtype: 'f32', size: n, bytes: n * 4, refs: 1, ptr }, offset: 0, shape, strides } as unknown as View;
  return { view, arr, free: () => rt.release(ptr) };
}

function randoms(n: number, seed: number): Float32Array {
  const r = seeded(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/**
 * Fused and unfused (matmul, then fround(c + b), then x < 0 ? 0 : x or the unary gelu kernel)
 * results for one shape, and the fused pre-activation output with the unfused sums + bias.
 * aT: A is the transpose of a contiguous [k, m] matrix (column-major, packed by the driver).
 */
function both(m: number, n: number, k: number, act: number, withBias: boolean, seed: number, aT = false, bT = false): [Float32Array, Float32Array, Float32Array, Float32Array] {
  const A = f32(aT ? [k, m] : [m, k], randoms(m * k, seed).map((x) => x * 3)), B = f32(bT ? [n, k] : [k, n], randoms(k * n, seed + 1));
  if (aT) A.view = { ...A.view, shape: [m, k], strides: [1, m] };
  if (bT) B.view = { ...B.view, shape: [k, n], strides: [1, k] }; // B = Wᵀ of a row-major W [n, k], as Linear passes it
  const bias = f32([n], randoms(n, seed + 2));
  const fused = f32([m, n], new Float32Array(m * n).fill(NaN)), plain = f32([m, n], new Float32Array(m * n).fill(NaN));
  const pre = f32([m, n], new Float32Array(m * n).fill(NaN));
  try {
    matmulEpilogue(rt, A.view, B.view, withBias ? bias.view : null, act, fused.view, pre.view);
    matmul(rt, A.view, B.view, plain.view);
    const want = plain.arr(), b = bias.arr();
    for (let i = 0; i < m * n; i++) want[i] = withBias ? Math.fround(want[i] + b[i % n]) : want[i];
    const wantPre = want.slice();
    if (act === ACT_RELU) want.forEach((x, i) => { want[i] = x < 0 ? 0 : x; });
    if (act === ACT_GELU) backend.unary('gelu', plain.view, plain.view);
    return [fused.arr().slice(), plain.arr().slice(), pre.arr().slice(), wantPre];
  } finally {
    for (const t of [A, B, bias, fused, plain, pre]) t.free();
  }
}

const SIZES = [1, 3, 17, 130, 257];

describe('f32 GEMM bias/relu/gelu epilogue', () => {
  test('matches matmul, bias add and relu or gelu bit for bit at awkward shapes (plain kernel)', () => {
    for (const act of [ACT_RELU, ACT_GELU]) for (const m of SIZES) for (const n of [...SIZES, 10]) for (const k of [1, 17, 257]) {
      const [got, want, pre, wantPre] = both(m, n, k, act, true, m * 1000 + n * 10 + k);
      expectSameBits(got, want);
      expectSameBits(pre, wantPre);
    }
  });

  test('bias alone, relu alone, and k = 0 (C = act(bias))', () => {
    for (const [act, withBias] of [[ACT_NONE, true], [ACT_RELU, false], [ACT_GELU, false]] as const) {
      const [got, want] = both(130, 17, 300, act, withBias, 7);
      expectSameBits(got, want);
    }
    for (const act of [ACT_RELU, ACT_GELU]) {
      const [got, want] = both(5, 9, 0, act, true, 3);
      expectSameBits(got, want);
      expect(got.some((x) => x > 0)).toBe(true);
    }
  });

  test('matches on the relaxed FMA kernels (5×8 over packed A, 4×8 in place, 3×12), k blocked', () => {
    setDeterministic(false);
    try {
      for (const act of [ACT_RELU, ACT_GELU]) for (const [m, n, k] of [[131, 67, 517], [257, 130, 784], [33, 45, 300], [17, 10, 300]]) {
        const [got, want, pre, wantPre] = both(m, n, k, act, true, m + n + k);
        expectSameBits(got, want);
        expectSameBits(pre, wantPre);
      }
    } finally {
      setDeterministic(true);
    }
  });

  test('matches on the FMA kernel for narrow C with B = Wᵀ (k-vectorised 4×2c4, epilogue in its store), k tails', () => {
    setDeterministic(false);
    try {
      for (const act of [ACT_NONE, ACT_RELU, ACT_GELU]) for (const [m, n, k] of [[128, 10, 256], [17, 1, 5], [130, 12, 303], [3, 7, 4]]) {
        const [got, want, pre, wantPre] = both(m, n, k, act, true, m + n + k, false, true);
        expectSameBits(got, want);
        if (act !== ACT_NONE) expectSameBits(pre, wantPre);
      }
    } finally {
      setDeterministic(true);
    }
  });

  // split over N (row-major A in place), over M (n < 8 tiles: 4×8, FMA 3×12; column-major A: FMA 5×8;
  // B = Wᵀ with n ≤ 12: FMA 4×2c4)
  const SPLITS: [number, number, number, boolean, boolean][] = [[263, 150, 300, false, false], [8, 700, 130, false, false],
    [300, 40, 130, false, false], [300, 10, 130, false, false], [300, 100, 130, true, false], [300, 10, 130, false, true]];

  test('gives the same bits on 1 and 2 threads, split over M and over N, plain and FMA kernels', async () => {
    const runs: Float32Array[] = [];
    const prev = setPoolMinFlops(0);
    try {
      for (const threads of [1, 2]) {
        expect(await startPool(rt, threads)).toBe(threads);
        expect(poolThreads()).toBe(threads);
        for (const deterministic of [true, false]) {
          setDeterministic(deterministic);
          for (const act of [ACT_RELU, ACT_GELU]) for (const [m, n, k, aT, bT] of SPLITS) {
            const [got, want, pre, wantPre] = both(m, n, k, act, true, 11, aT, bT);
            expectSameBits(got, want);
            expectSameBits(pre, wantPre);
            runs.push(got, pre);
          }
        }
      }
    } finally {
      setDeterministic(true);
      setPoolMinFlops(prev);
      await stopPool();
    }
    const half = runs.length / 2;
    for (let i = 0; i < half; i++) expectSameBits(runs[half + i], runs[i]);
  });
});

/**
 * One macro-kernel call per kernel family: operands (A, B̃) as that kernel reads them, with room for
 * mc ≤ 13 rows, nc ≤ 24 columns, kc = 23: A in place (row stride LDA) or packed 5 rows wide, B
 * packed 8 or 12 wide (or 5×8's B in place). The arguments go between kc and c.
 */
const LDA = 29, KC = 23;
const MACROS: { name: string; ncs: number[]; operands: (a: number, pa5: number, pb8: number, pb12: number) => number[] }[] = [
  { name: 'f32_gemm_4x8_wasmsimd', ncs: [3, 8, 13, 19], operands: (a, _, pb8) => [a, LDA, 1, 4 * LDA, pb8] },
  { name: 'f32_gemm_4x8_wasmrelaxedsimd', ncs: [3, 8, 13, 19], operands: (a, _, pb8) => [a, LDA, 1, 4 * LDA, pb8] },
  { name: 'f32_gemm_4x8_scalar', ncs: [3, 19], operands: (a, _, pb8) => [a, LDA, 1, 4 * LDA, pb8] },
  { name: 'f32_gemm_5x8_wasmrelaxedsimd', ncs: [3, 8, 13, 19], operands: (_, pa5, pb8) => [pa5, pb8, 0] },
  { name: 'f32_gemm_5x8_scalar', ncs: [3, 19], operands: (_, pa5, pb8) => [pa5, pb8, 0] },
  // B read in place (whole 8-column panels): the KC×24 packed-8 buffer seen as a row-major KC×16 B
  { name: 'f32_gemm_5x8_wasmrelaxedsimd', ncs: [8, 16], operands: (_, pa5, pb8) => [pa5, pb8, 16] },
  { name: 'f32_gemm_3x12_wasmrelaxedsimd', ncs: [1, 4, 9, 10, 12], operands: (a, _, __, pb12) => [a, LDA, 1, pb12] },
  { name: 'f32_gemm_3x12_scalar', ncs: [1, 10], operands: (a, _, __, pb12) => [a, LDA, 1, pb12] },
];

describe('f32 macro-kernels with the epilogue in their store', () => {
  test('each gives the bits of the kernel without it, then f32_biasact_scalar (full and edge tiles, alpha, beta), writing only C\'s and pre\'s blocks', () => {
    const ex = rt.exports as unknown as Record<string, ((...a: number[]) => void) | undefined>;
    const ldc = 27, cLen = 13 * ldc;
    const [a, pa5, pb8, pb12, bias] = [13 * LDA, 15 * KC, 24 * KC, 12 * KC, 24].map((n, i) => f32([n], randoms(n, 40 + i).map((x) => x * 2)));
    const [c1, c2, pre1, pre2] = [0, 1, 2, 3].map(() => f32([cLen], new Float32Array(cLen)));
    const init = randoms(cLen, 50), tmp = rt.malloc(256);
    const ptr = (t: { view: View }) => (t.view.storage as unknown as { ptr: number }).ptr;
    // (bias, act, pre) cases: every part alone and together
    const EPILOGUES: [boolean, number, boolean][] = [[true, ACT_RELU, true], [true, ACT_GELU, true], [false, ACT_RELU, false], [false, ACT_GELU, true], [true, ACT_NONE, false], [false, ACT_NONE, true]];
    try {
      for (const { name, ncs, operands } of MACROS) {
        const kernel = ex[name];
        expect(kernel, name).toBeTypeOf('function');
        const ops = operands(ptr(a), ptr(pa5), ptr(pb8), ptr(pb12));
        for (const mc of [1, 7, 13]) for (const nc of ncs) for (const [alpha, beta] of [[1, 0], [-1.25, 0.75]]) {
          for (const [withBias, act, withPre] of EPILOGUES) {
            c1.arr().set(init); c2.arr().set(init); pre1.arr().fill(NaN); pre2.arr().fill(NaN);
            const b = withBias ? ptr(bias) : 0;
            kernel!(mc, nc, KC, ...ops, ptr(c1), ldc, alpha, beta, tmp, 0, 0, 0);
            ex.f32_biasact_scalar!(mc, nc, ptr(c1), ldc, b, act, withPre ? ptr(pre1) : 0);
            kernel!(mc, nc, KC, ...ops, ptr(c2), ldc, alpha, beta, tmp, b, act, withPre ? ptr(pre2) : 0);
            const what = `${name} ${mc}×${nc} beta ${beta} bias ${withBias} act ${act} pre ${withPre}`;
            expect(c1.arr().some((x, i) => x !== init[i]), what).toBe(true);
            expectSameBits(c2.arr(), c1.arr());
            expectSameBits(pre2.arr(), pre1.arr());
            // outside the mc×nc block: C keeps its values, pre stays NaN
            const outside = (i: number) => i >= mc * ldc || i % ldc >= nc;
            expect(c2.arr().findIndex((x, i) => outside(i) && x !== init[i]), what).toBe(-1);
            expect(pre2.arr().findIndex((x, i) => (!withPre || outside(i)) && !Number.isNaN(x)), what).toBe(-1);
          }
        }
      }
    } finally {
      rt.release(tmp);
      for (const t of [a, pa5, pb8, pb12, bias, c1, c2, pre1, pre2]) t.free();
    }
  });
});

/**
 * For g [batch, out] (values spread over 2^±12, so the summation order shows in the bits) and
 * x [batch, in]: [dW, db] from matmulRowSums(gᵀ, x), the same from matmul and the reduce sumTo runs
 * (gᵀ's rows walked as columns), and db from the scalar row-sum kernel.
 */
function rowSumsBoth(batch: number, out: number, inF: number, seed: number): Float32Array[] {
  const r = seeded(seed + 5);
  const G = f32([batch, out], randoms(batch * out, seed).map((v) => v * 2 ** Math.round(r() * 24 - 12)));
  const X = f32([batch, inF], randoms(batch * inF, seed + 1));
  const gt = { ...G.view, shape: [out, batch], strides: [1, out] };
  const dw = f32([out, inF], new Float32Array(out * inF).fill(NaN)), dwRef = f32([out, inF], new Float32Array(out * inF).fill(NaN));
  const db = f32([out], new Float32Array(out).fill(NaN)), dbRef = f32([out], new Float32Array(out).fill(NaN));
  const acc = rt.malloc(out * 8);
  try {
    backend.matmulRowSums(gt, X.view, dw.view, db.view);
    matmul(rt, gt, X.view, dwRef.view);
    backend.reduce('sum', gt, 1, dbRef.view);
    new Float64Array(rt.memory.buffer, acc, out).fill(0);
    (rt.exports.f32_rowsum_scalar as (...a: number[]) => void)(out, batch, (G.view.storage as unknown as { ptr: number }).ptr, 1, out, acc);
    const scalar = Float32Array.from(new Float64Array(rt.memory.buffer, acc, out));
    return [dw.arr().slice(), dwRef.arr().slice(), db.arr().slice(), dbRef.arr().slice(), scalar];
  } finally {
    rt.release(acc);
    for (const t of [G, X, dw, dwRef, db, dbRef]) t.free();
  }
}

// out: not multiples of 5 or 8; batch: one k block, several (784 → 4 × 196), a ragged one (517);
// in: A read in place (≤ 64 columns), the FMA 3×12 tile (10), packed A (67, 130), two NC blocks (2100)
const ROWSUM_SHAPES = [[1, 3, 10], [17, 2, 67], [300, 17, 130], [784, 130, 67], [517, 257, 10], [130, 131, 64], [257, 9, 130], [17, 3, 2100]];

describe('f32 GEMM with the row sums of A (bias gradient from the dW GEMM)', () => {
  const check = (runs: Float32Array[][]) => {
    for (const [dw, dwRef, db, dbRef, scalar] of runs) {
      expectSameBits(dw, dwRef);
      expectSameBits(db, dbRef);
      expectSameBits(scalar, dbRef);
    }
  };

  test('gives matmul\'s and the sum reduce\'s bits at awkward shapes, plain and FMA kernels', () => {
    for (const deterministic of [true, false]) {
      setDeterministic(deterministic);
      try {
        check(ROWSUM_SHAPES.map(([b, o, i], s) => rowSumsBoth(b, o, i, 100 + s)));
      } finally {
        setDeterministic(true);
      }
    }
  });

  test('an f32 accumulation would not pass: the sums differ from the f32 sequential sum somewhere', () => {
    const [, , db] = rowSumsBoth(784, 130, 67, 9);
    const r = seeded(9 + 5), g = randoms(784 * 130, 9).map((v) => v * 2 ** Math.round(r() * 24 - 12));
    const f32sums = Array.from({ length: 130 }, (_, o) => { let s = 0; for (let b = 0; b < 784; b++) s = Math.fround(s + g[b * 130 + o]); return s; });
    expect(f32sums.some((v, o) => v !== db[o])).toBe(true);
  });

  test('gives the same bits on 2 threads, split over M and over N', async () => {
    const prev = setPoolMinFlops(0);
    try {
      expect(await startPool(rt, 2)).toBe(2);
      for (const deterministic of [true, false]) {
        setDeterministic(deterministic);
        check(ROWSUM_SHAPES.map(([b, o, i], s) => rowSumsBoth(b, o, i, 100 + s)));
        check([rowSumsBoth(300, 9, 700, 1), rowSumsBoth(300, 700, 9, 2)]); // wide n: split N; tall m: split M
      }
    } finally {
      setDeterministic(true);
      setPoolMinFlops(prev);
      await stopPool();
    }
  });

  test('any layout of a, NaN and Inf: each sum is the f64 sum in k order rounded once (a JS loop is that sum)', () => {
    for (const deterministic of [true, false]) for (const [m, k, n, rowMajor] of [[13, 300, 70, true], [21, 517, 9, false], [9, 40, 130, true]] as const) {
      setDeterministic(deterministic);
      const data = randoms(m * k, m + k).map((v, i) => (i % 97 === 5 ? [NaN, Infinity, -Infinity][i % 3] : v * 2 ** (i % 25 - 12)));
      const A = f32(rowMajor ? [m, k] : [k, m], data), X = f32([k, n], randoms(k * n, 3));
      const a = rowMajor ? A.view : { ...A.view, shape: [m, k], strides: [1, m] };
      const at = (i: number, p: number) => data[rowMajor ? i * k + p : p * m + i];
      const dw = f32([m, n], new Float32Array(m * n)), db = f32([m], new Float32Array(m)), dwRef = f32([m, n], new Float32Array(m * n));
      try {
        backend.matmulRowSums(a, X.view, dw.view, db.view);
        matmul(rt, a, X.view, dwRef.view);
        expectSameBits(dw.arr(), dwRef.arr());
        expectSameBits(db.arr(), Float32Array.from({ length: m }, (_, i) => { let s = 0; for (let p = 0; p < k; p++) s += at(i, p); return s; }));
      } finally {
        setDeterministic(true);
        for (const t of [A, X, dw, db, dwRef]) t.free();
      }
    }
  });

  test('k = 0 gives zero sums, n = 0 still sums', () => {
    check([rowSumsBoth(0, 5, 7, 1), rowSumsBoth(33, 6, 0, 2)]);
  });

  test('rejects f64, batched or strided outputs and wrong-sized sums with a DescentError, writing nothing', () => {
    const G = f32([4, 3], randoms(12, 1)), X = f32([4, 5], randoms(20, 2));
    const gt = { ...G.view, shape: [3, 4], strides: [1, 3] };
    const dw = f32([3, 5], new Float32Array(15).fill(NaN)), db = f32([3], new Float32Array(3).fill(NaN)), small = f32([2], new Float32Array(2));
    try {
      const f64 = { ...db.view, storage: { ...db.view.storage, dtype: 'f64' } } as View;
      const batched = { ...dw.view, shape: [1, 3, 5], strides: [15, 5, 1] };
      const strided = { ...dw.view, shape: [3, 5], strides: [1, 3] };
      for (const [o, s] of [[dw.view, small.view], [dw.view, f64], [batched, db.view], [strided, db.view]] as const) {
        expect(() => backend.matmulRowSums(gt, X.view, o, s)).toThrow(DescentError);
      }
      expect(dw.arr().every(Number.isNaN) && db.arr().every(Number.isNaN)).toBe(true);
    } finally {
      for (const t of [G, X, dw, db, small]) t.free();
    }
  });
});
