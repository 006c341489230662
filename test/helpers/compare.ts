// Test helpers: seeded data, the same computation on two devices, and tolerant comparison.

import { expect } from 'vitest';
import * as d from '../../ts/index.js';

/** Deterministic pseudo-random numbers (mulberry32) independent of the engine's RNG. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomValues(n: number, seed: number, lo = -3, hi = 3): number[] {
  const r = seeded(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

export const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Same data as a tensor on `device`. */
export function make(shape: number[], values: number[], dtype: d.DType, device: d.Device): d.Tensor {
  return d.tensor(dtype === 'f64' ? Float64Array.from(values) : dtype === 'i32' ? Int32Array.from(values, Math.round) : Float32Array.from(values),
    { shape, dtype, device });
}

export const TOL: Record<d.DType, { rtol: number; atol: number }> = {
  f64: { rtol: 1e-12, atol: 1e-13 },
  f32: { rtol: 2e-6, atol: 1e-6 },
  f16: { rtol: 1e-3, atol: 1e-3 },
  bf16: { rtol: 8e-3, atol: 8e-3 },
  i32: { rtol: 0, atol: 0 },
};

/** Elementwise closeness with NaN == NaN and equal infinities. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: { rtol: number; atol: number }, what = ''): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      expect(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)) || g === w, `${what}[${i}]: got ${g}, want ${w}`).toBe(true);
      continue;
    }
    const err = Math.abs(g - w);
    if (!(err <= tol.atol + tol.rtol * Math.abs(w))) {
      expect.fail(`${what}[${i}]: got ${g}, want ${w} (err ${err.toExponential(2)} > atol ${tol.atol} + rtol ${tol.rtol})`);
    }
  }
}

/** Bit equality (NaNs included), naming the first differing element (fast on 66k elements). */
export function expectSameBits(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length), b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  const i = a.findIndex((x, j) => x !== b[j]);
  expect(i === -1 ? null : { index: i, got: got[i], want: want[i] }).toBeNull();
}

/** Runs build() on wasm and on reference and compares shapes, dtypes and values. */
export function sameOnBoth(what: string, build: (device: d.Device) => d.Tensor, tol?: { rtol: number; atol: number }): void {
  d.tidy(() => {
    const ref = build('reference');
    const got = build('wasm');
    expect(got.shape, `${what}: shape`).toEqual(ref.shape);
    expect(got.dtype, `${what}: dtype`).toBe(ref.dtype);
    expect(got.device).toBe('wasm');
    expectClose(got.dataSync(), ref.dataSync(), tol ?? TOL[ref.dtype], what);
  });
}

export type Layout = 'contiguous' | 'transposed' | 'strided' | 'broadcast';
export const LAYOUTS: Layout[] = ['contiguous', 'transposed', 'strided', 'broadcast'];

/** A tensor of `shape` on `device` laid out as `layout` (the values depend only on seed). */
export function input(shape: number[], layout: Layout, dtype: d.DType, device: d.Device, seed: number, lo = -3, hi = 3): d.Tensor {
  const n = sizeOf(shape);
  if (layout === 'contiguous' || shape.length < 1) return make(shape, randomValues(n, seed, lo, hi), dtype, device);
  if (layout === 'transposed' && shape.length >= 2) {
    const sw = [...shape];
    [sw[0], sw[sw.length - 1]] = [sw[sw.length - 1], sw[0]];
    return make(sw, randomValues(n, seed, lo, hi), dtype, device).transpose(0, -1);
  }
  if (layout === 'strided') {
    const wide = [...shape.slice(0, -1), shape[shape.length - 1] * 2 + 1];
    return make(wide, randomValues(sizeOf(wide), seed, lo, hi), dtype, device).slice(-1, 1, null, 2);
  }
  const one = [1, ...shape.slice(1)];
  return make(one, randomValues(sizeOf(one), seed, lo, hi), dtype, device).expand(shape);
}
