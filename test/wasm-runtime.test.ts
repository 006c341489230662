// The wasm runtime: feature probes, build choice (plain SIMD and relaxed both loadable), the
// allocator (64-byte alignment, no overlap, reuse, large-block merging, growth without stale
// views, bytesInUse back to its start), and errors instead of traps.

import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { DescentError } from '../ts/errors.js';
import { RELAXED_PROBE, SIMD_PROBE, detectFeatures } from '../ts/backend/wasm/features.js';
import { Allocator, createMemory, sizeClass } from '../ts/backend/wasm/memory.js';
import { loadRuntime } from '../ts/backend/wasm/runtime.js';
import { WasmBackend } from '../ts/backend/wasm/index.js';

const validateIn = (flags: string[], bytes: Uint8Array): boolean =>
  execFileSync(process.execPath, [...flags, '-e', `console.log(WebAssembly.validate(new Uint8Array(${JSON.stringify(Array.from(bytes))})))`])
    .toString().trim() === 'true';

describe('feature detection and build choice', () => {
  test('probes: SIMD validates everywhere on Node 20; relaxed only with the V8 flag', () => {
    expect(validateIn([], SIMD_PROBE)).toBe(true);
    expect(validateIn(['--experimental-wasm-relaxed-simd'], RELAXED_PROBE)).toBe(true);
    if (process.versions.node.startsWith('20.')) expect(validateIn([], RELAXED_PROBE)).toBe(false);
    expect(detectFeatures()).toMatchObject({ simd: true, relaxedSimd: true }); // vitest runs with the flag
  });

  test('default picks relaxed here; simd and relaxed can both be forced', async () => {
    const def = await loadRuntime();
    expect(def.info).toMatchObject({ build: 'relaxed', simd: true, relaxedSimd: true, threads: false });
    const simd = await loadRuntime({ build: 'simd' });
    const relaxed = await loadRuntime({ build: 'relaxed' });
    expect(simd.info.build).toBe('simd');
    expect(relaxed.info.build).toBe('relaxed');
    expect(simd.info.memoryBytes).toBe(simd.memory.buffer.byteLength);
    // the relaxed build is a superset: every plain kernel plus the *_wasmrelaxedsimd ones
    const names = (rt: typeof simd) => Object.keys(rt.exports).filter((k) => typeof rt.exports[k] === 'function');
    const relaxedNames = new Set(names(relaxed));
    expect(names(simd).filter((n) => !relaxedNames.has(n))).toEqual([]);
    expect(names(simd).some((n) => n.endsWith('_wasmrelaxedsimd'))).toBe(false);
  });

  test('bad options are DescentErrors', async () => {
    await expect(loadRuntime({ build: 'avx' as 'simd' })).rejects.toThrow(/build must be 'simd' or 'relaxed', got avx/);
    await expect(loadRuntime({ bild: 'simd' } as object)).rejects.toThrow(/unknown option 'bild'/);
  });
});

