// Shared helpers of the nn tests: fixture tensors (test/fixtures/nn.json, from gen_nn.py) as f64
// reference tensors, state-dict conversion and closeness assertions with readable failures.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import * as d from '../ts/index.js';
import type { JsonStateDict } from '../ts/nn/index.js';

export interface JT { shape: number[]; data: number[] }
export const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn.json', import.meta.url), 'utf8'));

export const F64 = { dtype: 'f64', device: 'reference' } as const;

export function fromJT(j: JT, dtype: 'f64' | 'i32' = 'f64'): d.Tensor {
  return d.tensor(dtype === 'i32' ? Int32Array.from(j.data) : Float64Array.from(j.data), { dtype, device: 'reference', shape: j.shape });
}

/** A torch state dict from the fixture in loadStateDict's JSON form. */
export function jsonState(st: Record<string, JT>): JsonStateDict {
  const out: JsonStateDict = {};
  for (const [k, v] of Object.entries(st)) out[k] = { dtype: k.endsWith('num_batches_tracked') ? 'i32' : 'f64', shape: v.shape, data: v.data };
  return out;
}

/** |a − e| ≤ atol + rtol·|e| elementwise, reporting the worst index. */
export function expectClose(actual: d.Tensor | null, expected: JT, what: string, atol = 1e-8, rtol = 1e-7): void {
  expect(actual, `${what}: missing`).not.toBeNull();
  expect([...actual!.shape], `${what}: shape`).toEqual(expected.shape);
  const a = actual!.dataSync();
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < a.length; i++) {
    const e = expected.data[i];
    const over = Math.abs(a[i] - e) - (atol + rtol * Math.abs(e));
    if (!(over <= excess) || Number.isNaN(a[i])) {
      worst = i;
      excess = Number.isNaN(a[i]) ? Infinity : over;
    }
  }
  expect(worst, `${what}: element ${worst} is ${a[worst]}, expected ${expected.data[worst]}`).toBe(-1);
}
