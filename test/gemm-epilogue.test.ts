// The GEMM's fused f32 epilogue (assembly/f32-biasact, run by ts/backend/wasm/gemm.ts on each C
// block after its last k step): act(a·b + bias) must give the bits of matmul, then the f32 bias
// add, then relu or the wasm unary gelu — on the plain and FMA kernels, on 1 and 2 threads, at
// awkward shapes; the optional pre-activation output must hold the bits before the activation.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { View } from '../ts/backend/backend.js';
import { loadRuntime, type WasmRuntime } from '../ts/backend/wasm/runtime.js';
import { ACT_GELU, ACT_NONE, ACT_RELU, matmul, matmulEpilogue, setDeterministic } from '../ts/backend/wasm/gemm.js';
import { WasmBackend } from '../ts/backend/wasm/index.js';
import { startPool, stopPool } from '../ts/backend/wasm/threads.js';
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
 */
function both(m: number, n: number, k: number, act: number, withBias: boolean, seed: number): [Float32Array, Float32Array, Float32Array, Float32Array] {
  const A = f32([m, k], randoms(m * k, seed).map((x) => x * 3)), B = f32([k, n], randoms(k * n, seed + 1));
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

  test('matches on the relaxed FMA kernels (5×8 over packed A, 4×8 in place), k blocked', () => {
    setDeterministic(false);
    try {
      for (const act of [ACT_RELU, ACT_GELU]) for (const [m, n, k] of [[131, 67, 517], [257, 130, 784], [17, 10, 300]]) {
        const [got, want, pre, wantPre] = both(m, n, k, act, true, m + n + k);
        expectSameBits(got, want);
        expectSameBits(pre, wantPre);
      }
    } finally {
      setDeterministic(true);
    }
  });

  test('gives the same bits on 1 and 2 threads', async () => {
    const runs: Float32Array[] = [];
    try {
      for (const threads of [1, 2]) {
        expect(await startPool(rt, threads)).toBe(threads);
        for (const act of [ACT_RELU, ACT_GELU]) for (const [m, n, k] of [[263, 150, 300], [8, 700, 130]]) runs.push(...both(m, n, k, act, true, 11).slice(0, 3));
      }
    } finally {
      await stopPool();
    }
    const half = runs.length / 2;
    for (let i = 0; i < half; i++) expectSameBits(runs[half + i], runs[i]);
  });
});
