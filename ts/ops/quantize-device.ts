// Quantization with device ops only, for devices that read values only asynchronously (webgpu).
// Float formats run on the device's roundToMinifloat capability, the bit-exact twin of the
// conversion kernels; stochastic rounding uploads the words the host path draws (one Philox word
// per element, as toBits and the wasm kernels take them), so a seed gives the same bits on every
// device. int8 follows quantize.ts's host rule in f32 (the host divides in f64: values agree to
// f32 rounding).

import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Minifloat } from '../minifloat.js';
import { abs, add, clamp, div, eq, floor, lt, mul, round, sub, where } from './elementwise.js';
import { max, sum } from './reduce.js';
import { contiguous } from './shape.js';
import { tensor } from './creation.js';
import { randomWords } from './random.js';
import { empty } from './util.js';

/** x (f32) rounded to format's values, returned in f32; stochastic draws x.size words from the global stream. */
export function roundToFormat(x: Tensor, format: Minifloat, saturate: boolean, stochastic: boolean): Tensor {
  const fast = x.backend.roundToMinifloat;
  check(fast !== undefined, 'UNSUPPORTED', () => `quantize: ${x.device} has neither synchronous reads nor roundToMinifloat`);
  const src = contiguous(x);
  const words = stochastic ? tensor(new Int32Array(randomWords(x.size).buffer), { device: x.device, dtype: 'i32' }) : null;
  const out = empty(x.shape, 'f32', x.device);
  fast.call(x.backend, src, words, format, saturate, out);
  return out;
}

/** Symmetric per-tensor int8 of x (f32): levels −127..127 of max|x| / 127; u: uniforms for stochastic rounding. */
export function roundInt8OnDevice(x: Tensor, u: Tensor | null): Tensor {
  if (x.size === 0) return x;
  const poison = sum(mul(x, 0)); // NaN when a value is inf/NaN (the host's amax is then NaN), else 0
  const amax = add(max(abs(x)), poison);
  const scale = div(amax, 127);
  const q = div(x, scale);
  const f = floor(q);
  const level = u === null ? round(q) : where(lt(u, sub(q, f)), add(f, 1), f);
  return where(eq(amax, 0), x, add(mul(clamp(level, -127, 127), scale), poison));
}
