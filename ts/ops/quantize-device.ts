// Round-to-nearest-even into a minifloat format with device ops only, for devices that read
// values only asynchronously (webgpu): f16/bf16 through the dtype casts (the conversion kernels'
// rules), fp8 by scaling each value by its format step 2^(e − mant), e = the value's binary
// exponent clamped to the format's normal range (so subnormals share the smallest step), then
// rounding, as minifloat.ts's `narrow` does bit by bit. Scaling by powers of two is exact.
// int8 follows quantize.ts's host rule in f32 (the host divides in f64: values agree to f32 rounding).

import type { Tensor } from '../tensor.js';
import { narrow, widen, type Minifloat } from '../minifloat.js';
import { abs, add, clamp, div, eq, floor, gt, le, log, lt, mul, pow, round, sign, sub, where } from './elementwise.js';
import { max, sum } from './reduce.js';
import { to } from './shape.js';

const FP8 = { fp8e4m3: { mant: 3, bias: 7 }, fp8e5m2: { mant: 2, bias: 15 } } as const;

/** x (f32) rounded to format's values, returned in f32. */
export function roundToFormat(x: Tensor, format: Minifloat, saturate: boolean): Tensor {
  if (format === 'f16' || format === 'bf16') return to(to(x, format), 'f32');
  const { mant, bias } = FP8[format];
  const maxFinite = widen(format, narrow(format, Infinity, true));
  const overflow = widen(format, narrow(format, Infinity, saturate)); // ±Inf, NaN or ±max
  const a = abs(x);
  const e0 = floor(mul(log(a), 1 / Math.LN2)); // may be off by one: log is approximate
  const e1 = where(gt(pow(2, e0), a), sub(e0, 1), where(le(pow(2, add(e0, 1)), a), add(e0, 1), e0));
  // 1 − bias: the smallest normal exponent; above 2^20 every value overflows the format anyway
  const e = clamp(e1, 1 - bias, 20);
  const q = mul(round(mul(x, pow(2, sub(mant, e)))), pow(2, sub(e, mant)));
  return where(gt(abs(q), maxFinite), mul(sign(x), Math.abs(overflow)), q);
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
