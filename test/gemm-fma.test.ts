// The relaxed-SIMD FMA path's own kernels (assembly/f32-gemm/5x8-*, 3x12-*, 4x2c4-*): the 5-row A
// packer against the generic scalar packer bit for bit, the 5×8, small-n 3×12 and k-vectorised
// 4×2c4 FMA macro-kernels against their unfused scalar twins within the f32 bound, 3×12 against
// the 4×8 FMA kernel bit for bit (same operations per element), and the twins against a float64
// oracle. Driver-level FMA tests (oracle, threads) are in gemm.test.ts.

import { beforeAll, describe, expect, test } from 'vitest';
import { loadRuntime, type WasmRuntime } from '../ts/backend/wasm/runtime.js';
import { expectSameBits, seeded } from './helpers/compare.js';

let rt: WasmRuntime;
beforeAll(async () => { rt = await loadRuntime(); });

describe('kernels: relaxed 5×8 against its scalar twin', () => {
  test('f32_gemm_5x8_packa_wasmsimd = x32_packb_scalar with w = 5 bit for bit (row-, column-major, general strides, tails)', () => {
    const ex = rt.exports as unknown as Record<string, (...a: number[]) => void>;
    const src = rt.malloc(4 * 4096), d1 = rt.malloc(4 * 4096), d2 = rt.malloc(4 * 4096);
    const s = new Float32Array(rt.memory.buffer, src, 4096), r = seeded(77);
    for (let i = 0; i < s.length; i++) s[i] = r() - 0.5;
    for (const [kc, n, sp, sk] of [[13, 19, 40, 1], [13, 19, 1, 40], [16, 10, 17, 1], [9, 11, 3, 70], [1, 7, 1, 1], [64, 5, 64, 1], [64, 25, 1, 64], [3, 2, 5, 1]]) {
      new Float32Array(rt.memory.buffer, d1, 4096).fill(1); new Float32Array(rt.memory.buffer, d2, 4096).fill(2);
      ex.x32_packb_scalar(5, kc, n, src, sp, sk, d1);
      ex.f32_gemm_5x8_packa_wasmsimd(kc, n, src, sp, sk, d2);
      const len = Math.ceil(n / 5) * 5 * kc;
      expect(Array.from(new Uint32Array(rt.memory.buffer, d2, len + 1)), `${kc} ${n} ${sp} ${sk}`)
        .toEqual([...new Uint32Array(rt.memory.buffer, d1, len), new Uint32Array(new Float32Array([2]).buffer)[0]]);
    }
    rt.release(src); rt.release(d1); rt.release(d2);
  });

  test('f32_gemm_5x8_wasmrelaxedsimd ≈ f32_gemm_5x8_scalar within the f32 bound (alpha, beta, edge tiles)', () => {
    const ex = rt.exports as unknown as Record<string, ((...a: number[]) => void) | undefined>;
    expect(rt.info.build).toBe('relaxed'); // vitest.config passes Node 20 the relaxed-SIMD flag
    const mc = 13, nc = 19, kc = 23, ldc = 21;
    const pa = rt.malloc(15 * kc * 4), pb = rt.malloc(24 * kc * 4), c1 = rt.malloc(mc * ldc * 4), c2 = rt.malloc(mc * ldc * 4), tmp = rt.malloc(256);
    const r = seeded(55);
    for (const [p, len] of [[pa, 15 * kc], [pb, 24 * kc]]) { const a = new Float32Array(rt.memory.buffer, p, len); for (let i = 0; i < len; i++) a[i] = r() - 0.5; }
    const init = new Float32Array(mc * ldc).map(() => r() - 0.5);
    for (const [alpha, beta] of [[1, 0], [0.5, 1], [-1.25, 0.75]]) {
      new Float32Array(rt.memory.buffer, c1, mc * ldc).set(init); new Float32Array(rt.memory.buffer, c2, mc * ldc).set(init);
      ex.f32_gemm_5x8_scalar!(mc, nc, kc, pa, pb, 0, c1, ldc, alpha, beta, tmp, 0, 0, 0);
      ex.f32_gemm_5x8_wasmrelaxedsimd!(mc, nc, kc, pa, pb, 0, c2, ldc, alpha, beta, tmp, 0, 0, 0);
      const want = new Float32Array(rt.memory.buffer, c1, mc * ldc), got = new Float32Array(rt.memory.buffer, c2, mc * ldc);
      for (let e = 0; e < mc * ldc; e++) {
        // columns ≥ nc are padding and must stay untouched; the rest agree to kc roundings
        if (e % ldc >= nc) expect(got[e]).toBe(init[e]);
        else expect(Math.abs(got[e] - want[e])).toBeLessThan(kc * 2 ** -22 * 4);
      }
    }
    for (const p of [pa, pb, c1, c2, tmp]) rt.release(p);
  });

  test('f32_gemm_5x8_wasmrelaxedsimd with row-major B in place = the same kernel on B packed, bit for bit; ≈ its scalar twin on B in place', () => {
    const ex = rt.exports as unknown as Record<string, (...a: number[]) => void>;
    const mc = 13, kc = 23, ldb = 27, ldc = 26;
    const pa = rt.malloc(15 * kc * 4), b = rt.malloc(kc * ldb * 4), pb = rt.malloc(24 * kc * 4), tmp = rt.malloc(256);
    const cs = [0, 1, 2].map(() => rt.malloc(mc * ldc * 4));
    const r = seeded(57);
    for (const [p, len] of [[pa, 15 * kc], [b, kc * ldb]]) { const v = new Float32Array(rt.memory.buffer, p, len); for (let i = 0; i < len; i++) v[i] = r() - 0.5; }
    const init = new Float32Array(mc * ldc).map(() => r() - 0.5);
    for (const nc of [8, 24]) for (const [alpha, beta] of [[1, 0], [-1.25, 0.75]]) {
      for (const c of cs) new Float32Array(rt.memory.buffer, c, mc * ldc).set(init);
      ex.x32_packb_scalar(8, kc, nc, b, 1, ldb, pb);
      ex.f32_gemm_5x8_wasmrelaxedsimd(mc, nc, kc, pa, pb, 0, cs[0], ldc, alpha, beta, tmp, 0, 0, 0);
      ex.f32_gemm_5x8_wasmrelaxedsimd(mc, nc, kc, pa, b, ldb, cs[1], ldc, alpha, beta, tmp, 0, 0, 0);
      ex.f32_gemm_5x8_scalar(mc, nc, kc, pa, b, ldb, cs[2], ldc, alpha, beta, tmp, 0, 0, 0);
      const [packed, inPlace, twin] = cs.map((c) => new Float32Array(rt.memory.buffer, c, mc * ldc));
      expectSameBits(inPlace, packed);
      for (let e = 0; e < mc * ldc; e++) {
        if (e % ldc >= nc) expect(inPlace[e]).toBe(init[e]);
        else expect(Math.abs(inPlace[e] - twin[e]), `${nc} ${alpha} ${e}`).toBeLessThan(kc * 2 ** -22 * 4);
      }
    }
    for (const p of [pa, b, pb, tmp, ...cs]) rt.release(p);
  });

  test('f32_gemm_3x12_wasmrelaxedsimd ≈ its scalar twin and = f32_gemm_4x8_wasmrelaxedsimd bit for bit (A row- and column-major, nc 9..12, alpha, beta)', () => {
    const ex = rt.exports as unknown as Record<string, (...a: number[]) => void>;
    const mc = 13, kc = 23, ldc = 14, lda = 29, aLen = Math.max(kc * lda + mc, mc * lda + kc);
    const a = rt.malloc(aLen * 4), b = rt.malloc(12 * kc * 4), p12 = rt.malloc(12 * kc * 4), p8 = rt.malloc(16 * kc * 4), tmp = rt.malloc(256);
    const cs = [0, 1, 2].map(() => rt.malloc(mc * ldc * 4));
    const r = seeded(66);
    for (const [p, len] of [[a, aLen], [b, 12 * kc]]) { const v = new Float32Array(rt.memory.buffer, p, len); for (let i = 0; i < len; i++) v[i] = r() - 0.5; }
    const init = new Float32Array(mc * ldc).map(() => r() - 0.5);
    for (const nc of [9, 10, 11, 12]) {
      ex.x32_packb_scalar(12, kc, nc, b, 1, nc, p12);
      ex.x32_packb_scalar(8, kc, nc, b, 1, nc, p8);
      for (const [aRow, aK] of [[lda, 1], [1, lda]]) {
        for (const [alpha, beta] of [[1, 0], [0.5, 1], [-1.25, 0.75]]) {
          for (const c of cs) new Float32Array(rt.memory.buffer, c, mc * ldc).set(init);
          ex.f32_gemm_3x12_scalar(mc, nc, kc, a, aRow, aK, p12, cs[0], ldc, alpha, beta, tmp, 0, 0, 0);
          ex.f32_gemm_3x12_wasmrelaxedsimd(mc, nc, kc, a, aRow, aK, p12, cs[1], ldc, alpha, beta, tmp, 0, 0, 0);
          ex.f32_gemm_4x8_wasmrelaxedsimd(mc, nc, kc, a, aRow, aK, 4 * aRow, p8, cs[2], ldc, alpha, beta, tmp, 0, 0, 0);
          const [want, got, four] = cs.map((c) => new Float32Array(rt.memory.buffer, c, mc * ldc));
          expect(Array.from(got), `${nc} ${aRow} ${alpha}`).toEqual(Array.from(four));
          for (let e = 0; e < mc * ldc; e++) {
            if (e % ldc >= nc) expect(got[e]).toBe(init[e]);
            else expect(Math.abs(got[e] - want[e])).toBeLessThan(kc * 2 ** -22 * 4);
          }
        }
      }
    }
    for (const p of [a, b, p12, p8, tmp, ...cs]) rt.release(p);
  });
});

