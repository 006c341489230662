// Batched matmul on wasm (ts/backend/wasm/gemm.ts): a batch is one job that runPart walks, and the
// pool may split it into whole batch elements. Pinned here: every batch element gets the same bits
// as a lone 2-D product of that element (the per-element GEMM the driver used to issue), for
// broadcast batch dims (stride 0, size 1, missing), transposed operands, row/column-major and
// strided outputs, awkward sizes, both kernel families, 1 and 2 threads; the public matmul agrees
// with the reference device; memory stays flat.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { View } from '../ts/backend/backend.js';
import { loadRuntime, type WasmRuntime } from '../ts/backend/wasm/runtime.js';
import { setDeterministic } from '../ts/backend/wasm/gemm.js';
import { matmul } from '../ts/backend/wasm/matmul.js';
import { setPoolMinFlops, startPool, stopPool, POOL_MIN_FLOPS } from '../ts/backend/wasm/threads.js';
import { f32ToBf16 } from '../ts/dtype.js';
import * as d from '../ts/index.js';

let rt: WasmRuntime;
beforeAll(async () => { rt = await loadRuntime(); });
afterAll(async () => { await stopPool(); setDeterministic(true); setPoolMinFlops(POOL_MIN_FLOPS); });

type Dt = 'f32' | 'f64' | 'bf16';
const BYTES: Record<Dt, number> = { f32: 4, f64: 8, bf16: 2 };

/** A view over fresh wasm memory; elements outside the view hold `pad` (NaN: a stray read shows). */
function buffer(shape: number[], strides: number[], offset: number, seed: number, pad = NaN, dtype: Dt = 'f32') {
  let span = offset + 1;
  shape.forEach((n, i) => { span += (n - 1) * strides[i]; });
  const ptr = rt.malloc(span * BYTES[dtype]);
  const arr = () => dtype === 'f64' ? new Float64Array(rt.memory.buffer, ptr, span)
    : dtype === 'f32' ? new Float32Array(rt.memory.buffer, ptr, span) : new Uint16Array(rt.memory.buffer, ptr, span);
  let s = seed >>> 0 || 1;
  const inside = new Uint8Array(span);
  const walk = (dim: number, off: number): void => {
    if (dim === shape.length) { inside[off] = 1; return; }
    for (let i = 0; i < shape[dim]; i++) walk(dim + 1, off + i * strides[dim]);
  };
  walk(0, offset);
  const a = arr();
  for (let e = 0; e < span; e++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const x = inside[e] ? s / 2 ** 31 - 1 : pad;
    a[e] = dtype === 'bf16' ? f32ToBf16(x) : x;
  }
  const storage = { device: 'wasm', dtype, size: span, bytes: span * BYTES[dtype], refs: 1, ptr } as unknown as View['storage'];
  const view: View = { storage, offset, shape, strides };
  return { view, arr, free: () => rt.release(ptr) };
}

/** Strides of a row-major layout of `shape` with `pad` extra elements per innermost row. */
function rowMajor(shape: number[], pad = 0): number[] {
  const st = new Array<number>(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; i--) { st[i] = s; s *= shape[i] + (i === shape.length - 1 ? pad : 0); }
  return st;
}

/** A [...batch, rows, cols] operand, stored transposed (cols × rows in memory) when `t`. */
function operand(batch: number[], rows: number, cols: number, t: boolean, seed: number, dtype: Dt) {
  const st = rowMajor([...batch, t ? cols : rows, t ? rows : cols], 1);
  const r = st.length;
  if (t) [st[r - 2], st[r - 1]] = [st[r - 1], st[r - 2]];
  return buffer([...batch, rows, cols], st, 2, seed, NaN, dtype);
}

