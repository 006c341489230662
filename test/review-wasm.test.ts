// Robustness review of the wasm device: inputs at the edges of wasm32 (i32 counters, the 4 GiB
// memory), allocator behaviour over long alloc/free mixes, the GEMM pool's start/stop
// sequencing, and backend-seam validation. Each test pins a defect that was found and fixed.

import { beforeAll, expect, test } from 'vitest';
import * as d from '../ts/index.js';

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
