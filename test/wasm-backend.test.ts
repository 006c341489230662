// The wasm device at the edges of wasm32: i32 counters, the 4 GiB memory, the allocator over long
// alloc/free mixes, the GEMM pool's start/stop sequencing, scratch regrowth, re-initialisation,
// and the validation of every view handed to a kernel.

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { Allocator, createMemory } from '../ts/backend/wasm/memory.js';
import { getBackend } from '../ts/engine.js';
import { loadRuntime, type WasmRuntime } from '../ts/backend/wasm/runtime.js';
import { gemm, scratchFor } from '../ts/backend/wasm/gemm.js';
import { MetaScratch } from '../ts/backend/wasm/meta.js';
import type { Storage, View } from '../ts/backend/backend.js';
import type { DType } from '../ts/dtype.js';

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

function expectCode(f: () => unknown, code: string): void {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(d.DescentError);
  expect((err as d.DescentError).code).toBe(code);
}

test('a reduction over ≥ 2^31 broadcast elements is a DescentError, not a silently wrapped count', () => {
  const one = d.ones([1]);
  const start = d.memory().wasm;
  // stride-0 views take no memory, so only the kernels' 32-bit counters limit them
  expectCode(() => d.tidy(() => one.expand([2 ** 31]).sum()), 'UNSUPPORTED');
  expectCode(() => d.tidy(() => one.expand([2 ** 20, 2 ** 20]).sum()), 'UNSUPPORTED');
  expect(d.memory().wasm).toEqual(start);
  // just under the limit still counts correctly
  expect(d.tidy(() => one.expand([2 ** 10, 2 ** 12]).sum().item())).toBe(2 ** 22);
  one.dispose();
});

test('an op whose output exceeds the 4 GiB wasm32 memory is OUT_OF_MEMORY and leaves memory where it was', () => {
  const one = d.ones([1]), col = d.ones([2 ** 15, 1]), row = d.ones([1, 2 ** 15]);
  const rt = (getBackend('wasm') as unknown as { rt: WasmRuntime }).rt;
  const start = d.memory().wasm, bytes = rt.bytesInUse;
  expectCode(() => d.zeros([2 ** 31]), 'OUT_OF_MEMORY');
  expectCode(() => d.zeros([2 ** 29], { dtype: 'f64' }), 'OUT_OF_MEMORY');
  expectCode(() => d.tidy(() => one.expand([2 ** 30]).contiguous()), 'OUT_OF_MEMORY');
  expectCode(() => d.tidy(() => col.add(row)), 'OUT_OF_MEMORY');
  expectCode(() => d.tidy(() => col.matmul(row)), 'OUT_OF_MEMORY');
  expect(d.memory().wasm).toEqual(start);
  expect(rt.bytesInUse).toBe(bytes);
  d.dispose([one, col, row]);
});

describe('allocator: memory stays bounded by the peak of live bytes', () => {
  const HEAP = 4096;
  const fresh = () => {
    const mem = createMemory({ initialPages: 1 });
    return { mem, a: new Allocator(mem, HEAP) };
  };

  test('size classes that drift over time reuse each other\'s freed blocks', () => {
    const { mem, a } = fresh();
    const budget = 4 << 20;
    // 24 phases, each filling 4 MiB with one small size class and freeing it in allocation order
    for (let phase = 0; phase < 24; phase++) {
      const size = Math.min(256 * 1024, Math.round(700 * 1.3 ** phase));
      const ptrs: number[] = [];
      for (let used = 0; used < budget; used += size) ptrs.push(a.malloc(size));
      for (const p of ptrs) a.release(p);
    }
    expect(a.bytesInUse).toBe(0);
    // one phase's worth plus rounding, not the sum over phases (≈ 24 × 4 MiB before the fix)
    expect(mem.buffer.byteLength).toBeLessThan(2 * budget);
  });

  test('a long random mix of sizes (64 B .. 2 MiB) keeps memory within 2× the peak live bytes', () => {
    const { mem, a } = fresh();
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const live: [number, number][] = [];
    let liveBytes = 0, peak = 0;
    for (let step = 0; step < 20000; step++) {
      // the size distribution drifts with the step, as tensor shapes do over a program's life
      const drift = Math.floor(step / 2000);
      if (live.length === 0 || (rand() < 0.52 && liveBytes < (16 << 20))) {
        const bytes = Math.floor(2 ** (6 + ((rand() * 8 + drift) % 15)));
        const p = a.malloc(bytes);
        expect(p % 64).toBe(0);
        if (live.some(([q, n]) => p < q + n && q < p + bytes)) throw new Error(`block ${p}+${bytes} overlaps a live one`);
        live.push([p, bytes]);
        liveBytes += bytes;
        peak = Math.max(peak, liveBytes);
      } else {
        const [p, bytes] = live.splice(Math.floor(rand() * live.length), 1)[0];
        a.release(p);
        liveBytes -= bytes;
      }
    }
    expect(mem.buffer.byteLength).toBeLessThan(2 * peak); // 2.56× before the fix, 1.5× after
    for (const [p] of live) a.release(p);
    expect(a.bytesInUse).toBe(0);
    // everything merged back: the whole heap is one free region again
    expect(a.malloc(mem.buffer.byteLength - HEAP - 64)).toBe(HEAP);
  });
});

