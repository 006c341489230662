// Symmetric products (ts/backend/wasm/syrk.ts) against a float64 JS oracle and against the full
// GEMM: X·Xᵀ with X row-major (A read in place) and column-major (A packed), and A·A with A
// symmetric and beta ≠ 0, on sizes across the 4/8-tile, 8-row strip, MC = 128 and KC = 256 edges;
// plain and FMA kernels; 1, 2 and 3 threads (the triangle split by area into column or row shares)
// bit-identical; nothing written outside C.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadRuntime, type WasmRuntime } from '../ts/backend/wasm/runtime.js';
import { KERNEL_F32, KERNEL_F32_RELAXED, OPERAND_SAME, gemm } from '../ts/backend/wasm/gemm.js';
import { symmetricProduct, type SymmetricCall } from '../ts/backend/wasm/syrk.js';
import { setPoolMinFlops, startPool, stopPool } from '../ts/backend/wasm/threads.js';

let rt: WasmRuntime;
beforeAll(async () => { rt = await loadRuntime(); });
afterAll(async () => { await stopPool(); });

function rand(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 31 - 1; };
}

const SIZES: [number, number][] = [[1, 1], [3, 5], [17, 300], [255, 64], [257, 33], [130, 513]];
const GUARD = 16; // NaN floats either side of C: a write outside it shows

interface Case { call: SymmetricCall; want(): Float64Array; cBase: number; free(): void }

/** Operands in wasm memory and the f64 oracle for C = alpha·A·B + beta·C0. */
function makeCase(kind: 'xxt-row' | 'xxt-col' | 'aa', n: number, k: number, kernel: number, seed: number): Case {
  const r = rand(seed);
  const kk = kind === 'aa' ? n : k;
  const x = Float32Array.from({ length: n * kk }, r);
  if (kind === 'aa') for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) x[i * n + j] = x[j * n + i];
  const px = rt.malloc(x.length * 4), pc = rt.malloc((n * n + 2 * GUARD) * 4);
  new Float32Array(rt.memory.buffer, px, x.length).set(x);
  const c0 = Float32Array.from({ length: n * n }, (_, i) => x[(Math.floor(i / n) * kk + (i % n)) % x.length]);
  const cMem = new Float32Array(rt.memory.buffer, pc, n * n + 2 * GUARD).fill(NaN);
  // X·Xᵀ: X n×k row-major (strides k, 1) or stored transposed (strides 1, n); A·A: A symmetric
  const [xRs, xCs] = kind === 'xxt-row' ? [kk, 1] : kind === 'xxt-col' ? [1, n] : [n, 1];
  const at = (i: number, p: number): number => x[i * xRs + p * xCs];
  const alpha = kind === 'aa' ? 2.0315 : 1, beta = kind === 'aa' ? -4.775 : 0;
  if (beta !== 0) cMem.set(c0, GUARD);
  const want = (): Float64Array => {
    const w = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < kk; p++) s += at(i, p) * (kind === 'aa' ? at(p, j) : at(j, p));
        w[i * n + j] = alpha * s + beta * (beta !== 0 ? c0[i * n + j] : 0);
      }
    }
    return w;
  };
  const call: SymmetricCall = kind === 'aa'
    ? { kernel, n, k: n, a: px, aRs: n, aCs: 1, b: px, bRs: n, bCs: 1, c: pc + GUARD * 4, alpha, beta }
    : { kernel, n, k: kk, a: px, aRs: xRs, aCs: xCs, b: px, bRs: xCs, bCs: xRs, c: pc + GUARD * 4, alpha, beta };
  return { call, want, cBase: pc, free: () => { rt.release(px); rt.release(pc); } };
}

const read = (c: Case): Float32Array => new Float32Array(rt.memory.buffer, c.cBase, c.call.n * c.call.n + 2 * GUARD).slice();

