// SIMD128 lane recipes for the formats of minifloat.ts, 4 f32 lanes at a time, bit-identical to
// its plain narrowBits / widenBits (checked over all 2^32 inputs by `npm run verify -- half`).
// Wasm has no half lanes, so everything is integer bit manipulation plus two exact float tricks:
// - normals: rebias the exponent by an integer subtract and round the dropped bits with an add
//   (ties to even by adding the kept lsb), a mantissa carry bumping the exponent as it should;
// - subnormals of the format: adding C = 2^(24 − bias − M) makes the f32 adder round |x| to a
//   multiple of the smallest subnormal (RNE in hardware); the bits above C's are the code.
//   Stochastic: scale to units of that subnormal (exact), split off the fraction (exact).
import { fmtBias, fmtMant, fmtWidth, fmtMax, fmtNaN, fmtIeeeSpecials, FMT_BF16 } from './minifloat';

// f32 → f16 nearest gets its own recipe, the float trick of the fast scalar converters (as in
// Maratos Dukhan's FP16 library), made branch-free for 4 lanes:
// - clamp |x| to at most 65536 (pmin: Inf too), whose code comes out as Inf's 0x7C00, and replace
//   NaN (pmax(c, NaN) is c) by c = −1.5·2^19, whose code comes out as 0x7E00;
// - add magic = 2^(e + 13)·(1 + 2^-12), e = max(exponent of |x|, −14): the f32 adder rounds |x| to
//   a multiple of 2^(e − 10), the f16 ulp (RNE in hardware, f16 subnormals included), and the sum's
//   mantissa field holds 0x800 + the rounded significand in units of that ulp;
// - its exponent field e + 140 shifted down by 13 lands on the code's exponent bits: the low 16 bits
//   of bits + (bits >> 13) are the code (e + 140 ≡ e + 12 mod 64, and 0x800 adds the missing 2).
// The sign is OR-ed in after the narrow from the inputs' high halves.
const F16_NEAREST = memory.data<u32>([
  0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff, // |x| mask
  0xc9400000, 0xc9400000, 0xc9400000, 0xc9400000, // −1.5·2^19: the NaN stand-in
  0x47800000, 0x47800000, 0x47800000, 0x47800000, // 65536
  0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000, // exponent field
  0x38800000, 0x38800000, 0x38800000, 0x38800000, // 2^-14, f16's smallest normal
  0x06800800, 0x06800800, 0x06800800, 0x06800800, // ×2^13·(1 + 2^-12) as an integer add
  0xffff, 0xffff, 0xffff, 0xffff, // low 16 bits
  0x80008000, 0x80008000, 0x80008000, 0x80008000], 16); // f16 sign bits

/** f16 codes of 4 f32 lanes without their sign, in u32 lanes; k0..k6 the F16_NEAREST rows. */
@inline function f16MagnitudeX4(v: v128, k0: v128, k1: v128, k2: v128, k3: v128, k4: v128, k5: v128, k6: v128): v128 {
  const a = f32x4.pmin(f32x4.pmax(k1, v128.and(v, k0)), k2);
  const bits = f32x4.add(i32x4.add(i32x4.max_s(v128.and(a, k3), k4), k5), a);
  return v128.and(i32x4.add(bits, i32x4.shr_u(bits, 13)), k6);
}

/** f32 → f16 nearest over the whole steps of 16 elements (constants loaded once: V8 would rebuild
 * v128.const operands in the loop); returns how many were done. Bit-identical to narrowX4. */
@inline export function narrowF16NearestSteps(n: i32, x: usize, y: usize): i32 {
  const k0 = v128.load(F16_NEAREST), k1 = v128.load(F16_NEAREST, 16), k2 = v128.load(F16_NEAREST, 32);
  const k3 = v128.load(F16_NEAREST, 48), k4 = v128.load(F16_NEAREST, 64), k5 = v128.load(F16_NEAREST, 80);
  const k6 = v128.load(F16_NEAREST, 96), sign = v128.load(F16_NEAREST, 112);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    for (let h = 0; h < 2; h++) {
      const p = x + (<usize>i << 2) + (<usize>h << 5);
      const v0 = v128.load(p), v1 = v128.load(p, 16);
      const mag = i16x8.narrow_i32x4_u(f16MagnitudeX4(v0, k0, k1, k2, k3, k4, k5, k6), f16MagnitudeX4(v1, k0, k1, k2, k3, k4, k5, k6));
      const high = i8x16.shuffle(v0, v1, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
      v128.store(y + (<usize>i << 1) + (<usize>h << 4), v128.or(mag, v128.and(high, sign)));
    }
  }
  return i;
}

/** Smallest f32 bit pattern that is a normal of the format (0: every f32 is, as for bf16). */
@inline function minNormal(f: i32): u32 { return f == FMT_BF16 ? 0 : (128 - fmtBias(f)) << 23; }

