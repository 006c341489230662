// kernels.sgemm / kernels.dgemm (ts/kernels/gemm.ts): BLAS-style row-major GEMM on typed arrays:
// transposes, alpha/beta, leading dimensions (elements between rows untouched), and validation.

import { beforeAll, describe, expect, test } from 'vitest';
import { loadRuntime, type WasmRuntime } from '../ts/backend/wasm/runtime.js';
import { sgemmOn, dgemmOn } from '../ts/kernels/gemm.js';
import { DescentError } from '../ts/errors.js';

let rt: WasmRuntime;
beforeAll(async () => { rt = await loadRuntime(); });

function fill<T extends Float32Array | Float64Array>(a: T, seed: number): T {
  let s = seed;
  for (let i = 0; i < a.length; i++) { s = (s * 1103515245 + 12345) % 2 ** 31; a[i] = s / 2 ** 30 - 1; }
  return a;
}

/** op(A)(i, p) and op(B)(p, j) through the stored layouts. */
function oracle(m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>, transA: boolean, transB: boolean,
                lda: number, ldb: number, alpha: number, beta: number, c0: ArrayLike<number> | undefined, ldc: number): Float64Array {
  const out = new Float64Array(m * ldc);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
    out[i * ldc + j] = alpha * s + (beta !== 0 ? beta * (c0 as ArrayLike<number>)[i * ldc + j] : 0);
  }
  return out;
}

describe('sgemm / dgemm', () => {
  test.each([[false, false], [false, true], [true, false], [true, true]])('transA %s transB %s with alpha, beta, lda/ldb/ldc', (transA, transB) => {
    const m = 13, n = 21, k = 17, lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5;
    for (const [alpha, beta] of [[1, 0], [2.5, -0.5], [-1, 1]]) {
      const a = fill(new Float32Array(((transA ? k : m) - 1) * lda + (transA ? m : k)), 1);
      const b = fill(new Float32Array(((transB ? n : k) - 1) * ldb + (transB ? k : n)), 2);
      const c = fill(new Float32Array((m - 1) * ldc + n), 3);
      const c0 = c.slice();
      const r = sgemmOn(rt, m, n, k, a, b, { transA, transB, alpha, beta, c, lda, ldb, ldc });
      expect(r).toBe(c);
      const want = oracle(m, n, k, a, b, transA, transB, lda, ldb, alpha, beta, c0, ldc);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) expect(Math.abs(c[i * ldc + j] - want[i * ldc + j])).toBeLessThan(1e-5);
        for (let j = n; j < ldc && i < m - 1; j++) expect(c[i * ldc + j]).toBe(c0[i * ldc + j]); // padding untouched
      }
      const ad = Float64Array.from(a), bd = Float64Array.from(b), cd = Float64Array.from(c0);
      dgemmOn(rt, m, n, k, ad, bd, { transA, transB, alpha, beta, c: cd, lda, ldb, ldc });
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(Math.abs(cd[i * ldc + j] - want[i * ldc + j])).toBeLessThan(1e-12);
    }
  });

  test('defaults: a new m×n result, beta = 0 never reads C (NaN in C is overwritten)', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]), b = new Float32Array([1, 0, 0, 1, 1, 1]);
    expect(Array.from(sgemmOn(rt, 2, 2, 3, a, b))).toEqual([4, 5, 10, 11]);
    const c = new Float32Array(4).fill(NaN);
    expect(Array.from(sgemmOn(rt, 2, 2, 3, a, b, { c }))).toEqual([4, 5, 10, 11]);
    expect(Array.from(sgemmOn(rt, 2, 2, 0, a, b))).toEqual([0, 0, 0, 0]);
    expect(sgemmOn(rt, 0, 2, 3, a, b).length).toBe(0);
  });

  test('bad arguments are DescentErrors naming expected and got', () => {
    const a = new Float32Array(6), b = new Float32Array(6);
    const cases: [() => unknown, RegExp][] = [
      [() => sgemmOn(rt, 2.5, 2, 3, a, b), /integers ≥ 0.*m 2.5/],
      [() => sgemmOn(rt, -1, 2, 3, a, b), /integers ≥ 0/],
      [() => sgemmOn(rt, 3, 2, 3, a, b), /A \(3×3, row stride 3\) needs at least 9 elements, got 6/],
      [() => sgemmOn(rt, 2, 2, 3, a, b, { lda: 2 }), /lda to be an integer ≥ 3.*got number 2/],
      [() => sgemmOn(rt, 2, 2, 3, a, b, { ldb: 1.5 }), /ldb/],
      [() => sgemmOn(rt, 2, 2, 3, a, b, { c: new Float32Array(3) }), /C \(2×2, row stride 2\) needs at least 4 elements, got 3/],
      [() => sgemmOn(rt, 2, 2, 3, a, b, { beta: 1 }), /beta = 1 reads C, but no c was given/],
      [() => sgemmOn(rt, 2, 2, 3, a, b, { transa: true } as never), /unknown option 'transa'/],
      [() => sgemmOn(rt, 2, 2, 3, a, b, { transA: 1 } as never), /transA to be a boolean/],
      [() => sgemmOn(rt, 2, 2, 3, a, b, { alpha: '2' } as never), /alpha to be a number/],
      [() => sgemmOn(rt, 2, 2, 3, new Float64Array(6) as never, b), /A to be a Float32Array, got Float64Array/],
      [() => dgemmOn(rt, 2, 2, 3, new Float64Array(6), b as never), /B to be a Float64Array, got Float32Array/],
    ];
    for (const [f, msg] of cases) {
      expect(f).toThrow(DescentError);
      expect(f).toThrow(msg);
    }
  });
});
