// Shared helpers for the wasm backend tests: awkward layouts of a logical shape over a storage, a
// JS reader of views (the oracle side), value generators with NaN/±Inf/±0 sprinkled in, and
// comparison with a ulp/relative tolerance. Not a test file itself.

import type { Storage, View } from '../ts/backend/backend.js';
import { storageArray, type DType, type StorageArray } from '../ts/dtype.js';
import type { WasmBackend } from '../ts/backend/wasm/index.js';
import { setPoolMinElements } from '../ts/backend/wasm/threads.js';

export const SHAPES: number[][] = [[], [0], [1], [3], [7], [17], [129], [3, 7], [17, 3], [2, 3, 5], [4, 1, 7], [2, 0, 3], [5, 33]];
export type Layout = 'contiguous' | 'strided' | 'transposed' | 'broadcast' | 'scalar';
export const LAYOUTS: Layout[] = ['contiguous', 'strided', 'transposed', 'broadcast', 'scalar'];

const prod = (s: readonly number[]) => s.reduce((p, n) => p * n, 1);

/** Storage extent (elements) and view geometry for a logical shape in a given layout. */
export function geometry(shape: readonly number[], layout: Layout): { size: number; offset: number; strides: number[] } {
  const r = shape.length;
  const strides = new Array<number>(r).fill(0);
  let offset = 0;
  let s = 1;
  if (layout === 'scalar') {
    return { size: 1, offset: 0, strides }; // every element is element 0 (stride 0 everywhere)
  } else if (layout === 'transposed') {
    for (let d = 0; d < r; d++) { strides[d] = s; s *= shape[d]; }
  } else if (layout === 'strided') {
    offset = 3; // padded rows and a step of 2 in the last dim
    for (let d = r - 1; d >= 0; d--) { strides[d] = d === r - 1 ? 2 * s : s; s *= d === r - 1 ? 2 * shape[d] + 1 : shape[d] + 1; }
  } else {
    for (let d = r - 1; d >= 0; d--) {
      const bcast = layout === 'broadcast' && d % 2 === 0 && shape[d] > 1;
      strides[d] = bcast ? 0 : s;
      if (!bcast) s *= shape[d];
    }
  }
  return { size: offset + s, offset, strides };
}

/** Element offsets of a view in row-major logical order. */
export function offsets(shape: readonly number[], strides: readonly number[], offset: number): number[] {
  const out: number[] = [];
  const n = prod(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let o = offset;
    for (let d = 0; d < shape.length; d++) o += idx[d] * strides[d];
    out.push(o);
    for (let d = shape.length - 1; d >= 0 && ++idx[d] === shape[d]; d--) idx[d] = 0;
  }
  return out;
}

/** Seeded LCG so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1];

/** Values for a dtype: mostly in [-lo, hi], with specials every few elements for floats. */
export function values(dtype: DType, n: number, seed: number, range = 4, specials = true): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    if (dtype === 'i32') return Math.floor((r() - 0.5) * 2 * range * 10);
    if (specials && i % 11 === 5) return SPECIALS[Math.floor(r() * SPECIALS.length)];
    return (r() - 0.5) * 2 * range;
  });
}

export interface Made { storage: Storage; view: View; logical: number[] }

/** Allocates a storage filled with `data`, and a view of `shape` in `layout` over it. */
export function make(be: WasmBackend, dtype: DType, shape: readonly number[], layout: Layout, seed: number,
  gen: (n: number, seed: number) => number[] = (n, s) => values(dtype, n, s)): Made {
  const g = geometry(shape, layout);
  const storage = be.alloc(dtype, g.size);
  const raw = storageArray(dtype, g.size);
  raw.set(gen(g.size, seed));
  be.write(storage, raw);
  const view: View = { storage, offset: g.offset, shape: [...shape], strides: g.strides };
  const logical = offsets(shape, g.strides, g.offset).map((o) => raw[o]);
  return { storage, view, logical };
}

/** A fresh contiguous output view. */
export function output(be: WasmBackend, dtype: DType, shape: readonly number[]): View {
  const g = geometry(shape, 'contiguous');
  return { storage: be.alloc(dtype, Math.max(g.size, 0)), offset: 0, shape: [...shape], strides: g.strides };
}

export const f32 = (x: number): number => Math.fround(x);

/** Same value (NaN equals NaN) within relative tolerance `rel` or absolute `abs`. */
export function close(got: number, want: number, rel: number, abs = 0): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (got === want) return true;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return false;
  return Math.abs(got - want) <= Math.max(rel * Math.abs(want), abs);
}

/** First mismatch as a message, or null. */
export function mismatch(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs = 0, ctx = ''): string | null {
  if (got.length !== want.length) return `${ctx}: length ${got.length} != ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    if (!close(got[i], want[i], rel, abs)) return `${ctx}: [${i}] got ${got[i]}, want ${want[i]}`;
  }
  return null;
}

export function freeAll(be: WasmBackend, ...xs: (Made | View | Storage)[]): void {
  for (const x of xs) be.free('view' in x ? x.storage : 'storage' in x ? x.storage : x);
}

/**
 * Runs `fn` (one Backend call; returns what it wrote, read back) twice on the running pool: every
 * elementwise call on the calling thread (threshold ∞), then every call split (threshold 0). Returns
 * both results' bytes and, per run, the dim-0 length of the META each of the calling thread's calls
 * to `kernel` got (argument `metaArg`): the whole range once when unsplit; part ranges when split.
 */
export function unsplitThenSplit(be: WasmBackend, kernel: string, metaArg: number, fn: () => StorageArray): { bytes: Uint8Array[]; rows: number[][] } {
  const rt = be.rt as unknown as { exports: Record<string, unknown>; views: WasmBackend['rt']['views'] };
  const kernels = rt.exports;
  const real = kernels[kernel] as (...args: number[]) => unknown;
  const bytes: Uint8Array[] = [], rows: number[][] = [];
  const prev = setPoolMinElements(Infinity);
  try {
    for (const threshold of [Infinity, 0]) {
      const seen: number[] = [];
      rt.exports = { ...kernels, [kernel]: (...args: number[]) => { seen.push(rt.views.i32(args[metaArg] + 8, 1)[0]); return real(...args); } };
      setPoolMinElements(threshold);
      const out = fn();
      bytes.push(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      rows.push(seen);
    }
  } finally {
    rt.exports = kernels;
    setPoolMinElements(prev);
  }
  return { bytes, rows };
}

export type { StorageArray };
