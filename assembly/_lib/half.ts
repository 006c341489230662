// f16 / bf16 <-> f32 bit conversions (integer bit manipulation; wasm has no half lanes).
// Rounding is round-to-nearest-even, bit-exact with ts/dtype.ts and PyTorch:
//   f16:  NaN → 0x7E00|sign, |x| ≥ 65520 → ±Inf, f16 subnormals rounded exactly, f32 subnormals → ±0.
//   bf16: NaN → 0x7FC0 (sign dropped, as PyTorch's round_to_nearest_even), otherwise (u + 0x7FFF + lsb) >> 16.

@inline export function f32ToF16Bits(x: f32): u32 {
  const u = reinterpret<u32>(x);
  const sign = (u >> 16) & 0x8000;
  const a = u & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7e00;
  if (a >= 0x477ff000) return sign | 0x7c00;
  if (a < 0x38800000) {
    // Below the smallest f16 normal: scale so one f16 subnormal ulp (2^-24) is 1.0 (exact, a power
    // of two scaling up) and round half to even in float arithmetic.
    const v = nearest<f32>(reinterpret<f32>(a) * 16777216.0);
    return sign | <u32>v;
  }
  // Rebias the exponent (127 → 15) and round the 13 dropped bits half to even; a mantissa carry
  // correctly bumps the exponent, and the 65520 guard above keeps it below Inf.
  const e = a - 0x38000000;
  return sign | ((e + 0xfff + ((e >> 13) & 1)) >> 13);
}

@inline export function f16BitsToF32(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e == 0) {
    const v = <f32>m * 5.9604644775390625e-8; // m · 2^-24, exact
    return reinterpret<f32>(reinterpret<u32>(v) | sign);
  }
  if (e == 31) return reinterpret<f32>(sign | 0x7f800000 | (m << 13));
  return reinterpret<f32>(sign | ((e + 112) << 23) | (m << 13));
}

@inline export function f32ToBf16Bits(x: f32): u32 {
  if (x != x) return 0x7fc0;
  const u = reinterpret<u32>(x);
  return (u + 0x7fff + ((u >> 16) & 1)) >> 16;
}

@inline export function bf16BitsToF32(h: u32): f32 {
  return reinterpret<f32>(h << 16);
}
