// gelu with torch's `approximate` option: 'none' is the exact erf form (the gelu primitive),
// 'tanh' is Hendrycks & Gimpel's (2016) tanh approximation used by GPT-2, composed of primitives.

import { check, checkOptions } from '../../errors.js';
import { add, gelu as geluExact, mul, tanh } from '../../ops/elementwise.js';
import { assertTensor } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { composite } from './util.js';

export interface GeluOptions { approximate?: 'none' | 'tanh' }

const K = Math.sqrt(2 / Math.PI);

/** The validated `approximate` option. */
export function geluMode(where: string, opts: GeluOptions | undefined): 'none' | 'tanh' {
  checkOptions(where, opts, ['approximate']);
  const approximate = opts?.approximate ?? 'none';
  check(approximate === 'none' || approximate === 'tanh', 'BAD_OPTION',
    () => `${where}: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return approximate;
}

/** 0.5·x·(1 + erf(x/√2)), or 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with approximate 'tanh'. */
export function gelu(x: Tensor, opts?: GeluOptions): Tensor {
  assertTensor(x, 'gelu');
  const approximate = geluMode('gelu', opts);
  if (approximate === 'none') return geluExact(x);
  return composite(() => {
    const inner = mul(add(x, mul(mul(x, mul(x, x)), 0.044715)), K);
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  });
}