type Layout = 'row' | 'col' | 'strided';
/** Output strides: row-major with padded rows, column-major per batch element, or neither (the scratch path). */
function outStrides(batch: number[], m: number, n: number, layout: Layout): number[] {
  const per = layout === 'row' ? [n + 2, 1] : layout === 'col' ? [1, m + 1] : [2 * n + 1, 2];
  const size = layout === 'row' ? m * (n + 2) : layout === 'col' ? n * (m + 1) : m * (2 * n + 1);
  const st = rowMajor(batch).map((s) => s * (size + 3));
  return [...st, ...per];
}

/** The 2-D view of batch element `idx` (broadcast: a size-1 or missing dim stays at 0). */
function element(v: View, batchRank: number, idx: number[]): View {
  const r = v.shape.length;
  let offset = v.offset;
  for (let i = 0; i < r - 2; i++) {
    const bi = idx[i + batchRank - (r - 2)];
    if (v.shape[i] !== 1) offset += bi * v.strides[i];
  }
  return { storage: v.storage, offset, shape: v.shape.slice(r - 2), strides: v.strides.slice(r - 2) };
}

interface Case { aBatch: number[]; bBatch: number[]; m: number; n: number; k: number; ta: boolean; tb: boolean; layout: Layout; dtype?: Dt }

/** Runs the batched product and the per-element products; returns both outputs' full buffers. */
function batchedAndPerElement(c: Case, seed: number, aView?: (v: View) => View) {
  const dtype = c.dtype ?? 'f32', outType = dtype === 'f64' ? 'f64' : 'f32';
  const A = operand(c.aBatch, c.m, c.k, c.ta, seed, dtype), B = operand(c.bBatch, c.k, c.n, c.tb, seed + 1, dtype);
  const a = aView ? aView(A.view) : A.view;
  const aBatch = a.shape.slice(0, -2);
  const rank = Math.max(aBatch.length, c.bBatch.length);
  const batch = Array.from({ length: rank }, (_, i) => {
    const x = aBatch[i - rank + aBatch.length] ?? 1, y = c.bBatch[i - rank + c.bBatch.length] ?? 1;
    return Math.max(x, y);
  });
  const shape = [...batch, c.m, c.n], strides = outStrides(batch, c.m, c.n, c.layout);
  const outs = [buffer(shape, strides, 3, 0, -7, outType), buffer(shape, strides, 3, 0, -7, outType)];
  matmul(rt, a, B.view, outs[0].view);
  const count = batch.reduce((p, x) => p * x, 1);
  for (let t = 0; t < count; t++) {
    const idx: number[] = [];
    for (let i = rank - 1, r = t; i >= 0; i--) { idx.unshift(r % batch[i]); r = Math.floor(r / batch[i]); }
    matmul(rt, element(a, rank, idx), element(B.view, rank, idx), element(outs[1].view, rank, idx));
  }
  const res = [outs[0].arr().slice(), outs[1].arr().slice()];
  A.free(); B.free(); outs.forEach((o) => o.free());
  return res;
}

const SIZES: [number, number, number][] = [[3, 3, 32], [1, 17, 3], [17, 1, 130], [130, 17, 3], [3, 130, 17], [17, 3, 1]];
const BATCHES: [number[], number[]][] = [[[2, 3], [2, 3]], [[2, 3], [3]], [[4], []], [[2, 1], [1, 3]], [[2, 1, 3], [1, 2, 3]]];
const LAYOUTS: Layout[] = ['row', 'col', 'strided'];

function cases(): Case[] {
  const out: Case[] = [];
  let i = 0;
  for (const [m, n, k] of SIZES) {
    for (const [aBatch, bBatch] of BATCHES) {
      const ta = (i & 1) === 1, tb = (i & 2) === 2, layout = LAYOUTS[i % 3];
      out.push({ aBatch, bBatch, m, n, k, ta, tb, layout });
      i++;
    }
  }
  return out;
}

