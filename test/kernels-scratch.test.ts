// Raw kernel entry points free their scratch when an allocation fails midway, and a C too large
// for a wasm memory is an OUT_OF_MEMORY DescentError rather than a RangeError.

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { withBlocks } from '../ts/backend/wasm/scratch.js';
import { sgemmOn } from '../ts/kernels/gemm.js';
import { getBackend } from '../ts/engine.js';
import type { GemmRuntime } from '../ts/backend/wasm/gemm.js';

await d.init();

test('withBlocks releases every block obtained, also when a later allocation or the work throws', () => {
  const live = new Set<number>();
  let next = 64;
  const rt = {
    malloc(bytes: number) {
      if (bytes > 1000) throw new d.DescentError('OUT_OF_MEMORY', 'test: too big');
      live.add(next);
      return (next += 64) - 64;
    },
    release(p: number) { live.delete(p); },
  };
  expect(() => withBlocks(rt, [8, 16, 5000], () => 1)).toThrow(/too big/);
  expect(live.size).toBe(0);
  expect(() => withBlocks(rt, [8, 16], () => { throw new Error('work failed'); })).toThrow('work failed');
  expect(live.size).toBe(0);
  expect(withBlocks(rt, [8, 16], ([a, b]) => b - a)).toBe(64);
  expect(live.size).toBe(0);
});

test('sgemm leaks nothing when its last scratch allocation fails; a too-large C is OUT_OF_MEMORY', () => {
  const rt = (getBackend('wasm') as unknown as { rt: GemmRuntime & { bytesInUse: number } }).rt;
  let calls = 0;
  const failing = Object.create(rt, {
    malloc: { value: (bytes: number) => {
      if (++calls === 3) throw new d.DescentError('OUT_OF_MEMORY', 'test: third block refused');
      return rt.malloc(bytes);
    } },
  }) as GemmRuntime;
  const a = new Float32Array(6).fill(1);
  sgemmOn(rt, 2, 2, 3, a, a, { transB: true }); // the GEMM driver caches its packing scratch on first use
  const before = rt.bytesInUse;
  expect(() => sgemmOn(failing, 2, 2, 3, a, a, { transB: true })).toThrow(/third block refused/);
  expect(rt.bytesInUse).toBe(before);
  expect(Array.from(sgemmOn(rt, 2, 2, 3, a, a, { transB: true }))).toEqual([3, 3, 3, 3]);
  expect(() => d.kernels.sgemm(2 ** 20, 2 ** 20, 1, new Float32Array(2 ** 20), new Float32Array(2 ** 20)))
    .toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
  expect(() => d.kernels.sgemm(1, 1, 1, a, a, { lda: '1' as unknown as number })).toThrow(/got string 1/);
  expect(rt.bytesInUse).toBe(before);
});
