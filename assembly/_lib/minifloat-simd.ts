// SIMD128 lane recipes for the formats of minifloat.ts, 4 f32 lanes at a time, bit-identical to
// its plain narrowBits / widenBits (checked over all 2^32 inputs by `npm run verify -- half`).
// Wasm has no half lanes, so everything is integer bit manipulation plus two exact float tricks:
// - normals: rebias the exponent by an integer subtract and round the dropped bits with an add
//   (ties to even by adding the kept lsb), a mantissa carry bumping the exponent as it should;
// - subnormals of the format: adding C = 2^(24 − bias − M) makes the f32 adder round |x| to a
//   multiple of the smallest subnormal (RNE in hardware); the bits above C's are the code.
//   Stochastic: scale to units of that subnormal (exact), split off the fraction (exact).
import { fmtBias, fmtMant, fmtWidth, fmtMax, fmtNaN, fmtIeeeSpecials, FMT_BF16 } from './minifloat';

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
    const w = f32x4.mul(a, f32x4.splat(reinterpret<f32>((127 + fmtBias(f) + M - 1) << 23)));
    const whole = f32x4.floor(w);
    const frac32 = i32x4.trunc_sat_f32x4_u(f32x4.mul(f32x4.sub(w, whole), f32x4.splat(4294967296.0)));
    const sub = i32x4.sub(i32x4.trunc_sat_f32x4_u(whole), i32x4.lt_u(r, frac32)); // lt is −1 when true
    code = v128.bitselect(sub, code, i32x4.lt_s(a, i32x4.splat(minNormal(f))));
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