describe('batched matmul is one job with the bits of per-element products', () => {
  test.each([true, false])('broadcast batches, transposes, awkward sizes, all output layouts (deterministic %s)', (det) => {
    setDeterministic(det);
    try {
      cases().forEach((c, i) => {
        const [batched, single] = batchedAndPerElement(c, 100 + i);
        expect(batched, JSON.stringify(c)).toEqual(single);
      });
    } finally {
      setDeterministic(true);
    }
  });

  test('a stride-0 (expanded) batch dim in a, and batch dims that do not merge (permuted), keep the bits', () => {
    const c: Case = { aBatch: [3, 4], bBatch: [4, 3], m: 17, n: 3, k: 130, ta: false, tb: true, layout: 'row' };
    // a's [3, 4] batch read as [4, 3] through swapped strides: two batch dims that cannot merge
    const permuted = (v: View): View => ({ ...v, shape: [4, 3, ...v.shape.slice(2)], strides: [v.strides[1], v.strides[0], ...v.strides.slice(2)] });
    const [b1, s1] = batchedAndPerElement(c, 7, permuted);
    expect(b1).toEqual(s1);
    const expanded = (v: View): View => ({ ...v, shape: [4, 3, ...v.shape.slice(2)], strides: [0, v.strides[1], ...v.strides.slice(2)] });
    const [b2, s2] = batchedAndPerElement({ ...c, aBatch: [1, 3] }, 8, expanded);
    expect(b2).toEqual(s2);
  });

  test.each(['f64', 'bf16'] as const)('%s operands (f64 kernel; bf16 widened while packing) keep the bits', (dtype) => {
    for (const layout of LAYOUTS) {
      const c: Case = { aBatch: [2, 3], bBatch: [3], m: 17, n: 3, k: 130, ta: true, tb: false, layout, dtype };
      const [batched, single] = batchedAndPerElement(c, 55);
      expect(batched, layout).toEqual(single);
    }
  });

  test.each([true, false])('2 threads (split over batch elements or within them) give the bits of 1 (deterministic %s)', async (det) => {
    setDeterministic(det);
    expect(await startPool(rt, 2)).toBe(2);
    try {
      // 64 tiny elements split by element; 2 big ones split by rows/columns in each element
      const shapes: Case[] = [
        { aBatch: [8, 8], bBatch: [8], m: 3, n: 3, k: 32, ta: false, tb: true, layout: 'row' },
        { aBatch: [2], bBatch: [2], m: 130, n: 130, k: 17, ta: true, tb: false, layout: 'col' },
        { aBatch: [5], bBatch: [], m: 17, n: 3, k: 130, ta: false, tb: false, layout: 'strided' },
      ];
      for (const c of shapes) {
        const runs = [Infinity, 0].map((threshold) => {
          setPoolMinFlops(threshold);
          return batchedAndPerElement(c, 31);
        });
        expect(runs[1][0], JSON.stringify(c)).toEqual(runs[0][1]);
        expect(runs[0][0], JSON.stringify(c)).toEqual(runs[0][1]);
      }
    } finally {
      setPoolMinFlops(POOL_MIN_FLOPS);
      setDeterministic(true);
      await stopPool();
    }
  });
});

describe('public batched matmul on wasm', () => {
  test('agrees with the reference device (broadcast, transposed) and keeps memory flat', () => {
    const vals = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37));
    const make = (device: 'wasm' | 'reference') => {
      const q = d.tensor(Float32Array.from(vals(2 * 3 * 5 * 17, 1)), { device, shape: [2, 3, 5, 17] });
      const kT = d.tensor(Float32Array.from(vals(3 * 5 * 17, 2)), { device, shape: [3, 5, 17] }).transpose(1, 2);
      return [q, kT] as const;
    };
    const [qw, kw] = make('wasm'), [qr, kr] = make('reference');
    const want = qr.matmul(kr).dataSync(), got = qw.matmul(kw).dataSync();
    expect(got.length).toBe(2 * 3 * 5 * 5);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
    const before = d.memory().wasm;
    for (let i = 0; i < 5; i++) d.tidy(() => { qw.matmul(kw).dataSync(); });
    expect(d.memory().wasm).toEqual(before);
  });
});