test('overlapping init({ threads }) calls end with the last request, and GEMM stays exact meanwhile', async () => {
  const a = d.randn([256, 256]), b = d.randn([256, 256]);
  await d.init({ threads: 1 });
  const want = a.matmul(b).toArray();
  // the 3-thread pool takes longer to start than the 2-thread one; before pool changes were
  // serialised it finished last and overwrote the later request (leaking the other's workers)
  const pending = Promise.all([d.init({ threads: 3 }), d.init({ threads: 2 })]);
  expect(a.matmul(b).toArray()).toEqual(want); // while the pools start
  await pending;
  expect(d.backendInfo()!.threads).toBe(2);
  expect(a.matmul(b).toArray()).toEqual(want);
  await Promise.all([d.init({ threads: 2 }), d.init({ threads: 1 })]);
  expect(d.backendInfo()!.threads).toBe(1);
  d.dispose([a, b]);
});

describe('backend seam: a bad view is a DescentError, never a trap or a write outside the views', () => {
  const be = () => getBackend('wasm');
  const view = (storage: Storage, shape: number[], strides?: number[], offset = 0): View =>
    ({ storage, offset, shape, strides: strides ?? shape.map((_, i) => shape.slice(i + 1).reduce((p, n) => p * n, 1)) });
  const filled = (dtype: DType, n: number, v: number) => { const s = be().alloc(dtype, n); be().fill(s, v); return s; };

  test('reading an empty view anywhere gives an empty array', () => {
    const s = filled('f32', 4, 1);
    expect(be().read(view(s, [0], [1], 1e9)).length).toBe(0);
    expect(be().read(view(s, [0, 3], [3, 1], 4)).length).toBe(0);
    be().free(s);
  });

  test('gather/scatterAdd: an index larger than x/target outside dim is SHAPE_MISMATCH, nothing read or written', () => {
    const x = filled('f32', 4, 1), idx = filled('i32', 8, 0), out = filled('f32', 8, 0), guard = filled('f32', 64, 7);
    expectCode(() => be().gather(view(x, [1, 4]), 1, view(idx, [4, 2]), view(out, [4, 2])), 'SHAPE_MISMATCH');
    expectCode(() => be().scatterAdd(view(x, [1, 4]), 1, view(idx, [4, 2]), view(out, [4, 2])), 'SHAPE_MISMATCH');
    expect(Array.from(be().read(view(guard, [64])))).toEqual(new Array(64).fill(7));
    // index smaller than x outside dim is fine
    be().gather(view(guard, [4, 16]), 1, view(idx, [2, 4]), view(out, [2, 4]));
    expect(Array.from(be().read(view(out, [8])))).toEqual(new Array(8).fill(7));
    for (const s of [x, idx, out, guard]) be().free(s);
  });

  test('matmul checks ranks, inner and batch dims and dtypes', () => {
    const f = filled('f32', 64, 1), g = filled('f64', 64, 1), i = filled('i32', 64, 1), o = filled('f32', 64, 0);
    const mm = (a: View, b: View, out: View) => () => be().matmul(a, b, out);
    expectCode(mm(view(f, [2, 4]), view(f, [2, 1]), view(o, [2, 1])), 'SHAPE_MISMATCH'); // k 4 vs 2
    expectCode(mm(view(f, [2, 2]), view(f, [2, 3]), view(o, [2, 2])), 'SHAPE_MISMATCH'); // n
    expectCode(mm(view(f, [3, 2]), view(f, [2, 2]), view(o, [2, 2])), 'SHAPE_MISMATCH'); // m
    expectCode(mm(view(f, [3, 2, 2]), view(f, [2, 2, 2]), view(o, [3, 2, 2])), 'SHAPE_MISMATCH'); // batch
    expectCode(mm(view(f, [4]), view(f, [4]), view(o, [])), 'SHAPE_MISMATCH'); // rank < 2
    expectCode(mm(view(f, [2, 2]), view(i, [2, 2]), view(o, [2, 2])), 'BAD_DTYPE');
    expectCode(mm(view(f, [2, 2]), view(f, [2, 2]), view(i, [2, 2])), 'BAD_DTYPE');
    expectCode(mm(view(g, [2, 2]), view(f, [2, 2]), view(g, [2, 2])), 'BAD_DTYPE');
    // broadcast batch (size 1 or missing) still works
    be().matmul(view(f, [1, 2, 3]), view(f, [4, 3, 2]), view(o, [4, 2, 2]));
    expect(Array.from(be().read(view(o, [16])))).toEqual(new Array(16).fill(3));
    for (const s of [f, g, i, o]) be().free(s);
  });
});