function run(c: Case): Float32Array {
  symmetricProduct(rt, c.call);
  return read(c);
}

/** Max |got − want| / (|alpha|·Σ|a·b| + |beta·C0|)-style bound check, with the guards intact. */
function expectNear(got: Float32Array, c: Case, tag: string): void {
  const n = c.call.n;
  for (let g = 0; g < GUARD; g++) {
    if (!Number.isNaN(got[g]) || !Number.isNaN(got[GUARD + n * n + g])) expect.fail(`${tag}: wrote outside C`);
  }
  const want = c.want();
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  const tol = 4e-7 * Math.sqrt(c.call.k + 1) * 8 * scale;
  for (let e = 0; e < n * n; e++) {
    const d = Math.abs(got[GUARD + e] - want[e]);
    if (!(d <= tol)) expect.fail(`${tag} [${Math.floor(e / n)},${e % n}]: ${got[GUARD + e]} vs ${want[e]}`);
  }
}

const KINDS = ['xxt-row', 'xxt-col', 'aa'] as const;
const KERNELS = (): number[] => typeof rt.exports.f32_gemm_4x8_wasmrelaxedsimd === 'function' ? [KERNEL_F32, KERNEL_F32_RELAXED] : [KERNEL_F32];

describe('symmetric product', () => {
  test('matches the f64 oracle on every kind and awkward size, plain and FMA kernels', () => {
    for (const kernel of KERNELS()) {
      for (const kind of KINDS) {
        for (const [n, k] of SIZES) {
          const c = makeCase(kind, n, k, kernel, n * 31 + k);
          expectNear(run(c), c, `${kind} n=${n} k=${k} kernel=${kernel}`);
          c.free();
        }
      }
    }
  });

  test('the upper triangle equals the full GEMM bit for bit, and the lower is its mirror', () => {
    for (const kind of KINDS) {
      for (const [n, k] of SIZES) {
        const c = makeCase(kind, n, k, KERNEL_F32, n + 7 * k);
        const before = read(c);
        const got = run(c);
        new Float32Array(rt.memory.buffer, c.cBase, before.length).set(before);
        const g = c.call;
        gemm(rt, { ...g, m: n, aKind: OPERAND_SAME, bKind: OPERAND_SAME, ldc: n });
        const full = read(c);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const e = GUARD + i * n + j, upper = GUARD + Math.min(i, j) * n + Math.max(i, j);
            if (got[e] !== full[upper]) expect.fail(`${kind} n=${n} k=${k} [${i},${j}]: ${got[e]} vs ${full[upper]}`);
          }
        }
        c.free();
      }
    }
  });

  test('1, 2 and 3 threads give the same bits, split by columns (A in place) or rows (A packed), both kernels', async () => {
    // every product split (threshold 0), so small n exercises empty and one-tile shares too
    const shapes: [number, number][] = [[1, 3], [7, 300], [130, 57], [257, 513], [1024, 40]];
    const one = new Map<string, Float32Array>();
    const prevMin = setPoolMinFlops(0);
    try {
      for (const threads of [1, 2, 3]) {
        expect(await startPool(rt, threads)).toBe(threads);
        for (const kernel of KERNELS()) {
          for (const kind of KINDS) {
            for (const [n, k] of shapes) {
              const c = makeCase(kind, n, k, kernel, n ^ k);
              const got = run(c);
              const tag = `${kind} ${n}×${k} kernel=${kernel}`;
              if (threads === 1) {
                if (n <= 257) expectNear(got, c, tag);
                one.set(tag, got);
              } else if (!bitsEqual(got, one.get(tag)!)) {
                expect.fail(`${tag}: ${threads} threads differ from 1`);
              }
              c.free();
            }
          }
        }
      }
    } finally {
      setPoolMinFlops(prevMin);
      await stopPool();
    }
  });
});

/** Bitwise equality (NaN guards included), without vitest's slow deep diff on big arrays. */
function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