/** f32 lanes → format codes in u32 lanes (see narrowBits); r: random words when stochastic. */
@inline export function narrowX4(f: i32, v: v128, sat: bool, stochastic: bool, r: v128): v128 {
  if (f == FMT_BF16 && !sat) return narrowBf16X4(v, stochastic, r);
  const M = fmtMant(f);
  const s = 23 - M;
  const a = v128.and(v, i32x4.splat(0x7fffffff));
  // nearest: lanes below the normals take the normal recipe at the smallest normal, whose code 2^M
  // bounds every subnormal code, and above them the subnormal recipe's count of smallest subnormals
  // is at least the normal code, so one min_u merges the two recipes (no compare and select)
  const merge = minNormal(f) != 0 && !stochastic;
  const e = i32x4.sub(merge ? i32x4.max_u(a, i32x4.splat(minNormal(f))) : a, i32x4.splat((127 - fmtBias(f)) << 23));
  let code = i32x4.shr_u(i32x4.add(e, roundInc(e, s, stochastic, r)), s);
  if (merge) {
    const C = f32x4.splat(reinterpret<f32>((127 + 24 - fmtBias(f) - M) << 23));
    code = i32x4.min_u(code, i32x4.sub(f32x4.add(a, C), C));
  } else if (minNormal(f) != 0) {
    // the subnormal recipe costs more than the rest together: skipped when no lane needs it
    const small = i32x4.lt_s(a, i32x4.splat(minNormal(f)));
    if (v128.any_true(small)) {
      const w = f32x4.mul(a, f32x4.splat(reinterpret<f32>((127 + fmtBias(f) + M - 1) << 23)));
      const whole = f32x4.floor(w); // < 2^M: the signed conversion is exact and cheaper
      const frac32 = i32x4.trunc_sat_f32x4_u(f32x4.mul(f32x4.sub(w, whole), f32x4.splat(4294967296.0)));
      const sub = i32x4.sub(i32x4.trunc_sat_f32x4_s(whole), i32x4.lt_u(r, frac32)); // lt is −1 when true
      code = v128.bitselect(sub, code, small);
    }
  }
  const top = sat ? fmtMax(f) : fmtIeeeSpecials(f) ? fmtMax(f) + 1 : fmtNaN(f);
  code = i32x4.min_u(code, i32x4.splat(top));
  // NaN lanes hold `top` now; when NaN's code only adds bits to it, an OR finishes them
  const nan = i32x4.gt_s(a, i32x4.splat(0x7f800000));
  code = (top & fmtNaN(f)) == top
    ? v128.or(code, v128.and(nan, i32x4.splat(fmtNaN(f) ^ top)))
    : v128.bitselect(i32x4.splat(fmtNaN(f)), code, nan);
  return v128.or(code, i32x4.shr_u(v128.and(v, i32x4.splat(0x80000000)), 32 - fmtWidth(f)));
}

/** What to add before dropping s bits: ties-to-even rounding, or (stochastic) the complement's top
 * s bits, which carry iff r's top s bits < the dropped bits: narrowBits' event r < fraction·2^32. */
@inline function roundInc(e: v128, s: u32, stochastic: bool, r: v128): v128 {
  return stochastic
    ? i32x4.shr_u(v128.not(r), 32 - s)
    : i32x4.add(i32x4.splat((1 << (s - 1)) - 1), v128.and(i32x4.shr_u(e, s), i32x4.splat(1)));
}

/** bf16 keeps f32's exponent range, so rounding the whole word (sign included) is enough: a carry
 * out of the largest finite lands on Inf, and NaN becomes +0x7FC0 as in PyTorch. */
@inline function narrowBf16X4(v: v128, stochastic: bool, r: v128): v128 {
  const code = i32x4.shr_u(i32x4.add(v, roundInc(v, 16, stochastic, r)), 16);
  return v128.bitselect(i32x4.splat(0x7fc0), code, f32x4.ne(v, v));
}

/** Format codes in u32 lanes → f32 lanes (see widenBits): exact by one shift and one multiply. */
@inline export function widenX4(f: i32, h: v128): v128 {
  if (f == FMT_BF16) return i32x4.shl(h, 16);
  const W = fmtWidth(f), M = fmtMant(f);
  const sign = i32x4.shl(v128.and(h, i32x4.splat(1 << (W - 1))), 32 - W);
  const body = i32x4.shl(v128.and(h, i32x4.splat((1 << (W - 1)) - 1)), 23 - M);
  // body read as f32 has the format's exponent field; 2^(127 − bias) rescales normals and subnormals
  const finite = f32x4.mul(body, f32x4.splat(reinterpret<f32>((254 - fmtBias(f)) << 23)));
  const special = fmtIeeeSpecials(f) ? ((1 << (W - 1 - M)) - 1) << 23 : ((1 << (W - 1)) - 1) << (23 - M);
  const isSpecial = i32x4.ge_s(body, i32x4.splat(special));
  return v128.or(v128.bitselect(v128.or(body, i32x4.splat(0x7f800000)), finite, isSpecial), sign);
}