describe('allocator', () => {
  const fresh = () => new Allocator(createMemory({ initialPages: 1 }), 1000);

  test('size classes: multiples of 64, at most 25% waste above 256 bytes', () => {
    for (let b = 0; b < 300000; b += 977) {
      const c = sizeClass(b);
      expect(c % 64).toBe(0);
      expect(c).toBeGreaterThanOrEqual(Math.max(b, 64));
      if (b > 256) expect(c).toBeLessThanOrEqual(b * 1.25 + 64);
    }
  });

  test('blocks are 64-byte aligned, above the static data, never overlap, and are reused', () => {
    const a = fresh();
    const sizes = [0, 1, 63, 64, 65, 1000, 4096, 70000, 300000, 2_000_000, 5, 12345];
    const ptrs = sizes.map((s) => a.malloc(s));
    const spans = ptrs.map((p, i) => [p, p + Math.max(sizes[i], 1)]).sort((x, y) => x[0] - y[0]);
    for (let i = 0; i < spans.length; i++) {
      expect(spans[i][0] % 64).toBe(0);
      expect(spans[i][0]).toBeGreaterThanOrEqual(1000);
      if (i > 0) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    }
    a.release(ptrs[5]);
    expect(a.malloc(1000)).toBe(ptrs[5]); // same class → same block
    a.release(ptrs[5]);
    expect(a.malloc(990)).toBe(ptrs[5]);
    expect(() => a.release(ptrs[5] + 64)).toThrow(DescentError);
  });

  test('bytesInUse returns to its start; freed large neighbours merge and the top is given back', () => {
    const a = fresh();
    const start = a.bytesInUse;
    const big = [a.malloc(1 << 20), a.malloc(1 << 20), a.malloc(1 << 20)];
    const guard = a.malloc(64);
    a.release(big[0]);
    a.release(big[1]);
    expect(a.malloc(2 << 20)).toBe(big[0]); // the two freed neighbours merged into one block
    a.release(big[0]);
    a.release(big[2]);
    a.release(guard); // top falls back through the merged large blocks
    expect(a.bytesInUse).toBe(start);
    expect(a.malloc(3 << 20)).toBe(big[0]);
  });

  test('a released large block serves the next request of its size; sizes that drift do not grow memory past the peak', () => {
    const mem = createMemory({ initialPages: 1 });
    const a = new Allocator(mem, 1000);
    const guard = a.malloc(64);
    const [x, y] = [a.malloc(800_000), a.malloc(400_000)];
    const top = a.malloc(64); // keeps x and y off the top
    a.release(x);
    a.release(y);
    expect(a.malloc(400_000)).toBe(y); // its size's free list, as a training step asks every step
    expect(a.malloc(790_000)).toBe(x); // the same 64 KiB multiple
    a.release(x);
    a.release(y);
    const peak = mem.buffer.byteLength;
    for (let i = 0; i < 50; i++) a.release(a.malloc(300_000 + 65_536 * (i % 13))); // each fits the freed space once merged
    expect(mem.buffer.byteLength).toBe(peak);
    a.release(top);
    a.release(guard);
    expect(a.bytesInUse).toBe(0);
  });

  test('growth: memory grows on demand, fresh views see the data, old views are detached', async () => {
    const rt = await loadRuntime({ build: 'simd' });
    const before = rt.info.memoryBytes;
    const p = rt.malloc(4096);
    const old = rt.views.f32(p, 1024);
    old.fill(3.5);
    const q = rt.malloc(64 << 20);
    expect(rt.info.memoryBytes).toBeGreaterThan(Math.max(before, q + (64 << 20) - 1));
    // a non-shared buffer is detached by growth (never cache views); a shared one (threads) keeps its old length
    expect(old.length).toBe(rt.memory.buffer instanceof SharedArrayBuffer ? 1024 : 0);
    expect(rt.views.f32(p, 1024).every((v) => v === 3.5)).toBe(true);
    rt.release(q);
    rt.release(p);
    expect(() => rt.malloc(8 * 2 ** 30)).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
    expect(() => rt.malloc(-1)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  });
});

test('backend calls leave bytesInUse where they found it (temporaries are released)', async () => {
  const rt = await loadRuntime();
  const be = new WasmBackend(rt);
  const x = be.alloc('f32', 60);
  be.fill(x, 2);
  const o = be.alloc('f32', 3);
  const o2 = be.alloc('f64', 3);
  const start = rt.bytesInUse;
  const v = { storage: x, offset: 0, shape: [3, 4, 5], strides: [1, 15, 3] }; // not collapsible
  be.reduce('sum', v, 2, { storage: o, offset: 0, shape: [3], strides: [1] });
  be.reduce('max', v, 2, { storage: o2, offset: 0, shape: [3], strides: [1] }); // via a temp + convert
  be.copy({ storage: x, offset: 0, shape: [50], strides: [1] }, { storage: x, offset: 10, shape: [50], strides: [1] });
  expect(Array.from(be.read({ storage: o, offset: 0, shape: [3], strides: [1] }))).toEqual([40, 40, 40]);
  expect(Array.from(be.read({ storage: o2, offset: 0, shape: [3], strides: [1] }))).toEqual([2, 2, 2]);
  expect(rt.bytesInUse).toBe(start);
  be.free(x);
  expect(() => be.free(x)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  // a storage of one runtime is rejected by a backend on another (its pointer means nothing there)
  const other = new WasmBackend(await loadRuntime());
  const y = other.alloc('f32', 4);
  expect(() => be.read({ storage: y, offset: 0, shape: [4], strides: [1] })).toThrow(/another wasm runtime/);
  other.free(y);
});

test('a tensor from before init({ build }) re-initialised the device says what happened and how to recover', async () => {
  const d = await import('../ts/index.js');
  await d.init();
  const build = d.backendInfo()!.build;
  const old = d.ones([3]);
  const kept = old.to('reference');
  await d.init({ build: build === 'simd' ? 'relaxed' : 'simd' });
  try {
    expect(() => old.add(1)).toThrow(/another wasm runtime \(init\(\{ build \}\) replaced the one it was made in\), so it can only be disposed now.*\.to\('reference'\) before it/);
    expect(kept.to('wasm').toArray()).toEqual([1, 1, 1]); // the recovery the message names works
  } finally {
    old.dispose();
    await d.init({ build });
  }
});
