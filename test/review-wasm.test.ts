// Robustness review of the wasm device: inputs at the edges of wasm32 (i32 counters, the 4 GiB
// memory), allocator behaviour over long alloc/free mixes, the GEMM pool's start/stop
// sequencing, and backend-seam validation. Each test pins a defect that was found and fixed.

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { Allocator, createMemory } from '../ts/backend/wasm/memory.js';

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
        live.push([a.malloc(bytes), bytes]);
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
