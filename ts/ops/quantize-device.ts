// Round-to-nearest-even into a minifloat format with device ops only, for devices that read
// values only asynchronously (webgpu): f16/bf16 through the dtype casts (the conversion kernels'
// rules), fp8 by scaling each value by its format step 2^(e − mant), e = the value's binary
// exponent clamped to the format's normal range (so subnormals share the smallest step), then
// rounding, as minifloat.ts's `narrow` does bit by bit. Scaling by powers of two is exact.

import type { Tensor } from '../tensor.js';
import { narrow, widen, type Minifloat } from '../minifloat.js';
import { abs, add, clamp, floor, gt, le, log, mul, pow, round, sign, sub, where } from './elementwise.js';
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
