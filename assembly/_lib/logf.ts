// log and log1p for f32, scalar and 4-lane SIMD computing the same IEEE operations (bit-identical).
// log: x = 2^k·m with m ∈ [√½, √2) (f32 subnormals pre-scaled by 2^25), f = m - 1 (exact), and
//   log m = 2·atanh(s), s = f/(2+f), written f - s·(f - R), R = 2z/3 + 2z²/5 + 2z³/7 + 2z⁴/9, z = s²
//   (|s| ≤ 0.1716: series tail < 1e-9 relative), plus k·ln2 with ln2 split hi/lo. ≲ 2 ulp.
//   Specials by selects: log(±0) = -Inf, log(x < 0) = NaN, log(+Inf) = +Inf, NaN → NaN.
// log1p: u = 1 + x (rounded); log1p x = log(u)·x/(u - 1) (Goldberg 1991, "What every computer
//   scientist should know...", Thm 4), or x when u == 1; +Inf → +Inf. ≲ 4 ulp.

const SQRT_HALF_BITS: i32 = 0x3f3504f3;
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.4286068203094173e-6;
const R1: f32 = 2.0 / 3.0, R2: f32 = 2.0 / 5.0, R3: f32 = 2.0 / 7.0, R4: f32 = 2.0 / 9.0;
const TWO25: f32 = 33554432.0;

@inline export function logf32(x: f32): f32 {
  const sub = reinterpret<i32>(x) < 0x00800000; // +0, positive subnormals (negatives fixed below)
  const xs: f32 = sub ? x * TWO25 : x;
  const ix = reinterpret<i32>(xs) - SQRT_HALF_BITS;
  const k = (ix >> 23) - (sub ? 25 : 0);
  const m = reinterpret<f32>((ix & 0x7fffff) + SQRT_HALF_BITS);
  const f = m - <f32>1.0;
  const s = f / (<f32>2.0 + f);
  const z = s * s;
  let r = R4 * z + R3;
  r = r * z + R2;
  r = r * z + R1;
  r = r * z;
  const dk = <f32>k;
  let y = (dk * LN2_HI + (f - s * (f - r))) + dk * LN2_LO;
  y = (reinterpret<i32>(x) & 0x7fffffff) >= 0x7f800000 ? x : y;
  y = x == 0 ? -Infinity : y;
  return x < 0 ? NaN : y;
}

@inline export function logf32x4(x: v128): v128 {
  const sub = i32x4.lt_s(x, i32x4.splat(0x00800000));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO25)), x, sub);
  const ix = i32x4.sub(xs, i32x4.splat(SQRT_HALF_BITS));
  const k = i32x4.sub(i32x4.shr_s(ix, 23), v128.and(sub, i32x4.splat(25)));
  const m = i32x4.add(v128.and(ix, i32x4.splat(0x7fffff)), i32x4.splat(SQRT_HALF_BITS));
  const f = f32x4.sub(m, f32x4.splat(1.0));
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2.0), f));
  const z = f32x4.mul(s, s);
  let r = f32x4.add(f32x4.mul(f32x4.splat(R4), z), f32x4.splat(R3));
  r = f32x4.add(f32x4.mul(r, z), f32x4.splat(R2));
  r = f32x4.add(f32x4.mul(r, z), f32x4.splat(R1));
  r = f32x4.mul(r, z);
  const dk = f32x4.convert_i32x4_s(k);
  let y = f32x4.add(f32x4.add(f32x4.mul(dk, f32x4.splat(LN2_HI)), f32x4.sub(f, f32x4.mul(s, f32x4.sub(f, r)))),
    f32x4.mul(dk, f32x4.splat(LN2_LO)));
  y = v128.bitselect(x, y, i32x4.ge_s(v128.and(x, i32x4.splat(0x7fffffff)), i32x4.splat(0x7f800000)));
  y = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  return v128.bitselect(f32x4.splat(NaN), y, f32x4.lt(x, f32x4.splat(0)));
}

@inline export function log1pf32(x: f32): f32 {
  const u = <f32>1.0 + x;
  const d = u - <f32>1.0;
  let y = logf32(u) * (x / d);
  y = d == 0 ? x : y;
  return x == Infinity ? x : y;
}

@inline export function log1pf32x4(x: v128): v128 {
  const u = f32x4.add(f32x4.splat(1.0), x);
  const d = f32x4.sub(u, f32x4.splat(1.0));
  let y = f32x4.mul(logf32x4(u), f32x4.div(x, d));
  y = v128.bitselect(x, y, f32x4.eq(d, f32x4.splat(0)));
  return v128.bitselect(x, y, f32x4.eq(x, f32x4.splat(Infinity)));
}
