// The host-side (float64 arithmetic) reference of f32 → small-float rounding, the twin of
// assembly/_lib/minifloat.ts, which states the rules: f16, bf16, OCP fp8 e4m3 / e5m2; round to
// nearest even or stochastically with a 32-bit word; saturating or not; NaN → the format's
// canonical quiet NaN. Tests hold the wasm kernels to it, and hosts without wasm use it.

export type Minifloat = 'f16' | 'bf16' | 'fp8e4m3' | 'fp8e5m2';
export const MINIFLOATS: readonly Minifloat[] = ['f16', 'bf16', 'fp8e4m3', 'fp8e5m2'];

export interface MinifloatSpec { bias: number; mant: number; width: number; max: number; nan: number; nanSign: boolean; ieee: boolean }
/** Each format's layout: exponent bias, mantissa bits, width, largest finite code, NaN code, whether NaN keeps the sign, IEEE-style specials. */
export const MINIFLOAT_SPECS: Record<Minifloat, MinifloatSpec> = {
  f16: { bias: 15, mant: 10, width: 16, max: 0x7bff, nan: 0x7e00, nanSign: true, ieee: true },
  bf16: { bias: 127, mant: 7, width: 16, max: 0x7f7f, nan: 0x7fc0, nanSign: false, ieee: true },
  fp8e4m3: { bias: 7, mant: 3, width: 8, max: 0x7e, nan: 0x7f, nanSign: true, ieee: false },
  fp8e5m2: { bias: 15, mant: 2, width: 8, max: 0x7b, nan: 0x7e, nanSign: true, ieee: true },
};

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * f32 value x (rounded to f32 first) → the format's bits. `r` (a uniform 32-bit word) switches on
 * stochastic rounding: away from zero iff r < the dropped fraction · 2^32 (truncated).
 */
export function narrow(format: Minifloat, x: number, saturate = false, r?: number): number {
  const s = MINIFLOAT_SPECS[format];
  f32[0] = x;
  const u = u32[0];
  const sign = (u >>> 31) * 2 ** (s.width - 1);
  const a = u & 0x7fffffff;
  if (a > 0x7f800000) return s.nan + (s.nanSign ? sign : 0);
  let code = s.max + 1;
  if (a < 0x7f800000) {
    const E = Math.max(a >>> 23, 1);
    const sig = (a & 0x7fffff) + (a >= 0x800000 ? 0x800000 : 0);
    const te = E - 127 + s.bias;
    const shift = 23 - s.mant + (te >= 1 ? 0 : 1 - te);
    const q = Math.floor(sig / 2 ** shift);
    const rem = sig - q * 2 ** shift;
    code = (te >= 1 ? (te - 1) * 2 ** s.mant : 0) + q;
    if (r !== undefined) code += r < Math.floor(rem * 2 ** (32 - shift)) ? 1 : 0;
    else if (rem > 2 ** (shift - 1) || (rem === 2 ** (shift - 1) && code % 2 === 1)) code += 1;
  }
  if (code > s.max) code = saturate ? s.max : s.ieee ? s.max + 1 : s.nan;
  return sign + code;
}

/** The format's bits → f32 value, exact (a NaN's payload is not visible in a JS number). */
export function widen(format: Minifloat, h: number): number {
  const s = MINIFLOAT_SPECS[format];
  const expBits = s.width - 1 - s.mant;
  const neg = h >= 2 ** (s.width - 1);
  const body = h % 2 ** (s.width - 1);
  const e = Math.floor(body / 2 ** s.mant);
  const m = body % 2 ** s.mant;
  if (s.ieee ? e === 2 ** expBits - 1 : body === 2 ** (s.width - 1) - 1) return m === 0 && s.ieee ? (neg ? -Infinity : Infinity) : NaN;
  const mag = e === 0 ? m * 2 ** (1 - s.bias - s.mant) : (1 + m / 2 ** s.mant) * 2 ** (e - s.bias);
  return neg ? -mag : mag;
}