describe('kernels: the k-vectorised 4×2c4 (narrow C, A rows and B columns along k)', () => {
  const ex = () => rt.exports as unknown as Record<string, (...a: number[]) => void>;
  /** A [mc×lda] row-major, B as nc columns of ldb floats, C [mc×ldc] with padding, bias [nc], pre like C. */
  function setup(mc: number, nc: number, kc: number, seed: number) {
    const lda = kc + 3, ldb = kc + 5, ldc = nc + 2, r = seeded(seed);
    const ptrs = { a: rt.malloc(mc * lda * 4), b: rt.malloc(nc * ldb * 4), bias: rt.malloc(nc * 4), c: [0, 1].map(() => rt.malloc(mc * ldc * 4)), pre: [0, 1].map(() => rt.malloc(mc * ldc * 4)) };
    for (const [p, len] of [[ptrs.a, mc * lda], [ptrs.b, nc * ldb], [ptrs.bias, nc]]) { const v = new Float32Array(rt.memory.buffer, p, len); for (let i = 0; i < len; i++) v[i] = r() - 0.5; }
    const init = new Float32Array(mc * ldc).map(() => r() - 0.5);
    const free = () => { for (const p of [ptrs.a, ptrs.b, ptrs.bias, ...ptrs.c, ...ptrs.pre]) rt.release(p); };
    return { lda, ldb, ldc, ptrs, init, free };
  }

  test('f32_gemm_4x2c4_wasmrelaxedsimd ≈ its scalar twin (every mc ≤ 9, nc ≤ 12, k tails 0..3, alpha, beta, bias, relu, gelu, pre); padding untouched', () => {
    for (const kc of [4, 5, 6, 7, 33]) for (let mc = 1; mc <= 9; mc++) for (let nc = 1; nc <= 12; nc++) {
      const { lda, ldb, ldc, ptrs, init, free } = setup(mc, nc, kc, mc * 100 + nc * 7 + kc);
      for (const [alpha, beta, act, withBias] of [[1, 0, 0, false], [0.5, 1, 1, true], [-1.25, 0.75, 2, true]] as const) {
        for (const s of [0, 1]) {
          new Float32Array(rt.memory.buffer, ptrs.c[s], mc * ldc).set(init);
          new Float32Array(rt.memory.buffer, ptrs.pre[s], mc * ldc).set(init);
          ex()[s === 0 ? 'f32_gemm_4x2c4_scalar' : 'f32_gemm_4x2c4_wasmrelaxedsimd'](mc, nc, kc, ptrs.a, lda, ptrs.b, ldb, ptrs.c[s], ldc,
            alpha, beta, withBias ? ptrs.bias : 0, act, ptrs.pre[s]);
        }
        const [want, got] = ptrs.c.map((p) => new Float32Array(rt.memory.buffer, p, mc * ldc));
        const [wantPre, gotPre] = ptrs.pre.map((p) => new Float32Array(rt.memory.buffer, p, mc * ldc));
        for (let e = 0; e < mc * ldc; e++) {
          const where = `mc ${mc} nc ${nc} kc ${kc} act ${act} element ${e}`;
          if (e % ldc >= nc) { expect(got[e], where).toBe(init[e]); expect(gotPre[e], where).toBe(init[e]); continue; }
          expect(Math.abs(got[e] - want[e]), where).toBeLessThan(kc * 2 ** -22 * 4);
          expect(Math.abs(gotPre[e] - wantPre[e]), where).toBeLessThan(kc * 2 ** -22 * 4);
        }
      }
      free();
    }
  });

  test('its scalar twin is A·B + bias within the f32 bound of a float64 oracle (k tails included)', () => {
    for (const [mc, nc, kc] of [[5, 10, 257], [3, 7, 6], [9, 12, 4], [1, 1, 31]]) {
      const { lda, ldb, ldc, ptrs, free } = setup(mc, nc, kc, mc + nc + kc);
      ex().f32_gemm_4x2c4_scalar(mc, nc, kc, ptrs.a, lda, ptrs.b, ldb, ptrs.c[0], ldc, 1, 0, ptrs.bias, 0, 0);
      const a = new Float32Array(rt.memory.buffer, ptrs.a, mc * lda), b = new Float32Array(rt.memory.buffer, ptrs.b, nc * ldb);
      const bias = new Float32Array(rt.memory.buffer, ptrs.bias, nc), c = new Float32Array(rt.memory.buffer, ptrs.c[0], mc * ldc);
      for (let i = 0; i < mc; i++) for (let j = 0; j < nc; j++) {
        let want = bias[j];
        for (let p = 0; p < kc; p++) want += a[i * lda + p] * b[j * ldb + p];
        expect(Math.abs(c[i * ldc + j] - want), `${mc} ${nc} ${kc} (${i}, ${j})`).toBeLessThan((kc + 1) * 2 ** -22 * 4);
      }
      free();
    }
  });

  test('the k tail counts each element once: an infinite element already summed stays +Inf, not 0·Inf = NaN', () => {
    for (const kc of [5, 6, 7]) {
      const { lda, ldb, ldc, ptrs, free } = setup(4, 2, kc, kc);
      const a = new Float32Array(rt.memory.buffer, ptrs.a, 4 * lda), b = new Float32Array(rt.memory.buffer, ptrs.b, 2 * ldb);
      a.fill(1); b.fill(1);
      a[kc - 4] = Infinity; // lane 0 of the tail vector: summed by the whole-vector loop, masked in the tail
      b[ldb + kc - 4] = Infinity;
      for (const name of ['f32_gemm_4x2c4_wasmrelaxedsimd', 'f32_gemm_4x2c4_scalar']) {
        ex()[name](4, 2, kc, ptrs.a, lda, ptrs.b, ldb, ptrs.c[0], ldc, 1, 0, 0, 0, 0);
        const c = new Float32Array(rt.memory.buffer, ptrs.c[0], 4 * ldc);
        expect([c[0], c[1], c[ldc], c[ldc + 1]], `${name} kc ${kc}`).toEqual([Infinity, Infinity, kc, Infinity]);
      }
      free();
    }
  });
});
