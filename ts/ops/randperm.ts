// randperm: a seeded random permutation of 0..n-1 by Fisher–Yates over the global Philox stream
// (ts/ops/random.ts), drawn on the host, so every device gets the same permutation for a seed.

import { encode } from '../dtype.js';
import { check, checkOptions } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type CreateOptions, tensor } from './creation.js';
import { randomWords } from './random.js';
import { describe } from './util.js';

/**
 * A random permutation of 0..n-1 (torch.randperm), i32 unless `dtype` says otherwise.
 * @example d.manualSeed(0); d.randperm(5)  // the same 5 numbers on every device
 */
export function randperm(n: number, opts?: CreateOptions): Tensor {
  check(Number.isSafeInteger(n) && n >= 0 && n <= 2 ** 31, 'BAD_ARGUMENT', () => `randperm: expected an integer n in 0..2^31, got ${describe(n)}`);
  checkOptions('randperm', opts, ['dtype', 'device', 'requiresGrad']);
  // The output is made (and the options checked) before the stream advances: a rejected call draws nothing.
  const out = tensor(new Float64Array(n), { dtype: 'i32', ...opts, shape: [n] });
  const perm = Array.from({ length: n }, (_, i) => i);
  const words = randomWords(Math.max(0, n - 1));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((words[n - 1 - i] * (i + 1)) / 4294967296); // uniform in 0..i (bias < i/2^32)
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  out.backend.write(out.storage, encode(out.dtype, perm));
  return out;
}