describe('scratch blocks survive a failed regrowth (no use after free)', () => {
  /** A runtime whose allocator refuses requests above `limit` bytes and tracks live blocks. */
  async function limited(limit: number) {
    const rt = await loadRuntime({ build: 'simd' });
    const live = new Set<number>();
    return {
      rt, live,
      exports: rt.exports, memory: rt.memory, module: rt.module, views: rt.views, info: rt.info,
      get bytesInUse() { return rt.bytesInUse; },
      malloc(bytes: number) {
        if (bytes > limit) throw new d.DescentError('OUT_OF_MEMORY', `test: ${bytes} > ${limit}`);
        const p = rt.malloc(bytes); live.add(p); return p;
      },
      release(p: number) { live.delete(p); rt.release(p); },
    };
  }

  test('GEMM packing scratch', async () => {
    const r = await limited(1 << 20);
    scratchFor(r, 4096);
    expect(() => scratchFor(r, 2 << 20)).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
    expect(r.live.has(scratchFor(r, 4096))).toBe(true); // before: the block released just before the failure
  });

  test('META scratch', async () => {
    const r = await limited(1 << 20);
    const meta = new MetaScratch(r as unknown as WasmRuntime);
    const small = { shape: [2, 3], strides: [[3, 1]] };
    const p = meta.write(small);
    const huge = { shape: new Array(100000).fill(1), strides: [new Array(100000).fill(0)] }; // 1.2 MB of META
    expect(() => meta.write(huge)).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
    expect(meta.write(small)).toBe(p);
    expect(r.live.has(p)).toBe(true); // before: p was released while META kept writing into it
  });
});

test('tensors made before the wasm device was re-initialised can still be disposed', async () => {
  const build = d.backendInfo()!.build;
  const start = d.memory().wasm;
  const old = d.ones([5]);
  await d.init({ build: build === 'simd' ? 'relaxed' : 'simd' });
  expectCode(() => old.add(1), 'DEVICE_MISMATCH'); // using it is an error, as before
  old.dispose(); // before: DEVICE_MISMATCH from free, so the tensor and its bytes were never released
  expect(old.isDisposed).toBe(true);
  expect(d.memory().wasm).toEqual(start);
  await d.init({ build });
});

test('a part that traps on a pool thread surfaces as a DescentError, not a bare Error', async () => {
  await d.init({ threads: 2 });
  const rt = (getBackend('wasm') as unknown as { rt: WasmRuntime }).rt;
  const past = 0xf0000000; // every operand lies past the memory's end (3.75 GiB, never reached here)
  expect(rt.memory.buffer.byteLength).toBeLessThan(past);
  const call = { kernel: 0, m: 256, n: 256, k: 256, a: past, aRs: 256, aCs: 1, aKind: 0, b: past, bRs: 256, bCs: 1, bKind: 0, c: past, ldc: 256, alpha: 1, beta: 0 };
  expectCode(() => gemm(rt, call), 'UNSUPPORTED');
  await d.init({ threads: 1 });
});
